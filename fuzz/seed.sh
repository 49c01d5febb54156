#!/usr/bin/env bash
# Builds the parse_chart seed corpus from the recorded Yahoo responses in
# shared/data/yahoo_chart (read in place; the corpus stays untracked), and
# copies our own tool_args seeds. Run from fuzz/: ./seed.sh
set -euo pipefail
shared="${TRADING_MCP_SHARED:-$(cd .. && for d in . .. ../.. ../../..; do [ -f "$d/shared/data/SOURCES.md" ] && { cd "$d/shared"; pwd; break; }; done)}"
mkdir -p corpus/parse_chart corpus/tool_args
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
echo "seeded: $(ls corpus/parse_chart | wc -l) chart bodies, $(ls corpus/tool_args | wc -l) tool calls"
