-- The warming scheduler's state. Times are epoch seconds (UTC).

-- Which process warms this store: one row per lease name, held by a
-- process until `expires_at` and renewed while it runs. Another process
-- takes it over only once it has expired.
CREATE TABLE warm_lease (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- How often each symbol was served to callers, per exchange-local (IST)
-- day: counted in memory and flushed about once a minute. The most
-- requested symbols of the previous trading day join the watchlist.
CREATE TABLE symbol_requests (
    day      TEXT    NOT NULL,
    symbol   TEXT    NOT NULL,
    requests INTEGER NOT NULL CHECK (requests > 0),
    PRIMARY KEY (day, symbol)
) WITHOUT ROWID;

-- One row per warm run.
CREATE TABLE warm_runs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL
        CHECK (kind IN ('backfill', 'pre_open', 'live', 'post_close')),
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER NOT NULL,
    symbols        TEXT    NOT NULL,
    symbol_count   INTEGER NOT NULL,
    bars_written   INTEGER NOT NULL,
    upstream_calls INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    error_detail   TEXT
);
CREATE INDEX warm_runs_started ON warm_runs (started_at);
