#!/bin/sh
# bench/volume.sh — `npm run bench:volume`: Tributary with a large volume stored.
#
#   1. start Tributary (--storage embedded --fsync always) on a fresh data dir; time start-to-ready
#   2. write BENCH_VOLUME_GB (default 5; 1 GB = 10^9 payload bytes) through PutRecords, read it all
#      back from TRIM_HORIZON and verify it (bench/volume-driver.mjs); server VmRSS and VmHWM after
#   3. kill -9 the server, start it again on the same data and time restart-to-ready (kbench
#      --probe-ready polls ListStreams), with the whole volume stored
#   4. check the stream is ACTIVE and each shard's last acknowledged record reads back; with
#      BENCH_VOLUME_REREAD=1 read everything again after the restart
#
# Environment:
#   BENCH_VOLUME_GB (5)  BENCH_VOLUME_RECORD_BYTES (1000)  BENCH_VOLUME_BATCH (500)
#   BENCH_VOLUME_CONCURRENCY (4)  BENCH_VOLUME_SHARDS (4)  BENCH_VOLUME_REREAD (0)
#   BENCH_VOLUME_TARGET (tributary; kinesalite-leveldb for comparison)
#   BENCH_VOLUME_PROBE_TIMEOUT_S (900, how long a restart may take)
#   BENCH_DATA_ROOT (.tmp/bench)  BENCH_OUT (bench/results/volume-<UTC timestamp>)  BENCH_KEEP_DATA=1
#   TRIBUTARY_STORAGE_ARGS (default "--storage embedded --fsync always"), TRIBUTARY_EXTRA_ARGS
# Refuses to run unless the data disk has 3x the volume free. Exit 0 when everything verified, 2 when
# data was lost or the restart check failed, 1 when something could not run.
#
# Smoke run: BENCH_VOLUME_GB=0.2 npm run bench:volume
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib/common.sh"

GB="${BENCH_VOLUME_GB:-5}"
TARGET="${BENCH_VOLUME_TARGET:-tributary}"
DATA_ROOT="${BENCH_DATA_ROOT:-$ROOT/.tmp/bench}"
OUT="${BENCH_OUT:-$BENCH/results/volume-$(date -u +%Y%m%dT%H%M%SZ)}"
DATA="$DATA_ROOT/volume-$TARGET"
BYTES="$(awk -v g="$GB" 'BEGIN { printf "%.0f", g * 1e9 }')"

stop_current_server_on_exit

fail() { log "$*"; exit 1; }

check_disk() {
  local avail_bytes need_bytes
  mkdir -p "$DATA_ROOT"
  avail_bytes="$(df -P -B1 "$DATA_ROOT" | awk 'NR == 2 { print $4 }')"
  need_bytes="$(awk -v b="$BYTES" 'BEGIN { printf "%.0f", 3 * b }')"
  if awk -v a="$avail_bytes" -v n="$need_bytes" 'BEGIN { exit !(a < n) }'; then
    fail "refusing: $DATA_ROOT has $((avail_bytes / 1000000)) MB free, need 3 x $GB GB = $((need_bytes / 1000000)) MB"
  fi
  log "disk: $((avail_bytes / 1000000)) MB free at $DATA_ROOT, need $((need_bytes / 1000000)) MB"
}

start() { # label -> sets PID; probe JSON in $OUT/<label>.probe.json
  local label="$1"
  start_endpoint "$TARGET" "$PORT" "$DATA" "$OUT/$label.server.log" >"$OUT/$label.probe.json" 2>"$OUT/$label.start.log"
  PID="$(json_field "$OUT/$label.probe.json" 'j.ok && j.pid')"
  if [ -z "$PID" ] || [ "$PID" = false ]; then
    local stray; stray="$(json_field "$OUT/$label.probe.json" 'j.pid')"
    [ -n "$stray" ] && stop_server "$stray"
    fail "$TARGET did not start ($label): $(cat "$OUT/$label.probe.json") — see $OUT/$label.server.log"
  fi
  CURRENT_PID="$PID"
  log "$label: ready in $(json_field "$OUT/$label.probe.json" j.readyMs) ms (pid $PID)"
}

proc_memory() { # pid -> {"vmRssMB":..,"vmHwmMB":..}
  awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "{\"vmRssMB\":%.1f,\"vmHwmMB\":%.1f}", r / 1024, h / 1024 }' "/proc/$1/status" 2>/dev/null || echo null
}

