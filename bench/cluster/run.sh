#!/bin/bash
# bench/cluster/run.sh — the cluster section of `npm run bench` (issue 20): Tributary on NATS JetStream,
# everything on this machine. Per round:
#   1. a 3-server NATS cluster on loopback (fresh stores under BENCH_DATA_ROOT);
#   2. raw: bench/cluster/raw-publish.mjs — 100 B messages published with acks, asynchronously, into one
#      R3 file stream of that cluster: JetStream's raw message rate, the floor;
#   3. tributary: 2 Tributary nodes (--storage nats --nats-replicas 3) and config A (4 shards, 100 B
#      records, PutRecords x500, 4 writers; kbench --client raw) with its writers split over the two
#      nodes — one kbench per node, 2 writers each, each on a stream of its own — write phase, then
#      the read phase (read catch-up: every shard read from TRIM_HORIZON through the same node);
#   4. contention: bench/cluster/contention.ts — 4 writers on ONE shard through one node, then split over
#      two nodes (what two nodes writing one shard cost: conflicts, records per message);
#   5. everything stopped, the stores removed.
# Target (issue 20): Tributary's records/s ≥ 3× the raw message rate (batching many records per message).
# Results: OUT/raw-r<round>.json, OUT/node<k>-r<round>.json (kbench), OUT/contention-r<round>.json, OUT/report.md.
#
#   bench/cluster/run.sh [OUT]   (bench/run.sh runs it with OUT=$BENCH_OUT/cluster; BENCH_SECTIONS=cluster
#                                 npm run bench runs it alone)
# Environment:
#   BENCH_REPS (3)  BENCH_SECONDS (20, write phase, and the raw publish's length)  BENCH_DATA_ROOT
#   BENCH_QUIET_MAX_PCT  BENCH_CLUSTER_SYNC_ALWAYS=1 (jetstream { sync_interval: always } on every server)
#   TRIBUTARY_NATS_SERVER (the nats-server binary; 2.10 or later)
# Smoke run: BENCH_REPS=1 BENCH_SECONDS=5 bench/cluster/run.sh
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib/common.sh"

OUT="${1:-${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}/cluster}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
REPS="${BENCH_REPS:-3}"
SECS="${BENCH_SECONDS:-20}"
NATS_BIN="${TRIBUTARY_NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
RUN_TIMEOUT_S="$((SECS * 2 + 400))"
NATS_PIDS=()
NODE_PIDS=()

cleanup() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do stop_server "$pid"; done
  for pid in "${NATS_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  NODE_PIDS=(); NATS_PIDS=()
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

# start_nats DIR — three servers n0..n2 routed to each other; sets NATS_URLS once all report healthy.
start_nats() {
  local dir="$1" i j ports=() cports=() mports=()
  for i in 0 1 2; do ports+=("$(free_port)"); cports+=("$(free_port)"); mports+=("$(free_port)"); done
  for i in 0 1 2; do
    mkdir -p "$dir/n$i/store"
    {
      echo "server_name: n$i"
      echo "listen: \"127.0.0.1:${ports[$i]}\""
      echo "http: \"127.0.0.1:${mports[$i]}\""
      echo "jetstream {"
      echo "  store_dir: \"$dir/n$i/store\""
      [ "${BENCH_CLUSTER_SYNC_ALWAYS:-}" = 1 ] && echo "  sync_interval: always"
      echo "}"
      echo "cluster {"
      echo "  name: bench"
      echo "  listen: \"127.0.0.1:${cports[$i]}\""
      echo "  routes: ["
      for j in 0 1 2; do [ "$i" = "$j" ] || echo "    \"nats-route://127.0.0.1:${cports[$j]}\""; done
      echo "  ]"
      echo "}"
    } >"$dir/n$i/nats.conf"
    "$NATS_BIN" -c "$dir/n$i/nats.conf" >"$dir/n$i/server.log" 2>&1 &
    NATS_PIDS+=($!)
  done
  NATS_URLS="nats://127.0.0.1:${ports[0]},nats://127.0.0.1:${ports[1]},nats://127.0.0.1:${ports[2]}"
  # /healthz answers 200 once JetStream is up with a meta leader and its streams current.
  local healthy
  for i in $(seq 1 300); do
    healthy=1
    for j in 0 1 2; do curl -sf -o /dev/null "http://127.0.0.1:${mports[$j]}/healthz" || healthy=0; done
    [ "$healthy" = 1 ] && return 0
    sleep 0.1
  done
  log "the NATS cluster did not become healthy (see $dir/n*/server.log)"; return 1
}

