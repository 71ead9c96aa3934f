#!/bin/sh
# bench/run.sh — `npm run bench`: Tributary side by side with its peers, through kbench.
#
# For each repetition, config and endpoint — endpoints alternating, their order rotated every run so
# none always goes first — it starts a FRESH server, times its start-to-ready (kbench --probe-ready
# polls ListStreams), runs kbench (--client raw) with --server-pid so the server's RSS and CPU are
# sampled, stops the server and deletes its data. Then bench/report.mjs prints medians and ratios.
#
# Endpoints (BENCH_ENDPOINTS, default all five):
#   read-ceiling        bench/ack-endpoint.mjs --store: keeps records as rendered JSON in memory — its
#                       read phase is the most one kbench client can read (write + read phases only)
#   ack-only            bench/ack-endpoint.mjs: answers without storing — the ceiling of one kbench
#                       client on this machine (write + single-PutRecord latency phases only)
#   tributary           bin/tributary server $TRIBUTARY_STORAGE_ARGS (default
#                       "--storage embedded --fsync always"), fresh --data-dir under BENCH_DATA_ROOT
#   kinesalite-mem      kinesalite, in memory
#   kinesalite-leveldb  kinesalite on LevelDB (no fsync)
#   kinesis-local-mem   kinesis-mock (npm kinesis-local), in memory
# Configs (BENCH_CONFIGS, default "A B C"):
#   A  4 shards, 100 B records,  PutRecords x500, 4 writers
#   B  4 shards, 1000 B records, PutRecords x100, 4 writers
#   C  1 shard,  100 B records,  PutRecord,       8 writers
# Environment:
#   BENCH_REPS (3)  BENCH_SECONDS (20, write phase per run)  BENCH_LATENCY_COUNT (2000)
#   BENCH_DATA_ROOT (.tmp/bench in the checkout: the data disk, not a tmpfs)
#   BENCH_OUT (bench/results/<UTC timestamp>)   BENCH_KEEP_DATA=1 keeps each run's data dir
#   BENCH_QUIET_MAX_PCT  wait (up to 120 s) before each run until the host is below this % busy
#   BENCH_MAX_OTHERS_PCT repeat (up to twice) a run in which other processes used more than this %
#                        of a core during the write phase; earlier attempts kept as *.noisyN.json.txt
#   BENCH_PROBE_TIMEOUT_S (60) how long ack-only / tributary may take to answer ListStreams
#   TRIBUTARY_STORAGE_ARGS, TRIBUTARY_EXTRA_ARGS  extra flags for `tributary server`
#   KBENCH_DIR  where kbench.mjs and start-anchor.sh live (default: shared/bench beside the checkout)
#
# Sections (BENCH_SECTIONS, default "kinesis s3 lambda firehose analytics observability cluster"): kinesis is everything above; s3 is bench/s3/run.sh
# (issue 15: Tributary's S3 service beside s3rver, and the disk's fsynced write bandwidth; its results in
# $OUT/s3, its settings in BENCH_S3_* — see that script). BENCH_SECTIONS=s3 npm run bench runs it alone.
# lambda is bench/lambda/run.sh (issue 16: warm Invoke and cold starts against an in-process call and a
# node:http echo floor, and the stream triggers' parts; results in $OUT/lambda, settings in BENCH_LAMBDA_*).
# firehose is bench/firehose/run.sh (issue 17: PutRecordBatch of 1 KiB records into a DirectPut → S3 GZIP
# delivery stream — acknowledged and delivered MB/s, RSS, CPU per record; results in $OUT/firehose,
# settings in BENCH_FIREHOSE_*). analytics is bench/analytics/run.sh (issue 18: a filter-and-project application
# and a one-minute tumbling aggregate over 4 shards — rows/s, CPU per row, window-close delay; results in
# $OUT/analytics, settings in BENCH_ANALYTICS_*). observability is bench/observability/run.sh (issue 19: config A
# with metrics and the access log off, then on with /metrics scraped, in one run; results in $OUT/observability).
# cluster is bench/cluster/run.sh (issue 20: config A through 2 nodes on a 3-server NATS cluster against the
# cluster's raw JetStream publish rate, and read catch-up; results in $OUT/cluster).
#
# Smoke run: BENCH_REPS=1 BENCH_SECONDS=3 BENCH_LATENCY_COUNT=200 npm run bench
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib/common.sh"