main() {
  mkdir -p "$OUT"
  check_disk
  ensure_bench_deps || exit 1
  [ "$TARGET" = tributary ] && { ensure_build || exit 1; }
  machine_info_json "$DATA_ROOT" >"$OUT/machine.json"
  PORT="$(free_port)" || fail "no free port"
  export BENCH_PROBE_TIMEOUT_S="${BENCH_VOLUME_PROBE_TIMEOUT_S:-900}"
  rm -rf "$DATA"

  start first-start
  log "writing $GB GB into $TARGET and reading it back"
  node "$BENCH/volume-driver.mjs" write-read --endpoint "http://127.0.0.1:$PORT" --bytes "$BYTES" \
    --record-bytes "${BENCH_VOLUME_RECORD_BYTES:-1000}" --batch "${BENCH_VOLUME_BATCH:-500}" \
    --concurrency "${BENCH_VOLUME_CONCURRENCY:-4}" --shards "${BENCH_VOLUME_SHARDS:-4}" \
    --server-pid "$PID" --state "$OUT/state.json" >"$OUT/write-read.json" 2>"$OUT/write-read.log"
  local rc=$?
  [ "$rc" -eq 1 ] && fail "write-read failed: $(cat "$OUT/write-read.json")"
  proc_memory "$PID" >"$OUT/memory-before-kill.json"
  du -sb "$DATA" | awk '{ print $1 }' >"$OUT/disk-bytes"

  log "kill -9 $PID, then restart on the same data"
  stop_server "$PID" KILL; CURRENT_PID=""
  KEEP_DATA=1 start restart
  proc_memory "$PID" >"$OUT/memory-after-restart.json"
  local reread=()
  [ "${BENCH_VOLUME_REREAD:-0}" = 1 ] && reread=(--reread)
  node "$BENCH/volume-driver.mjs" check --endpoint "http://127.0.0.1:$PORT" --state "$OUT/state.json" \
    --server-pid "$PID" "${reread[@]}" >"$OUT/check.json" 2>"$OUT/check.log"
  stop_server "$PID"; CURRENT_PID=""
  [ "${BENCH_KEEP_DATA:-}" = 1 ] || rm -rf "$DATA"

  node - "$OUT" "$TARGET" "$GB" "$TRIBUTARY_STORAGE_ARGS" >"$OUT/volume.md" <<'EOF'
const fs = require('fs'), path = require('path');
const [dir, target, gb, storageArgs] = process.argv.slice(2);
const read = (f) => { try { const l = fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n'); return JSON.parse(l[l.length - 1]); } catch { return undefined; } };
const m = read('machine.json') ?? {}, wr = read('write-read.json') ?? {}, ck = read('check.json') ?? {};
const first = read('first-start.probe.json') ?? {}, restart = read('restart.probe.json') ?? {};
const beforeKill = read('memory-before-kill.json'), afterRestart = read('memory-after-restart.json');
const diskBytes = Number(fs.readFileSync(path.join(dir, 'disk-bytes'), 'utf8'));
const result = {
  target, volumeGB: Number(gb), storageArgs: target === 'tributary' ? storageArgs : undefined, machine: m,
  firstStartReadyMs: first.readyMs, restartReadyMs: restart.readyMs,
  write: wr.write, read: wr.read, verify: wr.verify, serverMemory: { ...wr.server, beforeKill, afterRestart, afterCheck: ck.server?.afterCheck, afterReread: ck.server?.afterReread },
  diskBytes, check: ck, ok: Boolean(wr.ok && ck.ok),
};
fs.writeFileSync(path.join(dir, 'volume.json'), JSON.stringify(result, null, 2) + '\n');
const f = (x, d = 1) => (x == null ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d }));
const w = wr.write ?? {}, r = wr.read ?? {}, v = wr.verify ?? {}, mem = wr.server ?? {};
console.log([
  `# Volume benchmark — ${target}, ${gb} GB (${path.basename(dir)})`, '',
  `- machine: ${m.nproc} CPUs (${m.cpuModel}), kernel ${m.kernel}, Node ${m.node}; data disk ${m.disk?.device} (${m.disk?.fsType}) at ${m.disk?.dataDir}`,
  `- commit ${m.gitCommit}, ${m.date}${target === 'tributary' ? `; flags \`${storageArgs}\`` : ''}`, '',
  '| measure | value |', '|---|---:|',
  `| start-to-ready, empty data dir (ms) | ${f(first.readyMs, 0)} |`,
  `| write: records acknowledged | ${f(w.ackedRecords, 0)} |`,
  `| write: records/s, MB/s | ${f(w.recordsPerSec, 0)} / ${f(w.payloadMBps, 1)} |`,
  `| write: throttled entries, retried requests | ${f(w.throttledEntries, 0)} / ${f(w.retriedRequests, 0)} |`,
  `| read back: records/s, MB/s | ${f(r.recordsPerSec, 0)} / ${f(r.payloadMBps, 1)} |`,
  `| verify: lost / duplicates / corrupt | ${f(v.lost, 0)} / ${f(v.duplicates, 0)} / ${f(v.corrupt, 0)} |`,
  `| server VmRSS / VmHWM after write (MB) | ${f(mem.afterWrite?.vmRssMB)} / ${f(mem.afterWrite?.vmHwmMB)} |`,
  `| server VmRSS / VmHWM after read (MB) | ${f(mem.afterRead?.vmRssMB)} / ${f(mem.afterRead?.vmHwmMB)} |`,
  `| data dir size (MB; payload ${f(w.ackedBytes / 1e6, 0)} MB) | ${f(diskBytes / 1e6, 0)} |`,
  `| restart-to-ready after kill -9 (ms) | ${f(restart.readyMs, 0)} |`,
  `| server VmRSS / VmHWM right after restart (MB) | ${f(afterRestart?.vmRssMB)} / ${f(afterRestart?.vmHwmMB)} |`,
  `| after restart: stream status, last record of each shard | ${ck.status ?? '–'}, ${ck.tailsOk ? 'all present' : JSON.stringify(ck.tails ?? ck.error ?? {})} |`,
  ...(ck.reread ? [`| after restart: full re-read records/s, MB/s, missing | ${f(ck.reread.recordsPerSec, 0)} / ${f(ck.reread.payloadMBps, 1)} / ${f(ck.reread.missing, 0)} |`] : []),
  '', `overall: ${result.ok ? 'OK' : 'PROBLEMS'} — details in ${dir}/volume.json`,
].join('\n'));
process.exitCode = result.ok ? 0 : 2;
EOF
  rc=$?
  cat "$OUT/volume.md"
  return "$rc"
}

main
