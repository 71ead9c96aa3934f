#!/usr/bin/env node
// bench/limits/seq-write.mjs — sequential write bandwidth of the data disk, durable.
//
// usage: node bench/limits/seq-write.mjs [DIR (default .tmp/bench)] [MB (default 1024)]
//
// Writes MB mebibytes in 1 MiB writes to a scratch file, then one fdatasync; the bandwidth counts the
// time until the fdatasync returns, so the page cache does not flatter it. Also reports how long the
// buffered writes alone took and how long the final fdatasync took. Same as
// `dd if=/dev/zero of=FILE bs=1M count=1024 conv=fdatasync`, without depending on dd's output format.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';

const dir = path.resolve(process.argv[2] ?? '.tmp/bench');
const mebibytes = Number(process.argv[3] ?? 1024);
fs.mkdirSync(dir, { recursive: true });
const chunk = crypto.randomBytes(1 << 20); // random, so a compressing or deduplicating layer gains nothing
const file = path.join(dir, `seq-write-${process.pid}.tmp`);
const fd = fs.openSync(file, 'w');
try {
  const t0 = performance.now();
  for (let i = 0; i < mebibytes; i++) fs.writeSync(fd, chunk);
  const tWritten = performance.now();
  fs.fdatasyncSync(fd);
  const t1 = performance.now();
  const bytes = mebibytes * (1 << 20);
  const out = {
    tool: 'seq-write', dir, bytes, date: new Date().toISOString(),
    MBps: +(bytes / 1e6 / ((t1 - t0) / 1000)).toFixed(1),
    bufferedWriteMs: Math.round(tWritten - t0), finalFdatasyncMs: Math.round(t1 - tWritten), totalMs: Math.round(t1 - t0),
  };
  console.error(`${mebibytes} MiB + fdatasync: ${out.MBps} MB/s (writes ${out.bufferedWriteMs} ms, fdatasync ${out.finalFdatasyncMs} ms)`);
  console.log(JSON.stringify(out));
} finally {
  fs.closeSync(fd);
  fs.rmSync(file, { force: true });
}
