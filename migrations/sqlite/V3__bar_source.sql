-- Provenance of every bar: 'yahoo' when fetched from the chart API, 'import'
-- when loaded from a file by `trading-mcp import`. Rows stored before this
-- migration all came from Yahoo.
ALTER TABLE bars ADD COLUMN source TEXT NOT NULL DEFAULT 'yahoo'
    CHECK (source IN ('yahoo', 'import'));
