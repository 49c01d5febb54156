-- News: every article once, linked to the symbols it is about, searchable
-- by words, and a log of every feed fetch. Times are epoch seconds (UTC).

-- One row per article. `id` is the first 8 bytes of SHA-256 of its
-- canonical URL (or GUID), so the same article in two feeds is one row.
-- `dedup_key` (title and publisher words) finds it under a second URL,
-- such as a Google News redirect; exchange announcements have none.
CREATE TABLE news (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    url            TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    published_at   INTEGER NOT NULL,
    -- 1 when the feed gave no usable date and published_at is the first fetch.
    date_estimated INTEGER NOT NULL DEFAULT 0 CHECK (date_estimated IN (0, 1)),
    fetched_at     INTEGER NOT NULL,
    -- 1 when seen in a market-wide feed (exchange or general), not only a symbol's.
    market_wide    INTEGER NOT NULL DEFAULT 0 CHECK (market_wide IN (0, 1)),
    dedup_key      TEXT
);
CREATE INDEX news_published ON news (published_at);
CREATE INDEX news_market_wide ON news (published_at) WHERE market_wide = 1;
CREATE INDEX news_dedup ON news (dedup_key) WHERE dedup_key IS NOT NULL;

-- Which symbols an article is about, and how that was decided: `feed` (it
-- came from that symbol's own feed) or `text` (its title or summary names
-- the company, an alias or the ticker).
CREATE TABLE news_symbols (
    symbol  TEXT    NOT NULL,
    news_id INTEGER NOT NULL REFERENCES news(id) ON DELETE CASCADE,
    link    TEXT    NOT NULL CHECK (link IN ('feed', 'text')),
    PRIMARY KEY (symbol, news_id)
) WITHOUT ROWID;
CREATE INDEX news_symbols_news ON news_symbols (news_id);

-- Full-text index over title and summary, with `news` as its content;
-- the triggers keep it in step.
CREATE VIRTUAL TABLE news_fts USING fts5(
    title, summary,
    content = 'news', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER news_fts_insert AFTER INSERT ON news BEGIN
    INSERT INTO news_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;
CREATE TRIGGER news_fts_delete AFTER DELETE ON news BEGIN
    INSERT INTO news_fts (news_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
END;
CREATE TRIGGER news_fts_update AFTER UPDATE OF title, summary ON news BEGIN
    INSERT INTO news_fts (news_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
    INSERT INTO news_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;

-- One row per feed fetch: `ok` (articles read), `empty` (the feed had no
-- usable items) or `failed` (no answer, an error status, or not a feed).
CREATE TABLE feed_fetches (
    id        INTEGER PRIMARY KEY,
    feed      TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('ok', 'empty', 'failed')),
    items     INTEGER NOT NULL,
    new_items INTEGER NOT NULL,
    error     TEXT
);
CREATE INDEX feed_fetches_feed ON feed_fetches (feed, at);
