#!/bin/bash
# bench/s3/run.sh — the S3 section of `npm run bench` (issue 15): Tributary's S3 service side by side
# with s3rver in one run, the same client code (bench/s3/s3-bench.mjs) against both, in two client modes:
#   sdk        @aws-sdk/client-s3 for every phase (what applications see; ~0.7 ms of client CPU per request,
#              so one client process tops out near 1,500 small objects/s on two cores)
#   raw        --client raw: the small-object PUT/GET and list phases as hand-built unsigned HTTP/1.1 on
#              keep-alive sockets (bench/s3/raw-http.mjs, ~0.03 ms of client CPU per request): the
#              small-object rates the servers can do, which is what the issue's 5× target compares
#
#   tributary  the built bundle (npm run build), `tributary server --storage embedded` with the default
#              fsync (always), a fresh --data-dir under BENCH_DATA_ROOT
#   s3rver     the root devDependency (bench/s3/s3rver-server.mjs), a fresh directory under BENCH_DATA_ROOT
#   ack-only   bench/s3/ack-endpoint.mjs, which stores nothing: the small-object ceiling of one client
#              process of each mode on this machine (small phases only; sdk mode 20,000 keys)
# First the disk's fsynced sequential write bandwidth in the same directory (bench/s3/disk-write.mjs, 20 files
# of 64 MiB: the volume the large-PUT phase writes, past any burst a virtual disk's host cache absorbs),
# the limit a durable large upload is measured against. Then, per endpoint (order BENCH_S3_ENDPOINTS),
# and client mode (order BENCH_S3_CLIENTS), one fresh server, s3-bench with --server-pid, the server stopped
# and its data removed. Results: OUT/ENDPOINT.json (sdk mode), OUT/ENDPOINT.raw.json (raw mode).
# bench/s3/report.mjs prints medians, ratios Tributary/s3rver and the issue's targets.
#
#   bench/s3/run.sh [OUT]      (bench/run.sh runs it with OUT=$BENCH_OUT/s3)
# Environment:
#   BENCH_S3_ENDPOINTS ("tributary s3rver ack-only")   BENCH_S3_CLIENTS ("sdk raw")   BENCH_DATA_ROOT (.tmp/bench in the checkout: the data disk)
#   BENCH_S3_ARGS      extra s3-bench flags for both modes, e.g. "--rounds 3 --list-keys 30000" for a smoke run
#   BENCH_S3_RAW_ARGS  extra s3-bench flags for raw mode ("--get-per-round 20000": rounds of ≥ 1 s at its rates)
#   BENCH_QUIET_MAX_PCT  before each endpoint, wait (≤ 120 s) until the host is below this % of one core busy
#   BENCH_S3_PROFILE=1 runs the Tributary server with --cpu-prof (profiles in OUT/profile)
#   TRIBUTARY_EXTRA_ARGS  extra flags for `tributary server`
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib/common.sh"

OUT="${1:-${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}/s3}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
ENDPOINTS="${BENCH_S3_ENDPOINTS:-tributary s3rver ack-only}"
CLIENTS="${BENCH_S3_CLIENTS:-sdk raw}"
S3_ARGS="${BENCH_S3_ARGS:-}"
RAW_ARGS="${BENCH_S3_RAW_ARGS:---get-per-round 20000}"
stop_current_server_on_exit

start_s3_endpoint() { # NAME PORT DATA_DIR LOG — starts it in a process group of its own, prints its pid
  local name="$1" port="$2" data="$3" logf="$4"
  rm -rf "$data"; mkdir -p "$data"
  case "$name" in
    tributary)
      start_built_tributary "$port" "$data" "$logf" "$([ "${BENCH_S3_PROFILE:-}" = 1 ] && echo "$OUT/profile")" --limits off
      return ;;
    s3rver)
      setsid node --openssl-legacy-provider "$BENCH/s3/s3rver-server.mjs" "$port" "$data" >"$logf" 2>&1 & ;;
    ack-only)
      setsid node "$BENCH/s3/ack-endpoint.mjs" "$port" >"$logf" 2>&1 & ;;
    *) log "unknown S3 endpoint $name"; return 1 ;;
  esac
  echo $!
}

main() {
  mkdir -p "$OUT" "$DATA_ROOT"
  case " $ENDPOINTS " in *" tributary "*) ensure_build || exit 1 ;; esac
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  log "S3: disk's fsynced sequential write bandwidth in $DATA_ROOT"
  # As many bytes as the large-PUT phase writes (5 rounds of 4 x 64 MiB): a virtual disk may take
  # the first few hundred MiB into its host's cache at several times the rate it sustains (this VM:
  # 1.1-1.5 GB/s for 1-6 files, then ~330 MB/s), and 8 files' median was then the cache's rate.
  node "$BENCH/s3/disk-write.mjs" "$DATA_ROOT" 20 64 >"$OUT/disk.json"
  local ep client name port pid data extra
  for ep in $ENDPOINTS; do
    for client in $CLIENTS; do
      wait_quiet
      name="$ep"; [ "$client" = sdk ] || name="$ep.$client"
      port="$(free_port)" || { log "no free port"; return 1; }
      data="$DATA_ROOT/s3-$ep"
      pid="$(start_s3_endpoint "$ep" "$port" "$data" "$OUT/$name.server.log")" || continue
      CURRENT_PID="$pid"
      log "S3: $ep, $client client (pid $pid, port $port)"
      case "$client" in
        sdk) extra=""; [ "$ep" = ack-only ] && extra="--phases small-put,small-get --list-keys 20000" ;;
        raw) extra="--client raw $RAW_ARGS --phases small-put,small-get,list,large-put,large-get"
             [ "$ep" = ack-only ] && extra="--client raw $RAW_ARGS --phases small-put,small-get" ;;
        *) log "unknown client mode $client (sdk or raw)"; stop_server "$pid"; CURRENT_PID=""; continue ;;
      esac
      # shellcheck disable=SC2086
      node "$BENCH/s3/s3-bench.mjs" --endpoint "http://127.0.0.1:$port" --label "$name" --server-pid "$pid" --wait-ready-s 60 \
        $S3_ARGS $extra >"$OUT/$name.json" 2>"$OUT/$name.log"
      log "   rc=$? $(tail -1 "$OUT/$name.log")"
      stop_server "$pid"; CURRENT_PID=""
      du -sb "$data" 2>/dev/null | awk '{ print $1 }' >"$OUT/$name.disk-bytes"
      [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$data"
    done
  done
  node "$BENCH/s3/report.mjs" "$OUT" | tee "$OUT/report.md"
  log "S3 report: $OUT/report.md"
}

main
