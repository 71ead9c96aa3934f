#!/bin/bash
# bench/analytics/run.sh — the Analytics section of `npm run bench` (issue 18): a filter-and-project
# application and a one-minute tumbling aggregate over a 4-shard input stream, through
# bench/analytics/analytics-bench.mjs. Each round runs against a FRESH server: the built bundle
# (npm run build), `tributary server --storage embedded` (default fsync: always), a fresh --data-dir
# under BENCH_DATA_ROOT; the server is stopped and its data removed after it. Results:
# OUT/<variant>-r<round>.json, and OUT/report.md with the medians.
#
# Measured: rows/s an application processes while catching up on a backlog of BENCH_ANALYTICS_RECORDS
# records (its sustained rate), the server's CPU per row, and — for the aggregate, with a live phase
# of BENCH_ANALYTICS_LIVE_SECONDS at BENCH_ANALYTICS_LIVE_RATE records/s — the delay from a window's
# end to its rows in the output stream (p50, p99). Targets (issue 18): filter ≥ 200,000 rows/s,
# aggregate ≥ 100,000 rows/s, delay p99 ≤ 100 ms.
#
#   bench/analytics/run.sh [OUT]      (bench/run.sh runs it with OUT=$BENCH_OUT/analytics)
# Environment:
#   BENCH_ANALYTICS_VARIANTS ("filter aggregate")  BENCH_ANALYTICS_ROUNDS (3)  BENCH_ANALYTICS_RECORDS (1000000)
#   BENCH_ANALYTICS_LIVE_SECONDS (130)  BENCH_ANALYTICS_LIVE_RATE (20000)  BENCH_ANALYTICS_CONCURRENCY (4)
#   BENCH_DATA_ROOT (.tmp/bench in the checkout)  BENCH_QUIET_MAX_PCT (see bench/run.sh)
#   BENCH_ANALYTICS_PROFILE=1: the server runs with --cpu-prof (profiles in OUT/profile)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib/common.sh"

OUT="${1:-${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}/analytics}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
VARIANTS="${BENCH_ANALYTICS_VARIANTS:-filter aggregate}"
ROUNDS="${BENCH_ANALYTICS_ROUNDS:-3}"
RECORDS="${BENCH_ANALYTICS_RECORDS:-1000000}"
LIVE_SECONDS="${BENCH_ANALYTICS_LIVE_SECONDS:-130}"
LIVE_RATE="${BENCH_ANALYTICS_LIVE_RATE:-20000}"
CONCURRENCY="${BENCH_ANALYTICS_CONCURRENCY:-4}"
stop_current_server_on_exit

main() {
  mkdir -p "$OUT" "$DATA_ROOT"
  ensure_build || exit 1
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  local round variant port data live profile
  for round in $(seq 1 "$ROUNDS"); do
    for variant in $VARIANTS; do
      case "$variant" in filter|aggregate) ;; *) log "unknown Analytics variant $variant (filter or aggregate)"; exit 1 ;; esac
      wait_quiet
      port="$(free_port)" || { log "no free port"; return 1; }
      data="$DATA_ROOT/analytics-$variant"
      profile=""; [ "${BENCH_ANALYTICS_PROFILE:-}" = 1 ] && profile="$OUT/profile"
      CURRENT_PID="$(start_built_tributary "$port" "$data" "$OUT/$variant-r$round.server.log" "$profile" \
        --limits off --functions off --create-stream-ms 0 --shard-limit 1000)"
      if ! wait_health "$port"; then
        log "Analytics: the server did not start (see $OUT/$variant-r$round.server.log)"; stop_current_server; continue
      fi
      live=0; [ "$variant" = aggregate ] && live="$LIVE_SECONDS"
      log "Analytics: $variant round $round (pid $CURRENT_PID, port $port, load $(cut -d' ' -f1-3 /proc/loadavg))"
      node "$BENCH/analytics/analytics-bench.mjs" --endpoint "http://127.0.0.1:$port" --server-pid "$CURRENT_PID" --variant "$variant" \
        --records "$RECORDS" --concurrency "$CONCURRENCY" --live-seconds "$live" --live-rate "$LIVE_RATE" \
        >"$OUT/$variant-r$round.json" 2>"$OUT/$variant-r$round.log"
      log "   rc=$? $(json_field "$OUT/$variant-r$round.json" '`${j.rowsPerSec} rows/s (written ${j.writeRecordsPerSec}/s), ${j.serverCpuUsPerRow} µs CPU/row, ${j.serverCpuCores} cores, host ${j.hostBusyCores} cores busy${j.live ? `, delay p50 ${j.live.delayMsP50} ms p99 ${j.live.delayMsP99} ms over ${j.live.windowsClosed} windows` : ""}`')"
      stop_current_server
      [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$data"
    done
  done
  node "$BENCH/analytics/report.mjs" "$OUT" | tee "$OUT/report.md"
}

main
