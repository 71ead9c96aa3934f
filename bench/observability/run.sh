#!/bin/bash
# bench/observability/run.sh — the observability section of `npm run bench` (issue 19): the kinesis
# section's config A (4 shards, 100 B records, PutRecords x500, 4 writers; kbench --client raw)
# against Tributary twice per round, in one run, alternating (their order swapped every round):
#   off  --metrics off --access-log=false
#   on   --metrics on  --access-log=true, with Prometheus scraping /metrics every BENCH_OBS_SCRAPE_S
# Both at --log-level info (so "on" writes its access lines, to the server's log file, as a collector
# would read them; "off" differs only in the two features) on the kinesis section's storage
# (TRIBUTARY_STORAGE_ARGS, default embedded with fsync always). Each run is a FRESH server with a
# fresh --data-dir, stopped and removed after it. The target (issue 19): "on" write throughput
# within 5 % of "off" (median over rounds). Results: OUT/<variant>-<config>-r<round>.json and
# OUT/report.md.
#
#   bench/observability/run.sh [OUT]     (bench/run.sh runs it with OUT=$BENCH_OUT/observability)
# Environment:
#   BENCH_OBS_REPS (12)  BENCH_OBS_SECONDS (30, write phase per run)  BENCH_OBS_CONFIGS ("A"; B and C as in
#   bench/run.sh)  BENCH_OBS_SCRAPE_S (5)  BENCH_DATA_ROOT  BENCH_QUIET_MAX_PCT  TRIBUTARY_STORAGE_ARGS
#   TRIBUTARY_EXTRA_ARGS (added before each variant's own flags)
# Smoke run: BENCH_OBS_REPS=1 BENCH_OBS_SECONDS=5 bench/observability/run.sh
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib/common.sh"

OUT="${1:-${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}/observability}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
# Many rounds: one run's throughput swings by ±15 % on a shared VM, so the verdict is the median
# of per-round ratios (report.mjs). Runs are long (30 s) so that both variants reach V8's steady
# state: a fresh server's first full collection of the old generation comes 12-20 s into a config-A
# run, and with the access log on it comes several seconds earlier, so a 12 s run caught it in
# "on" and not in "off" and read a start-up difference as overhead; from there on both collect
# about once a second (docs/performance.md, "Metrics and access logging overhead"). Neither
# setting follows BENCH_REPS or BENCH_SECONDS, whose short defaults measure that transient.
REPS="${BENCH_OBS_REPS:-12}"
SECS="${BENCH_OBS_SECONDS:-30}"
CONFIGS="${BENCH_OBS_CONFIGS:-A}"
SCRAPE_S="${BENCH_OBS_SCRAPE_S:-5}"
# Write phase only (no read, no latency phase): the target is write throughput.
RUN_TIMEOUT_S="$((SECS * 2 + 120))"
BASE_EXTRA_ARGS="${TRIBUTARY_EXTRA_ARGS:-}"
CURRENT_PID=""
SCRAPER_PID=""
cleanup() {
  [ -n "$SCRAPER_PID" ] && kill "$SCRAPER_PID" 2>/dev/null; SCRAPER_PID=""
  [ -n "$CURRENT_PID" ] && stop_server "$CURRENT_PID"; CURRENT_PID=""
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

config_args() { # as bench/run.sh's
  case "$1" in
    A) echo --shards 4 --record-bytes 100 --batch 500 --concurrency 4 ;;
    B) echo --shards 4 --record-bytes 1000 --batch 100 --concurrency 4 ;;
    C) echo --shards 1 --record-bytes 100 --batch 1 --concurrency 8 ;;
    *) return 1 ;;
  esac
}

variant_args() {
  case "$1" in
    off) echo --log-level info --metrics off --access-log=false ;;
    on) echo --log-level info --metrics on --access-log=true ;;
    *) return 1 ;;
  esac
}

# scrape PORT FILE — GET /metrics every SCRAPE_S seconds until killed; the last page kept in FILE.
scrape() {
  while sleep "$SCRAPE_S"; do curl -s -o "$2" "http://127.0.0.1:$1/metrics" || true; done
}

run_once() { # VARIANT CONFIG ROUND
  local variant="$1" cfg="$2" round="$3"
  local base="$OUT/$variant-$cfg-r$round" data="$DATA_ROOT/observability-$variant-$cfg-r$round" port pid
  wait_quiet
  port="$(free_port)" || { log "no free port"; return 1; }
  TRIBUTARY_EXTRA_ARGS="$BASE_EXTRA_ARGS $(variant_args "$variant")" start_endpoint tributary "$port" "$data" "$base.server.log" >"$base.probe.json" 2>"$base.start.log"
  pid="$(json_field "$base.probe.json" 'j.ok && j.pid')"
  if [ -z "$pid" ] || [ "$pid" = false ]; then
    log "tributary ($variant) failed to start (see $base.probe.json, $base.start.log, $base.server.log)"
    printf '{"tool":"kbench","label":"%s/%s","ok":false,"exitCode":1,"error":"server did not start"}\n' "$variant" "$cfg" >"$base.json"
    return 0
  fi
  CURRENT_PID="$pid"
  if [ "$variant" = on ]; then scrape "$port" "$base.metrics.txt" & SCRAPER_PID=$!; fi
  # shellcheck disable=SC2046
  timeout "$RUN_TIMEOUT_S" node "$KBENCH" --endpoint "http://127.0.0.1:$port" --client raw --label "tributary-$variant/$cfg" \
    --server-pid "$pid" $(config_args "$cfg") --seconds "$SECS" --phases write >"$base.json" 2>"$base.log"
  local rc=$?
  [ -n "$SCRAPER_PID" ] && { kill "$SCRAPER_PID" 2>/dev/null; wait "$SCRAPER_PID" 2>/dev/null; SCRAPER_PID=""; }
  [ "$variant" = on ] && curl -s -o "$base.metrics.txt" "http://127.0.0.1:$port/metrics"
  [ -s "$base.json" ] || printf '{"tool":"kbench","label":"%s/%s","ok":false,"exitCode":%d,"error":"kbench printed no result"}\n' "$variant" "$cfg" "$rc" >"$base.json"
  stop_server "$pid"; CURRENT_PID=""
  grep -c '"access"' "$base.server.log" >"$base.access-lines" 2>/dev/null
  [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$data"
  log "   $variant/$cfg round $round: rc=$rc write $(json_field "$base.json" 'j.write?.recordsPerSec') rec/s, $(cat "$base.access-lines") access lines"
}

main() {
  for c in $CONFIGS; do config_args "$c" >/dev/null || { log "unknown config $c (A, B or C)"; exit 1; }; done
  mkdir -p "$OUT" "$DATA_ROOT"
  ensure_bench_deps || exit 1
  ensure_build || exit 1
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  log "observability: results in $OUT ($REPS rounds x configs [$CONFIGS] x {off, on}, ${SECS}s writes)"
  local round cfg
  for round in $(seq 1 "$REPS"); do
    for cfg in $CONFIGS; do
      # Alternate which goes first, so neither always meets a cooler (or warmer) machine.
      if [ $((round % 2)) = 1 ]; then run_once off "$cfg" "$round"; run_once on "$cfg" "$round"
      else run_once on "$cfg" "$round"; run_once off "$cfg" "$round"; fi
    done
  done
  node "$BENCH/observability/report.mjs" "$OUT" | tee "$OUT/report.md"
  log "report: $OUT/report.md"
}

main