REPS="${BENCH_REPS:-3}"
SECS="${BENCH_SECONDS:-20}"
LATENCY_COUNT="${BENCH_LATENCY_COUNT:-2000}"
CONFIGS="${BENCH_CONFIGS:-A B C}"
ENDPOINTS="${BENCH_ENDPOINTS:-ack-only read-ceiling tributary kinesalite-mem kinesalite-leveldb kinesis-local-mem}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
OUT="${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}"
# A kbench run is its write phase plus read (≤ 300 s), 30 s retry grace and the latency phase.
RUN_TIMEOUT_S="${BENCH_RUN_TIMEOUT_S:-$((SECS * 2 + 420))}"

config_args() {
  case "$1" in
    A) echo --shards 4 --record-bytes 100 --batch 500 --concurrency 4 ;;
    B) echo --shards 4 --record-bytes 1000 --batch 100 --concurrency 4 ;;
    C) echo --shards 1 --record-bytes 100 --batch 1 --concurrency 8 ;;
    *) return 1 ;;
  esac
}

declare -A START_FAILURES=() # endpoint -> consecutive failed starts; after two its runs are skipped
stop_current_server_on_exit

# run_once ENDPOINT CONFIG REP — one fresh server, one kbench run; result in $OUT/<ep>-<cfg>-r<rep>.json
run_once() {
  local ep="$1" cfg="$2" rep="$3"
  local base="$OUT/$ep-$cfg-r$rep" data="$DATA_ROOT/$ep-$cfg-r$rep" port pid phases=()
  if [ "${START_FAILURES[$ep]:-0}" -ge 2 ]; then
    printf '{"tool":"kbench","label":"%s/%s","ok":false,"exitCode":1,"error":"skipped: the server failed to start twice"}\n' "$ep" "$cfg" >"$base.json"
    return 0
  fi
  wait_quiet
  port="$(free_port)" || { log "no free port"; return 1; }
  start_endpoint "$ep" "$port" "$data" "$base.server.log" >"$base.probe.json" 2>"$base.start.log"
  pid="$(json_field "$base.probe.json" 'j.ok && j.pid')"
  if [ -z "$pid" ] || [ "$pid" = false ]; then
    log "$ep failed to start (see $base.probe.json, $base.start.log, $base.server.log)"
    local stray; stray="$(json_field "$base.probe.json" 'j.pid')"
    [ -n "$stray" ] && stop_server "$stray"
    printf '{"tool":"kbench","label":"%s/%s","ok":false,"exitCode":1,"error":"server did not start"}\n' "$ep" "$cfg" >"$base.json"
    START_FAILURES[$ep]=$((${START_FAILURES[$ep]:-0} + 1))
    return 0
  fi
  START_FAILURES[$ep]=0
  CURRENT_PID="$pid"
  log "$ep config $cfg run $rep: ready in $(json_field "$base.probe.json" j.readyMs) ms (pid $pid, port $port)"
  [ "$ep" = ack-only ] && phases=(--phases write,latency)
  [ "$ep" = read-ceiling ] && phases=(--phases write,read,verify)
  # shellcheck disable=SC2046
  # --keep-stream: the server and its data are thrown away after the run anyway, and keeping the stream
  # lets the data dir's size be measured (bytes on disk per payload byte).
  timeout "$RUN_TIMEOUT_S" node "$KBENCH" --endpoint "http://127.0.0.1:$port" --client raw --label "$ep/$cfg" --keep-stream \
    --server-pid "$pid" $(config_args "$cfg") --seconds "$SECS" --latency-count "$LATENCY_COUNT" "${phases[@]}" \
    >"$base.json" 2>"$base.log"
  local rc=$?
  [ -s "$base.json" ] || printf '{"tool":"kbench","label":"%s/%s","ok":false,"exitCode":%d,"error":"kbench printed no result"}\n' "$ep" "$cfg" "$rc" >"$base.json"
  stop_server "$pid"; CURRENT_PID=""
  [ -d "$data" ] && du -sb "$data" | awk '{ print $1 }' >"$base.disk-bytes"
  [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$data"
  log "   rc=$rc $(json_field "$base.json" '`write ${j.write?.recordsPerSec} rec/s, read ${j.read?.recordsPerSec ?? "-"} rec/s, PutRecord p50 ${j.latency?.latencyMs?.p50} ms, verify ${j.verify ? (j.verify.ok ? "OK" : "FAIL") : "-"}`')"
}

run_one() { # repeats a run disturbed by other processes when BENCH_MAX_OTHERS_PCT is set
  local base="$OUT/$1-$2-r$3" k=0 others
  while :; do
    run_once "$@"
    [ -z "${BENCH_MAX_OTHERS_PCT:-}" ] && return 0
    others="$(json_field "$base.json" 'Math.round(j.write?.client?.othersPct ?? 0)')"
    [ "${others:-0}" -le "$BENCH_MAX_OTHERS_PCT" ] && return 0
    k=$((k + 1)); mv "$base.json" "$base.noisy$k.json.txt"
    [ "$k" -gt 2 ] && { mv "$base.noisy$k.json.txt" "$base.json"; log "   still noisy (${others}%); keeping it"; return 0; }
    log "   other processes used ${others}% of a core; repeating"
  done
}

preflight_tributary() {
  local help flag
  help="$(node "$ROOT/bin/tributary.js" server --help 2>&1)"
  for flag in $TRIBUTARY_STORAGE_ARGS; do
    case "$flag" in --*) printf '%s' "$help" | grep -q -- "$flag" || log "WARNING: 'tributary server --help' does not list $flag; its runs will fail to start" ;; esac
  done
}

