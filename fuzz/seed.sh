#!/usr/bin/env bash
# Builds the parse_chart seed corpus from the recorded Yahoo responses in
# shared/data/yahoo_chart (read in place; the corpus stays untracked), and
# copies our own tool_args seeds. Run from fuzz/: ./seed.sh
set -euo pipefail
shared="${TRADING_MCP_SHARED:-$(cd .. && for d in . .. ../.. ../../..; do [ -f "$d/shared/data/SOURCES.md" ] && { cd "$d/shared"; pwd; break; }; done)}"
mkdir -p corpus/parse_chart corpus/tool_args corpus/parse_feed corpus/import_csv
cp seeds/tool_args/* corpus/tool_args/
python3 - "$shared" <<'PY'
import json, glob, sys, os
# The interval byte: index into model::INTERVALS (5 = 1d, 0 = 1m).
for i, f in enumerate(sorted(glob.glob(sys.argv[1] + "/data/yahoo_chart/*/*.json"))):
    rec = json.load(open(f))
    body = json.dumps(rec["response"]["bodyJson"]).encode()
    interval = 0 if "interval=1m" in rec["request"]["url"] else 5
    with open("corpus/parse_chart/rec%02d" % i, "wb") as out:
        out.write(bytes([interval]) + body)
PY
# Feeds: the shared RSS samples as they are. CSVs: the first 40 lines of a
# few files in each shared layout (Yahoo's, the broker's, intraday).
cp "$shared"/data/rss/*.xml corpus/parse_feed/
n=0
for f in "$shared"/data/nse_daily_yahoo/{RELIANCE,TCS}.NS.csv "$shared"/data/nse_daily_upstox/*.csv \
         "$shared"/data/nse_intraday/*.csv "$shared"/data/us_daily/*.csv; do
  n=$((n + 1)); [ "$n" -le 12 ] || break
  head -40 "$f" > "corpus/import_csv/csv$n"
done
echo "seeded: $(ls corpus/parse_chart | wc -l) chart bodies, $(ls corpus/tool_args | wc -l) tool calls, $(ls corpus/parse_feed | wc -l) feeds, $(ls corpus/import_csv | wc -l) CSVs"
