-- News rows get a sequential rowid; the article's stable id (the first 8
-- bytes of SHA-256 of its canonical URL or GUID) moves to `uid`.
--
-- Why: with the hash as rowid, every new article landed on a random page
-- of `news`, of `news_symbols_news` and of the FTS index, so a 100-item
-- feed dirtied hundreds of pages and an ingest into 100,000 stored
-- articles took 28 ms. In arrival order they land on the last pages.
--
-- The tables are rebuilt (SQLite cannot change a rowid in place): copied
-- aside, recreated, and copied back in publication order.

CREATE TABLE news_v4 AS SELECT * FROM news;
CREATE TABLE news_symbols_v4 AS SELECT * FROM news_symbols;

DROP TRIGGER news_fts_insert;
DROP TRIGGER news_fts_delete;
DROP TRIGGER news_fts_update;
DROP TABLE news_fts;
DROP TABLE news_symbols;
DROP TABLE news;

-- One row per article, in the order they were stored. `uid` is the stable
-- id, so the same article in two feeds is one row. `dedup_key` (title and
-- publisher words) finds it under a second URL, such as a Google News
-- redirect; exchange announcements have none.
CREATE TABLE news (
    id             INTEGER PRIMARY KEY,
    uid            INTEGER NOT NULL UNIQUE,
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

INSERT INTO news (uid, title, summary, url, source, published_at, date_estimated,
                  fetched_at, market_wide, dedup_key)
SELECT id, title, summary, url, source, published_at, date_estimated,
       fetched_at, market_wide, dedup_key
FROM news_v4 ORDER BY fetched_at, published_at, id;

INSERT INTO news_symbols (symbol, news_id, link)
SELECT s.symbol, n.id, s.link FROM news_symbols_v4 s JOIN news n ON n.uid = s.news_id;

DROP TABLE news_symbols_v4;
DROP TABLE news_v4;
