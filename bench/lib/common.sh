# bench/lib/common.sh — shared by bench/run.sh and bench/volume.sh (bash; sourced, not run).
#
# Provides: paths (ROOT, BENCH, KBENCH_DIR, KBENCH, NM), ensure_bench_deps, ensure_build, free_port,
# machine_info_json, start_endpoint, stop_server, json_field, host_busy_pct, wait_quiet,
# CURRENT_PID with stop_current_server_on_exit, start_built_tributary, wait_health.

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
NM="$BENCH/node_modules"

# kbench and the anchor scripts live in the workplace's shared/bench, beside the checkout; they are
# used from there, never copied into the project.
if [ -z "${KBENCH_DIR:-}" ]; then
  for d in "$ROOT/../shared/bench" /work/shared/bench; do
    [ -f "$d/kbench.mjs" ] && { KBENCH_DIR="$(cd "$d" && pwd)"; break; }
  done
fi
: "${KBENCH_DIR:?cannot find kbench.mjs; set KBENCH_DIR to the directory holding kbench.mjs and start-anchor.sh}"
KBENCH="$KBENCH_DIR/kbench.mjs"
export KBENCH_SDK_DIR="$NM"
# The AWS SDK warns once per process (process.emitWarning) that Node 20 support ends in 2027; it is
# noise in every log.
export NODE_NO_WARNINGS=1

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Before each endpoint, with BENCH_QUIET_MAX_PCT set: wait (at most 120 s) until the host is below
# that % of one core busy, so a run does not start on a machine other work is loading.
host_busy_pct() { # % of one core busy over 2 s, from /proc/stat
  local a b
  a="$(head -1 /proc/stat)"; sleep 2; b="$(head -1 /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = 0; for (i = 2; i <= 9; i++) t += y[i] - x[i];
    printf "%d", (t - (y[5] - x[5]) - (y[6] - x[6])) / 2 }'
}

