#!/usr/bin/env node
// bench/limits/dsync-write.mjs — the sync a durable PutRecord pays, as the engine does it under
// `--fsync always`: one record-sized write (154 bytes: a 100-byte record's frame) through an
// O_DSYNC descriptor, which returns once the data and the file size are durable.
//
// usage: node bench/limits/dsync-write.mjs [DIR (default .tmp/bench)] [SECONDS (default 2)]
//
//   append     each write extends the file (a growing segment: the size must be committed too)
//   prewritten each write lands in blocks already written with zeros and synced (what a segment
//              preallocated ahead of its end would pay)
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const dir = path.resolve(process.argv[2] ?? '.tmp/bench');
const seconds = Number(process.argv[3] ?? 2);
const recordBytes = 154;
const prewrittenBytes = 64 << 20;
fs.mkdirSync(dir, { recursive: true });
const frame = Buffer.alloc(recordBytes, 0x5a);

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]; }

function run(name, prewrite) {
  const file = path.join(dir, `dsync-write-${process.pid}-${name}.tmp`);
  if (prewrite) {
    const fd = fs.openSync(file, 'w');
    const zeros = Buffer.alloc(1 << 20);
    for (let at = 0; at < prewrittenBytes; at += zeros.length) fs.writeSync(fd, zeros, 0, zeros.length, at);
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
  }
  const { O_RDWR, O_CREAT, O_DSYNC } = fs.constants;
  const fd = fs.openSync(file, O_RDWR | O_CREAT | O_DSYNC);
  try {
    const latencies = [];
    const t0 = performance.now(), end = t0 + seconds * 1000;
    for (let position = 0; performance.now() < end && position + recordBytes <= prewrittenBytes; position += recordBytes) {
      const t = performance.now();
      fs.writeSync(fd, frame, 0, recordBytes, position);
      latencies.push(performance.now() - t);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      name, writes: latencies.length, writesPerSec: Math.round(latencies.length / elapsedS),
      p50Ms: +pct(latencies, 0.5).toFixed(3), p99Ms: +pct(latencies, 0.99).toFixed(3), maxMs: +latencies[latencies.length - 1].toFixed(3),
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}

const results = [run('append', false), run('prewritten', true)];
for (const r of results) console.error(`${r.name.padEnd(10)} ${r.writesPerSec} O_DSYNC writes/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms`);
console.log(JSON.stringify({ tool: 'dsync-write', dir, seconds, recordBytes, date: new Date().toISOString(), results }));
