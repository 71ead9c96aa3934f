#!/usr/bin/env node
// bench/limits/fsync-rate.mjs — how many durable small writes per second the data disk allows.
//
// usage: node bench/limits/fsync-rate.mjs [DIR (default .tmp/bench)] [SECONDS (default 3)]
//
// Four loops of SECONDS each, on a scratch file in DIR:
//   append            `write 4 KiB; fdatasync`, every write extending the file, so fdatasync also
//                     commits the new size (what a log segment that grows does)
//   overwrite         the same, rewriting one 4 KiB block of a preallocated file, so fdatasync
//                     flushes data only (the floor for a preallocated segment)
//   dsync-append      one 154-byte write (a 100-byte record's frame) through an O_DSYNC descriptor,
//                     extending the file: what a durable PutRecord's commit does under
//                     `--fsync always` (the write returns once data and size are durable)
//   dsync-prewritten  the same into blocks already written with zeros and synced (what a segment
//                     preallocated ahead of its end would pay)
// With `--fsync always` and one sync per group commit, syncs/s bounds commits/s, and the sync's p50
// is the floor of a durable PutRecord's latency.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const dir = path.resolve(process.argv[2] ?? '.tmp/bench');
const seconds = Number(process.argv[3] ?? 3);
const blockBytes = 4096;
fs.mkdirSync(dir, { recursive: true });
const block = Buffer.alloc(blockBytes, 0x5a);

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]; }

/**
 * `prepare(fd)` readies the file; each iteration writes `bytes` at `writeAt(i)` and, unless the
 * descriptor is O_DSYNC (where the write itself syncs), fdatasyncs.
 */
function run(name, prepare, writeAt, { bytes = blockBytes, dsync = false } = {}) {
  const file = path.join(dir, `fsync-rate-${process.pid}-${name}.tmp`);
  fs.closeSync(fs.openSync(file, 'w'));
  const { O_RDWR, O_DSYNC } = fs.constants;
  const fd = fs.openSync(file, O_RDWR | (dsync ? O_DSYNC : 0));
  try {
    prepare(fd);
    const latencies = [];
    const t0 = performance.now(), end = t0 + seconds * 1000;
    for (let i = 0; performance.now() < end; i++) {
      const t = performance.now();
      fs.writeSync(fd, block, 0, bytes, writeAt(i));
      if (!dsync) fs.fdatasyncSync(fd);
      latencies.push(performance.now() - t);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      name, bytes, syncs: latencies.length, syncsPerSec: Math.round(latencies.length / elapsedS),
      p50Ms: +pct(latencies, 0.5).toFixed(3), p99Ms: +pct(latencies, 0.99).toFixed(3), maxMs: +latencies[latencies.length - 1].toFixed(3),
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}

/** Zeros written and synced ahead, so later writes land in allocated, initialised blocks. */
const prewrite = (totalBytes) => (fd) => {
  const zeros = Buffer.alloc(1 << 20);
  for (let at = 0; at < totalBytes; at += zeros.length) fs.writeSync(fd, zeros, 0, zeros.length, at);
  fs.fdatasyncSync(fd);
};
const frameBytes = 154;
const prewrittenBytes = 64 << 20;

const results = [
  run('append', () => {}, (i) => i * blockBytes),
  run('overwrite', prewrite(1 << 20), () => 0),
  run('dsync-append', () => {}, (i) => i * frameBytes, { bytes: frameBytes, dsync: true }),
  run('dsync-prewritten', prewrite(prewrittenBytes), (i) => (i * frameBytes) % (prewrittenBytes - frameBytes), { bytes: frameBytes, dsync: true }),
];
for (const r of results) console.error(`${r.name.padEnd(16)} ${r.syncsPerSec} syncs/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  (${r.syncs} writes of ${r.bytes} B in ${seconds} s)`);
console.log(JSON.stringify({ tool: 'fsync-rate', dir, seconds, date: new Date().toISOString(), results }));
