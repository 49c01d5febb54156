#!/usr/bin/env bash
# HTTP calls/s on cached data (get_stock_chart_data, 250 RELIANCE daily
# bars, stateless streamable HTTP), one instance against three on one
# store, for SQLite and for PostgreSQL, with 32 connections in all (one wrk
# per instance). A throwaway PostgreSQL cluster on a Unix socket, as the
# tests start it. Run as root or as a user who can run PostgreSQL, from the
# checkout, after `cargo build --release`; needs wrk (apt-get install wrk).
#   bash benches/multi_instance_http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/release/trading-mcp
NOW="2024-04-01T12:00:00+05:30"
CSV=$PWD/../shared/data/nse_daily_yahoo/RELIANCE.NS.csv
PGDIR=$(mktemp -d /tmp/pgload.XXXX)
PGBIN=$(pg_config --bindir)
LUA=$PGDIR/chart_call.lua
cat > "$LUA" <<'LUA'
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "application/json, text/event-stream"
wrk.headers["mcp-protocol-version"] = "2026-07-28"
wrk.headers["mcp-method"] = "tools/call"
wrk.headers["mcp-name"] = "get_stock_chart_data"
wrk.body = [[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_stock_chart_data","arguments":{"symbol":"RELIANCE","start_date":"2023-03-29","end_date":"2024-03-28"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}]]
LUA
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  pkill -f "trading-mcp.*--listen 127.0.0.1:87" || true
  as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
as_owner "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -o "-c listen_addresses='' -k $PGDIR -p 5432" -w start >/dev/null
psql -q -h $PGDIR -U postgres -c "CREATE DATABASE load"
PGURL="postgres://postgres@localhost:5432/load?host=$PGDIR"
export TRADING_MCP_NO_WARM=true TRADING_MCP_LOG=error
SQLITE=$PGDIR/load.db
for DB in "$SQLITE" "$PGURL"; do
  $BIN --db "$DB" import "$CSV" >/dev/null
done
run() { # db, instances, seconds
  local db=$1 n=$2 secs=$3 pids=() port
  for i in $(seq 1 $n); do
    port=$((8700 + i))
    $BIN --db "$db" --offline --now "$NOW" serve --transport http --listen 127.0.0.1:$port 2>/dev/null &
  done
  sleep 2
  local conns=$((32 / n)) out=()
  for i in $(seq 1 $n); do
    port=$((8700 + i))
    # warm each instance's L1 and result cache
    for k in 1 2 3; do curl -s -o /dev/null -X POST -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2026-07-28' -H 'mcp-method: tools/call' -H 'mcp-name: get_stock_chart_data' --data "$(sed -n 's/^wrk.body = \[\[\(.*\)\]\]$/\1/p' "$LUA")" http://127.0.0.1:$port/mcp; done
  done
  for i in $(seq 1 $n); do
    port=$((8700 + i))
    wrk -t$(( n == 1 ? 2 : 1 )) -c$conns -d${secs}s --latency -s "$LUA" http://127.0.0.1:$port/mcp > "$PGDIR/wrk_$i.out" &
    pids+=($!)
  done
  wait "${pids[@]}"
  local total=0
  for i in $(seq 1 $n); do
    rps=$(awk '/Requests\/sec/ {print $2}' "$PGDIR/wrk_$i.out")
    p99=$(awk '/ 99%/ {print $2}' "$PGDIR/wrk_$i.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$PGDIR/wrk_$i.out")
    echo "    instance $i: $rps calls/s, p99 $p99 ${non2xx:+non-2xx $non2xx}"
    total=$(python3 -c "print(round($total + $rps))")
  done
  echo "  $n instance(s): $total calls/s in all"
  pkill -f "trading-mcp.*--listen 127.0.0.1:87" || true
  sleep 1
}
for db in "$SQLITE" "$PGURL"; do
  echo "store: ${db%%\?*}"
  for n in 1 3; do run "$db" $n 10; done
done
