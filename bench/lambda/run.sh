#!/bin/bash
# bench/lambda/run.sh — the Lambda section of `npm run bench` (issue 16). Each part runs against a
# FRESH server: the built bundle (npm run build), `tributary server --storage embedded` with the
# default fsync (always) and `--auth none`, a fresh --data-dir under BENCH_DATA_ROOT; the part's
# script gets --endpoint (and --server-pid), prints one JSON line into OUT/<part>.json; the server is
# stopped and its data removed after it.
#
# Parts (BENCH_LAMBDA_PARTS, default "invoke triggers"):
#   invoke   bench/lambda/invoke-bench.mjs: warm Invoke p50/p99 of a trivial Node handler over raw
#            keep-alive HTTP and @aws-sdk/client-lambda, against the same handler called in-process and
#            a node:http echo round trip (the transport floor); cold starts (UpdateFunctionConfiguration,
#            then the first Invoke), p50 over BENCH_LAMBDA_COLD_TRIES (25). Targets: warm p50 ≤ 1 ms,
#            cold start ≤ 150 ms.
#   triggers bench/lambda/trigger-bench.mjs (server with --limits off: the puts pass a shard's
#            1,000 records/s): a Kinesis event source mapping feeding a trivial Node handler over the
#            APIs; throughput on 4 shards with BatchSize 1,000 over a backlog of
#            BENCH_LAMBDA_TRIGGER_RECORDS (200000) and with a live producer; end-to-end delay p50/p99
#            at 1,000 records/s with batching window 0 for BENCH_LAMBDA_TRIGGER_DELAY_SECONDS (10).
#            Targets: ≥ 50,000 records/s, delay p99 ≤ 50 ms.
#
#   bench/lambda/run.sh [OUT]      (bench/run.sh runs it with OUT=$BENCH_OUT/lambda)
# Environment:
#   BENCH_LAMBDA_PARTS ("invoke triggers")   BENCH_LAMBDA_INVOKE_COUNT (5000)   BENCH_LAMBDA_COLD_TRIES (25)
#   BENCH_LAMBDA_TRIGGER_RECORDS (200000)   BENCH_LAMBDA_TRIGGER_DELAY_SECONDS (10)
#   BENCH_DATA_ROOT (.tmp/bench in the checkout)   BENCH_QUIET_MAX_PCT (see bench/run.sh)
#   TRIBUTARY_EXTRA_ARGS  extra flags for `tributary server`
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib/common.sh"

OUT="${1:-${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}/lambda}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
PARTS="${BENCH_LAMBDA_PARTS:-invoke triggers}"
stop_current_server_on_exit

# part_command PART ENDPOINT PID — the command line of a part's bench script.
part_command() {
  local part="$1" endpoint="$2" pid="$3"
  case "$part" in
    invoke) echo node "$BENCH/lambda/invoke-bench.mjs" --endpoint "$endpoint" --server-pid "$pid" \
      --count "${BENCH_LAMBDA_INVOKE_COUNT:-5000}" --cold-tries "${BENCH_LAMBDA_COLD_TRIES:-25}" ;;
    triggers) echo node "$BENCH/lambda/trigger-bench.mjs" --endpoint "$endpoint" \
      --records "${BENCH_LAMBDA_TRIGGER_RECORDS:-200000}" --delay-seconds "${BENCH_LAMBDA_TRIGGER_DELAY_SECONDS:-10}" ;;
    *) return 1 ;;
  esac
}

# part_server_args PART — flags a part needs on `tributary server`.
part_server_args() {
  case "$1" in
    triggers) echo --limits off ;;
  esac
}

main() {
  mkdir -p "$OUT" "$DATA_ROOT"
  ensure_build || exit 1
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  local part port pid data command
  for part in $PARTS; do
    wait_quiet
    port="$(free_port)" || { log "no free port"; return 1; }
    data="$DATA_ROOT/lambda-$part"
    # shellcheck disable=SC2046
    pid="$(start_built_tributary "$port" "$data" "$OUT/$part.server.log" "" $(part_server_args "$part"))"
    CURRENT_PID="$pid"
    if ! wait_health "$port"; then
      log "Lambda: the server did not start (see $OUT/$part.server.log)"; stop_server "$pid"; CURRENT_PID=""; continue
    fi
    command="$(part_command "$part" "http://127.0.0.1:$port" "$pid")" || { log "unknown Lambda part $part"; stop_server "$pid"; CURRENT_PID=""; continue; }
    log "Lambda: $part (pid $pid, port $port)"
    # shellcheck disable=SC2086
    $command >"$OUT/$part.json" 2>"$OUT/$part.log"
    log "   rc=$? $(tail -c 600 "$OUT/$part.json")"
    stop_server "$pid"; CURRENT_PID=""
    [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$data"
  done
}

main
