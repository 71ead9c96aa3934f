#!/usr/bin/env node
// bench/s3/disk-write.mjs — the disk's fsynced sequential write bandwidth, the limit of a durable large
// upload: FILES files of MIB MiB written one after another in 1 MiB writes, each fsynced before it is
// closed, in DIR (the benchmark's data directory's disk). MB/s (10^6 B) per file, median and overall.
//   node bench/s3/disk-write.mjs DIR [FILES (8)] [MIB (64)]
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';

const dir = path.resolve(process.argv[2] ?? '.tmp/bench');
const files = Number(process.argv[3] ?? 8);
const mebibytes = Number(process.argv[4] ?? 64);
fs.mkdirSync(dir, { recursive: true });
const chunk = crypto.randomBytes(1 << 20); // random: a compressing layer gains nothing
const perFile = [];
const t0 = performance.now();
for (let f = 0; f < files; f++) {
  const file = path.join(dir, `disk-write-${process.pid}-${f}.tmp`);
  const start = performance.now();
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < mebibytes; i++) fs.writeSync(fd, chunk);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  perFile.push((mebibytes * (1 << 20)) / 1e6 / ((performance.now() - start) / 1000));
}
const totalSeconds = (performance.now() - t0) / 1000;
for (let f = 0; f < files; f++) fs.rmSync(path.join(dir, `disk-write-${process.pid}-${f}.tmp`), { force: true });
const sorted = [...perFile].sort((a, b) => a - b);
const out = {
  tool: 'disk-write', dir, files, fileMiB: mebibytes,
  medianMBps: Math.round(sorted[Math.floor(files / 2)] * 10) / 10,
  overallMBps: Math.round(((files * mebibytes * (1 << 20)) / 1e6 / totalSeconds) * 10) / 10,
  perFileMBps: perFile.map((x) => Math.round(x * 10) / 10),
};
console.error(`fsynced ${mebibytes} MiB files: median ${out.medianMBps} MB/s, overall ${out.overallMBps} MB/s`);
console.log(JSON.stringify(out));
