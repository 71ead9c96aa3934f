#!/usr/bin/env node
// bench/limits/fsync-rate.mjs — how many durable small writes per second the data disk allows.
//
// usage: node bench/limits/fsync-rate.mjs [DIR (default .tmp/bench)] [SECONDS (default 3)]
//
// Two loops of `write 4 KiB; fdatasync` for SECONDS each, on a scratch file in DIR:
//   append     every write extends the file, so fdatasync also commits the new size (what a log
//              segment that grows does)
//   overwrite  the same 4 KiB block rewritten in a preallocated file, so fdatasync flushes data only
//              (the floor for a preallocated segment)
// With `--fsync always` and one fsync per group commit, fsyncs/s bounds commits/s, and fsync p50 is
// the floor of a durable PutRecord's latency.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const dir = path.resolve(process.argv[2] ?? '.tmp/bench');
const seconds = Number(process.argv[3] ?? 3);
const blockBytes = 4096;
fs.mkdirSync(dir, { recursive: true });
const block = Buffer.alloc(blockBytes, 0x5a);

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]; }

function run(name, prepare, writeAt) {
  const file = path.join(dir, `fsync-rate-${process.pid}-${name}.tmp`);
  const fd = fs.openSync(file, 'w');
  try {
    prepare(fd);
    const latencies = [];
    const t0 = performance.now(), end = t0 + seconds * 1000;
    for (let i = 0; performance.now() < end; i++) {
      const t = performance.now();
      fs.writeSync(fd, block, 0, blockBytes, writeAt(i));
      fs.fdatasyncSync(fd);
      latencies.push(performance.now() - t);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      name, syncs: latencies.length, syncsPerSec: Math.round(latencies.length / elapsedS),
      p50Ms: +pct(latencies, 0.5).toFixed(3), p99Ms: +pct(latencies, 0.99).toFixed(3), maxMs: +latencies[latencies.length - 1].toFixed(3),
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}

const results = [
  run('append', () => {}, (i) => i * blockBytes),
  run('overwrite', (fd) => { fs.writeSync(fd, Buffer.alloc(1 << 20)); fs.fsyncSync(fd); }, () => 0),
];
for (const r of results) console.error(`${r.name.padEnd(9)} ${r.syncsPerSec} fdatasync/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  (${r.syncs} in ${seconds} s)`);
console.log(JSON.stringify({ tool: 'fsync-rate', dir, seconds, blockBytes, date: new Date().toISOString(), results }));