kinesis_section() {
  for c in $CONFIGS; do config_args "$c" >/dev/null || { log "unknown config $c (A, B or C)"; exit 1; }; done
  mkdir -p "$OUT" "$DATA_ROOT"
  ensure_bench_deps || exit 1
  case " $ENDPOINTS " in *" tributary "*) ensure_build || exit 1; preflight_tributary ;; esac
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  node -e 'const [reps, secs, lat, configs, endpoints, storage, kbench] = process.argv.slice(1);
    console.log(JSON.stringify({ reps: +reps, seconds: +secs, latencyCount: +lat, configs: configs.split(" ").filter(Boolean),
      endpoints: endpoints.split(" ").filter(Boolean), client: "raw", tributaryStorageArgs: storage, kbench }))' \
    "$REPS" "$SECS" "$LATENCY_COUNT" "$CONFIGS" "$ENDPOINTS" "$TRIBUTARY_STORAGE_ARGS" "$KBENCH" >"$OUT/settings.json"
  log "results in $OUT ($REPS reps x configs [$CONFIGS] x endpoints [$ENDPOINTS], ${SECS}s writes)"

  local eps=($ENDPOINTS) n rep cfg i k offset=0
  n=${#eps[@]}
  for rep in $(seq 1 "$REPS"); do
    for cfg in $CONFIGS; do
      for ((i = 0; i < n; i++)); do
        k=$(((i + offset) % n))
        run_one "${eps[$k]}" "$cfg" "$rep"
      done
      offset=$((offset + 1))
    done
  done
  node "$BENCH/report.mjs" "$OUT" | tee "$OUT/report.md"
  log "report: $OUT/report.md"
}

main() {
  local sections=" ${BENCH_SECTIONS:-kinesis s3 lambda firehose analytics observability cluster} "
  case "$sections" in *" kinesis "*) kinesis_section ;; esac
  case "$sections" in *" s3 "*) mkdir -p "$OUT"; bash "$BENCH/s3/run.sh" "$OUT/s3" ;; esac
  case "$sections" in *" lambda "*) mkdir -p "$OUT"; bash "$BENCH/lambda/run.sh" "$OUT/lambda" ;; esac
  case "$sections" in *" firehose "*) mkdir -p "$OUT"; bash "$BENCH/firehose/run.sh" "$OUT/firehose" ;; esac
  case "$sections" in *" analytics "*) mkdir -p "$OUT"; bash "$BENCH/analytics/run.sh" "$OUT/analytics" ;; esac
  case "$sections" in *" observability "*) mkdir -p "$OUT"; bash "$BENCH/observability/run.sh" "$OUT/observability" ;; esac
  case "$sections" in *" cluster "*) mkdir -p "$OUT"; bash "$BENCH/cluster/run.sh" "$OUT/cluster" ;; esac
}

main
