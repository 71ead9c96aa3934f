#!/bin/sh
# bench/limits/run.sh — the physical limits in docs/performance.md: fsync rate (fdatasync and O_DSYNC), sequential write
# bandwidth, JSON + base64 cost per record, the storage engine's own cost (needs `npm run build`). Each script prints a human line on stderr and a JSON line
# on stdout. usage: sh bench/limits/run.sh [DIR on the data disk (default .tmp/bench)]
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${1:-$HERE/../../.tmp/bench}"
mkdir -p "$DIR"
echo "data dir: $(cd "$DIR" && pwd) on $(df -PT "$DIR" | awk 'NR == 2 { print $1 " (" $2 ")" }'); $(nproc) CPUs, $(uname -r)" >&2
node "$HERE/fsync-rate.mjs" "$DIR" 3
node "$HERE/seq-write.mjs" "$DIR" 1024
node "$HERE/json-base64.mjs" 3 100
node "$HERE/engine-append.mjs" 5 "$DIR"
