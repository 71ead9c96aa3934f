#!/bin/bash
# bench/firehose/run.sh — the Firehose section of `npm run bench` (issue 17): PutRecordBatch of 1 KiB
# records (500 per batch) from concurrent raw HTTP clients into a DirectPut → ExtendedS3 (built-in
# store) GZIP delivery stream, through bench/firehose/ingest-bench.mjs. Each round runs against a
# FRESH server: the built bundle (npm run build), `tributary server --storage embedded` with the
# default fsync (always: an acknowledged batch is on disk), a fresh --data-dir under BENCH_DATA_ROOT;
# the server is stopped and its data removed after it. Results: OUT/<variant>-r<round>.json, and
# OUT/report.md with the medians.
#
# Variants (BENCH_FIREHOSE_VARIANTS, default "large small"):
#   large  BufferingHints SizeInMBs 128 / IntervalInSeconds 60 (RSS while a 128 MB buffer fills)
#   small  BufferingHints SizeInMBs 1 / IntervalInSeconds 0 (an object per source chunk)
# Targets (issue 17): acknowledged ≥ 50 MB/s durable, delivered keeps up with it, RSS ≤ 250 MB.
#
#   bench/firehose/run.sh [OUT]      (bench/run.sh runs it with OUT=$BENCH_OUT/firehose)
# Environment:
#   BENCH_FIREHOSE_VARIANTS ("large small")  BENCH_FIREHOSE_ROUNDS (3)  BENCH_FIREHOSE_SECONDS (30)
#   BENCH_FIREHOSE_CONCURRENCY (4)  BENCH_DATA_ROOT (.tmp/bench in the checkout: the data disk)
#   BENCH_QUIET_MAX_PCT (see bench/run.sh)  BENCH_FIREHOSE_PROFILE=1: the server runs with --cpu-prof
#   (profiles in OUT/profile)  TRIBUTARY_EXTRA_ARGS  extra flags for `tributary server`
#   BENCH_FIREHOSE_ENTRY  a server entry module to run instead of bin/tributary.js (a copy of
#   dist/bundle taken before a change, so before and after alternate on the same machine while
#   dist/ is rebuilt by others), with bin/tributary's memory settings
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib/common.sh"

OUT="${1:-${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}/firehose}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
VARIANTS="${BENCH_FIREHOSE_VARIANTS:-large small}"
ROUNDS="${BENCH_FIREHOSE_ROUNDS:-3}"
SECS="${BENCH_FIREHOSE_SECONDS:-30}"
CONCURRENCY="${BENCH_FIREHOSE_CONCURRENCY:-4}"
CURRENT_PID=""
cleanup() { [ -n "$CURRENT_PID" ] && stop_server "$CURRENT_PID"; CURRENT_PID=""; }
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

variant_args() {
  case "$1" in
    large) echo --size-mb 128 --interval-seconds 60 --drain-seconds 90 ;;
    small) echo --size-mb 1 --interval-seconds 0 --drain-seconds 60 ;;
    *) return 1 ;;
  esac
}

start_tributary() { # PORT DATA_DIR LOG — the built server in a process group of its own; prints its pid
  local port="$1" data="$2" logf="$3"
  rm -rf "$data"; mkdir -p "$data"
  # node refuses --cpu-prof in NODE_OPTIONS: a profiled server runs bin/tributary.js under node directly.
  local entry="${BENCH_FIREHOSE_ENTRY:-$ROOT/bin/tributary.js}"
  local command=(env "MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}" node --max-semi-space-size=8)
  [ "${BENCH_FIREHOSE_PROFILE:-}" = 1 ] && command+=(--cpu-prof --cpu-prof-dir="$OUT/profile")
  command+=("$entry")
  # shellcheck disable=SC2086
  setsid "${command[@]}" server --host 127.0.0.1 --port "$port" --data-dir "$data" \
    --storage embedded --limits off --functions off --log-level warn ${TRIBUTARY_EXTRA_ARGS:-} >"$logf" 2>&1 &
  echo $!
}

wait_ready() { # PORT — until the server answers /health (at most 60 s)
  local i
  for i in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

main() {
  mkdir -p "$OUT" "$DATA_ROOT"
  for v in $VARIANTS; do variant_args "$v" >/dev/null || { log "unknown Firehose variant $v (large or small)"; exit 1; }; done
  [ -n "${BENCH_FIREHOSE_ENTRY:-}" ] || ensure_build || exit 1
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  local round variant port pid data
  for round in $(seq 1 "$ROUNDS"); do
    for variant in $VARIANTS; do
      wait_quiet
      port="$(free_port)" || { log "no free port"; return 1; }
      data="$DATA_ROOT/firehose-$variant"
      pid="$(start_tributary "$port" "$data" "$OUT/$variant-r$round.server.log")"
      CURRENT_PID="$pid"
      if ! wait_ready "$port"; then
        log "Firehose: the server did not start (see $OUT/$variant-r$round.server.log)"; stop_server "$pid"; CURRENT_PID=""; continue
      fi
      log "Firehose: $variant round $round (pid $pid, port $port, load $(cut -d' ' -f1-3 /proc/loadavg))"
      # shellcheck disable=SC2046
      node "$BENCH/firehose/ingest-bench.mjs" --endpoint "http://127.0.0.1:$port" --server-pid "$pid" \
        --seconds "$SECS" --concurrency "$CONCURRENCY" --batch 500 --record-bytes 1024 $(variant_args "$variant") \
        >"$OUT/$variant-r$round.json" 2>"$OUT/$variant-r$round.log"
      log "   rc=$? $(json_field "$OUT/$variant-r$round.json" '`acked ${j.ackedMBps} MB/s (${j.ackedRecordsPerSec} rec/s), delivered ${j.deliveredInWindowMBps} MB/s, RSS max ${j.rssMBMax} MB, ${j.serverCpuMsPerMB} ms CPU/MB, others ${j.othersCores} cores, all delivered ${j.allDelivered}`')"
      stop_server "$pid"; CURRENT_PID=""
      [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$data"
    done
  done
  node "$BENCH/firehose/report.mjs" "$OUT" | tee "$OUT/report.md"
}

main