# start_node PORT DIR LOG — a Tributary node on the cluster; prints kbench's probe JSON.
start_node() {
  mkdir -p "$2"
  node "$KBENCH" --endpoint "http://127.0.0.1:$1" --probe-ready --probe-timeout-s 60 --spawn-log "$3" -- \
    "$ROOT/bin/tributary" server --host 127.0.0.1 --port "$1" --data-dir "$2" --storage nats --nats-url "$NATS_URLS" \
    --nats-replicas 3 --nats-prefix bench --create-stream-ms 0 --delete-stream-ms 0 --update-stream-ms 0 \
    --shard-limit 1000 --limits off --log-level warn
}

run_round() {
  local round="$1" dir="$DATA_ROOT/cluster-r$1" k port pid kpids=()
  rm -rf "$dir"; mkdir -p "$dir"
  wait_quiet
  start_nats "$dir" || return 1
  log "cluster round $round: NATS at $NATS_URLS"
  timeout "$RUN_TIMEOUT_S" node "$BENCH/cluster/raw-publish.mjs" --servers "$NATS_URLS" --replicas 3 --seconds "$SECS" \
    >"$OUT/raw-r$round.json" 2>"$OUT/raw-r$round.log"
  log "   raw JetStream: $(json_field "$OUT/raw-r$round.json" 'j.messagesPerSec') msg/s (100 B, acked, R3)"
  for k in 1 2; do
    port="$(free_port)"
    start_node "$port" "$dir/node$k" "$OUT/node$k-r$round.server.log" >"$OUT/node$k-r$round.probe.json" 2>"$OUT/node$k-r$round.start.log"
    pid="$(json_field "$OUT/node$k-r$round.probe.json" 'j.ok && j.pid')"
    if [ -z "$pid" ] || [ "$pid" = false ]; then log "node $k did not start (see $OUT/node$k-r$round.*)"; cleanup; return 1; fi
    NODE_PIDS+=("$pid")
    eval "NODE${k}_PORT=$port NODE${k}_PID=$pid"
  done
  for k in 1 2; do
    port="$(eval echo "\$NODE${k}_PORT")"; pid="$(eval echo "\$NODE${k}_PID")"
    timeout "$RUN_TIMEOUT_S" node "$KBENCH" --endpoint "http://127.0.0.1:$port" --client raw --label "cluster-node$k/A" \
      --stream-name "bench-cluster-$round-$k" --server-pid "$NODE1_PID,$NODE2_PID" \
      --shards 4 --record-bytes 100 --batch 500 --concurrency 2 --seconds "$SECS" --phases write,read \
      >"$OUT/node$k-r$round.json" 2>"$OUT/node$k-r$round.log" &
    kpids+=($!)
  done
  wait "${kpids[@]}"
  for k in 1 2; do
    log "   node $k: write $(json_field "$OUT/node$k-r$round.json" 'j.write?.recordsPerSec') rec/s, read $(json_field "$OUT/node$k-r$round.json" 'j.read?.recordsPerSec') rec/s"
  done
  # The nodes are done; the cost of two nodes writing one shard, on the same NATS cluster.
  stop_server "$NODE1_PID"; stop_server "$NODE2_PID"; NODE_PIDS=()
  (cd "$ROOT" && timeout "$RUN_TIMEOUT_S" node --import tsx bench/cluster/contention.ts --servers "$NATS_URLS" --replicas 3 --seconds "$SECS") \
    >"$OUT/contention-r$round.json" 2>"$OUT/contention-r$round.log"
  log "   one shard: $(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { try { const j = JSON.parse(l); process.stdout.write(`${j.variant} ${j.recordsPerSec} rec/s (${j.conflicts} conflicts); `); } catch {} }' "$OUT/contention-r$round.json")"
  cleanup
  [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$dir"
}

report() {
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(dir, f), "utf8").trim().split("\n").pop()); } catch { return undefined; } };
    const median = (xs) => { const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
    const rounds = fs.readdirSync(dir).filter((f) => /^raw-r\d+\.json$/.test(f)).map((f) => f.match(/\d+/)[0]);
    const rows = rounds.map((r) => {
      const raw = read(`raw-r${r}.json`), a = read(`node1-r${r}.json`), b = read(`node2-r${r}.json`);
      const write = (a?.write?.recordsPerSec ?? NaN) + (b?.write?.recordsPerSec ?? NaN);
      const readRate = (a?.read?.recordsPerSec ?? NaN) + (b?.read?.recordsPerSec ?? NaN);
      return { r, raw: raw?.messagesPerSec ?? NaN, write, read: readRate, ratio: write / (raw?.messagesPerSec ?? NaN) };
    });
    const f = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "-");
    console.log("# Cluster (issue 20): config A through 2 Tributary nodes on a 3-server NATS cluster (R3), this machine\n");
    console.log("| round | raw JetStream msg/s (100 B, acked) | Tributary write rec/s (2 nodes) | ratio | read catch-up rec/s |");
    console.log("|---|---|---|---|---|");
    for (const row of rows) console.log(`| ${row.r} | ${f(row.raw)} | ${f(row.write)} | ${Number.isFinite(row.ratio) ? row.ratio.toFixed(1) + "×" : "-"} | ${f(row.read)} |`);
    const m = { raw: median(rows.map((x) => x.raw)), write: median(rows.map((x) => x.write)), read: median(rows.map((x) => x.read)), ratio: median(rows.map((x) => x.ratio)) };
    console.log(`| median | ${f(m.raw)} | ${f(m.write)} | ${Number.isFinite(m.ratio) ? m.ratio.toFixed(1) + "×" : "-"} | ${f(m.read)} |`);
    const lines = rounds.flatMap((r) => { try { return fs.readFileSync(path.join(dir, `contention-r${r}.json`), "utf8").trim().split("\n").map((l) => ({ r, ...JSON.parse(l) })); } catch { return []; } });
    if (lines.length > 0) {
      console.log("\nOne shard, 4 writers appending 125 × 100 B records at a time (bench/cluster/contention.ts):\n");
      console.log("| round | writers on | records/s | messages stored | records per message | conflicts per message | offsets dense |");
      console.log("|---|---|---|---|---|---|---|");
      for (const l of lines) console.log(`| ${l.r} | ${l.variant} | ${f(l.recordsPerSec)} | ${f(l.messagesStored)} | ${l.recordsPerMessage} | ${l.conflictsPerMessage} | ${l.dense ? "yes" : "NO"} |`);
    }
    console.log(`\nTarget: Tributary ≥ 3× the raw message rate in records/s — ${m.ratio >= 3 ? "met" : "NOT met"} (median ratio ${Number.isFinite(m.ratio) ? m.ratio.toFixed(1) : "-"}).`);
  ' "$OUT"
}

main() {
  mkdir -p "$OUT" "$DATA_ROOT"
  [ -x "$NATS_BIN" ] || { log "nats-server not found ($NATS_BIN): run scripts/test.sh, which installs it, or set TRIBUTARY_NATS_SERVER"; exit 1; }
  ensure_bench_deps || exit 1
  ensure_build || exit 1
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  log "cluster: results in $OUT ($REPS rounds, ${SECS}s writes)"
  local round
  for round in $(seq 1 "$REPS"); do run_round "$round"; done
  report | tee "$OUT/report.md"
  log "report: $OUT/report.md"
}

main