wait_quiet() {
  [ -z "${BENCH_QUIET_MAX_PCT:-}" ] && return 0
  local deadline=$((SECONDS + 120)) busy
  while :; do
    busy="$(host_busy_pct)"
    [ "$busy" -le "$BENCH_QUIET_MAX_PCT" ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && { log "host still ${busy}% busy after 120 s; running anyway"; return 0; }
    log "host ${busy}% busy; waiting"; sleep 3
  done
}

# Installs bench/package.json's peers (kinesalite, kinesis-local, the AWS SDK) when missing or when the
# lock file changed since the last install.
ensure_bench_deps() {
  local stamp="$NM/.package-lock.json"
  if [ -f "$stamp" ] && [ ! "$BENCH/package-lock.json" -nt "$stamp" ]; then return 0; fi
  log "installing bench dependencies (npm ci in bench/)"
  (cd "$BENCH" && npm ci --no-audit --no-fund --loglevel=error) >&2
}

# Rebuilds dist/ (npm run build at the root) when any source file is newer than the newest build output.
ensure_build() {
  local newest_src newest_dist
  newest_src="$(find "$ROOT/src" "$ROOT/tsconfig.json" "$ROOT/tsconfig.build.json" "$ROOT/package.json" \
    -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1)"
  newest_dist="$(find "$ROOT/dist" -type f -name '*.js' -printf '%T@\n' 2>/dev/null | sort -n | tail -1)"
  if [ -n "$newest_dist" ] && awk -v s="${newest_src:-0}" -v d="$newest_dist" 'BEGIN { exit !(s <= d) }'; then
    return 0
  fi
  [ -d "$ROOT/node_modules" ] || { log "installing root dependencies (npm ci)"; (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) >&2; }
  log "dist/ is stale; npm run build"
  (cd "$ROOT" && npm run build --silent) >&2
}

# A free TCP port on 127.0.0.1 such that port+1 is free too (kinesis-local also opens TLS on port+1).
free_port() {
  node -e '
    const net = require("node:net");
    const tryListen = (port) => new Promise((ok) => { const s = net.createServer().once("error", () => ok(-1))
      .listen(port, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
    (async () => { for (let i = 0; i < 50; i++) { const p = await tryListen(0); if (p > 0 && p < 65535 && await tryListen(p + 1) > 0) { console.log(p); return; } } process.exit(1); })();'
}

# json_field FILE EXPR — evaluates EXPR (JS, `j` is the last JSON line of FILE) and prints it.
json_field() {
  node -e 'const fs = require("fs"); const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.trim());
    let j = {}; try { j = JSON.parse(lines[lines.length - 1]); } catch {} const v = (0, eval)("(j) => " + process.argv[2])(j);
    if (v !== undefined && v !== null) console.log(v);' "$1" "$2"
}

# Machine details for a report header, as one JSON object.
machine_info_json() {
  local data_dir="$1" dev rot="" model=""
  mkdir -p "$data_dir"
  dev="$(df -P "$data_dir" | awk 'NR == 2 { print $1 }')"
  local base; base="$(basename "$dev")"; base="${base%%[0-9]*}"
  [ -r "/sys/block/$base/queue/rotational" ] && rot="$(cat "/sys/block/$base/queue/rotational")"
  [ -r "/sys/block/$base/device/model" ] && model="$(tr -s ' ' < "/sys/block/$base/device/model")"
  node -e '
    const os = require("os"); const [dataDir, dev, fsType, rot, model, sizeG, availG, commit] = process.argv.slice(1);
    console.log(JSON.stringify({
      date: new Date().toISOString(), hostname: os.hostname(), nproc: os.cpus().length, cpuModel: os.cpus()[0]?.model,
      kernel: os.release(), memGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10, node: process.version,
      disk: { dataDir, device: dev, fsType, rotational: rot === "" ? null : rot === "1", model: model || null, sizeGB: Number(sizeG), availGB: Number(availG) },
      gitCommit: commit || null,
    }));' "$data_dir" "$dev" "$(df -PT "$data_dir" | awk 'NR == 2 { print $2 }')" "$rot" "$model" \
    "$(df -P -BG "$data_dir" | awk 'NR == 2 { sub("G", "", $2); print $2 }')" \
    "$(df -P -BG "$data_dir" | awk 'NR == 2 { sub("G", "", $4); print $4 }')" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
}

# Tributary's flags for benchmarks: state-transition delays off (as for the anchors), a generous shard
# quota, warnings only. TRIBUTARY_STORAGE_ARGS selects the engine (default: embedded, fsync always).
TRIBUTARY_STORAGE_ARGS="${TRIBUTARY_STORAGE_ARGS:---storage embedded --fsync always}"
tributary_cmd() { # port data_dir
  # shellcheck disable=SC2086
  echo "$ROOT/bin/tributary" server --host 127.0.0.1 --port "$1" --data-dir "$2" $TRIBUTARY_STORAGE_ARGS \
    --create-stream-ms 0 --delete-stream-ms 0 --update-stream-ms 0 --shard-limit 1000 --limits off --log-level warn \
    ${TRIBUTARY_EXTRA_ARGS:-}
}

# start_endpoint NAME PORT DATA_DIR LOG — starts a fresh server (KEEP_DATA=1: on the data already in
# DATA_DIR, for restarts), waits until ListStreams answers, and prints kbench's probe JSON
# ({"ok":true,"readyMs":...,"pid":...}) as the last stdout line.
start_endpoint() {
  local name="$1" port="$2" data_dir="$3" logf="$4"
  local url="http://127.0.0.1:$port" timeout_s="${BENCH_PROBE_TIMEOUT_S:-60}"
  case "$name" in
    ack-only)
      node "$KBENCH" --endpoint "$url" --probe-ready --probe-timeout-s "$timeout_s" --spawn-log "$logf" -- node "$BENCH/ack-endpoint.mjs" --port "$port" ;;
    read-ceiling)
      node "$KBENCH" --endpoint "$url" --probe-ready --probe-timeout-s "$timeout_s" --spawn-log "$logf" -- node "$BENCH/ack-endpoint.mjs" --port "$port" --store ;;
    tributary)
      [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$data_dir"; mkdir -p "$data_dir"
      # shellcheck disable=SC2046
      node "$KBENCH" --endpoint "$url" --probe-ready --probe-timeout-s "$timeout_s" --spawn-log "$logf" -- $(tributary_cmd "$port" "$data_dir") ;;
    kinesalite-mem|kinesalite-leveldb|kinesis-local-mem|kinesis-local-persist)
      [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$data_dir"
      NM="$NM" PORT="$port" DATA_DIR="$data_dir" LOG="$logf" "$KBENCH_DIR/start-anchor.sh" "$name" ;;
    *) log "unknown endpoint $name"; return 1 ;;
  esac
}

# stop_server PID [SIGNAL] — signals the server's process group (kbench spawns it detached, so the
# group is the server and its children only), waits up to 15 s, then SIGKILLs it.
stop_server() {
  local pid="$1" sig="${2:-TERM}" i
  kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# CURRENT_PID is the server a script runs now ("" between servers): stop_current_server_on_exit
# stops it when the script ends or is interrupted, so no server outlives its bench.
CURRENT_PID=""
stop_current_server() { [ -n "$CURRENT_PID" ] && stop_server "$CURRENT_PID"; CURRENT_PID=""; }
stop_current_server_on_exit() {
  trap 'stop_current_server; exit 130' INT TERM
  trap stop_current_server EXIT
}

# start_built_tributary PORT DATA_DIR LOG PROFILE_DIR [FLAGS…] — the built server (`--storage embedded`,
# default fsync) on a fresh DATA_DIR, in a process group of its own; prints its pid. With PROFILE_DIR
# not empty it runs with --cpu-prof into that directory (node refuses --cpu-prof in NODE_OPTIONS: a
# profiled server runs bin/tributary.js under node directly).
start_built_tributary() {
  local port="$1" data="$2" logf="$3" profile_dir="$4"; shift 4
  rm -rf "$data"; mkdir -p "$data"
  local command=("$ROOT/bin/tributary")
  [ -n "$profile_dir" ] && command=(node --cpu-prof --cpu-prof-dir="$profile_dir" "$ROOT/bin/tributary.js")
  # shellcheck disable=SC2086
  setsid "${command[@]}" server --host 127.0.0.1 --port "$port" --data-dir "$data" \
    --storage embedded --log-level warn "$@" ${TRIBUTARY_EXTRA_ARGS:-} >"$logf" 2>&1 &
  echo $!
}

# wait_health PORT — until the server on PORT answers /health (at most 60 s).
wait_health() {
  local i
  for i in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
