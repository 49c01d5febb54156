#!/usr/bin/env python3
"""The pandas baseline for `trading-mcp import`: read_csv + to_sql of the same
files into an SQLite table shaped like the store's `bars` (same primary key,
WITHOUT ROWID), one transaction per file.

    /usr/bin/time -v python3 benches/import_pandas.py /tmp/pandas.db \
        ../shared/data/nse_daily_yahoo/*.csv
    /usr/bin/time -v target/release/trading-mcp --db /tmp/x.db import \
        ../shared/data/nse_daily_yahoo/*.csv

Needs pandas (`pip install pandas`).
"""

import os
import sqlite3
import sys

import pandas as pd

SCHEMA = """
CREATE TABLE bars (
    symbol TEXT NOT NULL, interval TEXT NOT NULL, ts INTEGER NOT NULL,
    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
    adj_close REAL NOT NULL, volume INTEGER NOT NULL, fetched_at INTEGER NOT NULL,
    source TEXT NOT NULL, PRIMARY KEY (symbol, interval, ts)
) WITHOUT ROWID
"""


def main() -> None:
    db, files = sys.argv[1], sys.argv[2:]
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(SCHEMA)
    rows = 0
    for path in files:
        df = pd.read_csv(path, na_values=["null"]).dropna()
        out = pd.DataFrame(
            {
                "symbol": os.path.basename(path)[: -len(".csv")],
                "interval": "1d",
                "ts": pd.to_datetime(df["Date"]).astype("int64") // 10**9,
                "open": df["Open"],
                "high": df["High"],
                "low": df["Low"],
                "close": df["Close"],
                "adj_close": df["Adj Close"],
                "volume": df["Volume"].astype("int64"),
                "fetched_at": 0,
                "source": "import",
            }
        )
        out.to_sql("bars", con, if_exists="append", index=False)
        con.commit()
        rows += len(out)
    con.close()
    print(f"{len(files)} files, {rows} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
