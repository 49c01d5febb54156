-- The dedup lookup's index leads with the two-day period an article was
-- published in (172800 s, the store's dedup window), then the key.
--
-- Why: keyed by `dedup_key` alone, every new article's entry landed on a
-- random page of the index, as titles are random text; a 100-item feed
-- dirtied about a hundred of its pages. New articles are recent, so led by
-- their period they land on the index's last pages. A twin lies within the
-- window, so in the article's period or one beside it: the lookup asks for
-- those three periods and the same key.
--
-- The store's query writes the same expression, `published_at / 172800`,
-- and a test checks that its plan uses this index.

DROP INDEX news_dedup;
CREATE INDEX news_dedup ON news (published_at / 172800, dedup_key) WHERE dedup_key IS NOT NULL;
