-- The cache's durable tier (L2). Timestamps are epoch seconds unless a
-- column name says otherwise. For daily and coarser bars `ts` is the
-- exchange-local trading date, as the epoch seconds of its midnight UTC
-- (so `date(ts, 'unixepoch')` shows the trading date); for intraday bars it
-- is the bar's start instant.

-- What the chart API's `meta` says about each symbol.
CREATE TABLE instruments (
    symbol               TEXT PRIMARY KEY,
    exchange             TEXT NOT NULL,
    full_exchange_name   TEXT,
    currency             TEXT NOT NULL,
    timezone             TEXT NOT NULL,
    instrument_type      TEXT,
    short_name           TEXT,
    long_name            TEXT,
    first_trade_date     INTEGER,
    regular_market_price REAL,
    regular_market_time  INTEGER,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE bars (
    symbol     TEXT    NOT NULL REFERENCES instruments(symbol),
    interval   TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    open       REAL    NOT NULL,
    high       REAL    NOT NULL,
    low        REAL    NOT NULL,
    close      REAL    NOT NULL,
    adj_close  REAL    NOT NULL,
    volume     INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (symbol, interval, ts)
) WITHOUT ROWID;

-- Ranges [start_ts, end_ts) known to be stored completely: a request inside
-- them needs no upstream call; a wider one fetches only the gaps. Adjacent
-- and overlapping ranges are merged on write.
CREATE TABLE coverage (
    symbol     TEXT    NOT NULL REFERENCES instruments(symbol),
    interval   TEXT    NOT NULL,
    start_ts   INTEGER NOT NULL,
    end_ts     INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (symbol, interval, start_ts),
    CHECK (end_ts > start_ts)
) WITHOUT ROWID;

-- Dividends and splits from the chart `events`.
CREATE TABLE corporate_actions (
    symbol      TEXT    NOT NULL REFERENCES instruments(symbol),
    ts          INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('dividend', 'split')),
    amount      REAL,
    numerator   REAL,
    denominator REAL,
    PRIMARY KEY (symbol, ts, kind)
) WITHOUT ROWID;

-- One row per upstream HTTP call, for inspection with SQL.
CREATE TABLE upstream_calls (
    id         INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    host       TEXT    NOT NULL,
    symbol     TEXT,
    path       TEXT    NOT NULL,
    status     INTEGER,
    latency_ms INTEGER NOT NULL,
    bytes      INTEGER,
    error      TEXT
);
CREATE INDEX upstream_calls_at ON upstream_calls (at_ms);

-- Every circuit-breaker state change.
CREATE TABLE breaker_transitions (
    id      INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    host    TEXT    NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason  TEXT    NOT NULL
);
