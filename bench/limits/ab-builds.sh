#!/bin/bash
# A/B of two builds of Tributary on configs A and C, alternating, a fresh server and data directory
# per run: what docs/performance.md ("Issue 13's hardening, before and after") quotes.
#   OLD=/path/to/old/checkout NEW=/path/to/new/checkout [REPS=3] [SECONDS_PER_RUN=15] bench/limits/ab-builds.sh
# Each checkout must be built (npm ci; npm run build). Results: one kbench JSON per run in $OUT.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NEW="${NEW:-$(cd "$here/../.." && pwd)}"
OLD="${OLD:?OLD=<checkout of the build to compare with>}"
REPS="${REPS:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
OUT="${OUT:-$(mktemp -d /tmp/tributary-ab.XXXX)}"
mkdir -p "$OUT"
KBENCH="${KBENCH_DIR:-$NEW/../shared/bench}/kbench.mjs"
export NODE_PATH="${NODE_PATH:-$NEW/node_modules}"
config_args() { case $1 in A) echo --shards 4 --record-bytes 100 --batch 500 --concurrency 4 ;; C) echo --shards 1 --record-bytes 100 --batch 1 --concurrency 8 ;; esac; }
for rep in $(seq "$REPS"); do
  for config in A C; do
    for which in old new; do
      if [ "$which" = old ]; then root=$OLD; else root=$NEW; fi
      data=$(mktemp -d "$NEW/.tmp-ab.XXXX")
      port=$((20000 + RANDOM % 10000))
      "$root/bin/tributary" server --port "$port" --data-dir "$data" --log-level warn --limits off >"$OUT/$which-$config-$rep.server.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do curl -s "127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
      # shellcheck disable=SC2046 # config_args is a list of flags
      node "$KBENCH" --endpoint "http://127.0.0.1:$port" $(config_args "$config") --seconds "$SECONDS_PER_RUN" --client raw \
        --latency-count 1000 --server-pid "$pid" --label "$which-$config" >"$OUT/$which-$config-$rep.json" 2>"$OUT/$which-$config-$rep.err"
      kill -TERM "$pid"; wait "$pid"; rm -rf "$data"
    done
  done
done
node -e '
const fs = require("fs"), dir = process.argv[1];
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const groups = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const summary = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8").trim().split("\n").pop()).summary;
  (groups[f.replace(/-\d+\.json$/, "")] ??= []).push(summary);
}
for (const [key, runs] of Object.entries(groups).sort()) {
  console.log(key, "write/s", Math.round(median(runs.map((r) => r.writeRecPerSec))), "read/s", Math.round(median(runs.map((r) => r.readRecPerSec))),
    "PutRecord p50/p99 ms", median(runs.map((r) => r.putRecordP50Ms)), median(runs.map((r) => r.putRecordP99Ms)));
}' "$OUT"
echo "results: $OUT"
