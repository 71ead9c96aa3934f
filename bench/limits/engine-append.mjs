#!/usr/bin/env node
// bench/limits/engine-append.mjs — the storage engine's own cost per record, without HTTP or JSON.
//
// usage: node bench/limits/engine-append.mjs [SECONDS (default 5)] [DATA_DIR (default .tmp/bench)]
// (after `npm run build`: it loads dist/)
//
// Config A's write pattern straight into the engine: 4 writers, each repeatedly appending a
// "request" of 500 records of 100 bytes spread over 4 shards (4 appends of 125, awaited together),
// for the embedded engine with fsync always and never, and the memory engine. Prints records/s and
// the process's CPU per record (user + system, every thread: event loop, libuv threadpool): a human
// line on stderr and a JSON line on stdout per engine.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createEmbeddedEngine, createMemoryEngine } from '../../dist/storage/index.js';
import { systemClock } from '../../dist/util/clock.js';
import { systemRandom } from '../../dist/util/random.js';
import { silentLogger } from '../../dist/util/logger.js';

const seconds = Number(process.argv[2] ?? 5);
const root = resolve(process.argv[3] ?? '.tmp/bench');
const writers = 4;
const shards = 4;
const perShard = 125;
const streamId = 'a1b2c3d4e5f60718';
const batch = Array.from({ length: perShard }, (_, i) => ({ partitionKey: `a1b2c3d4-w${i % 4}-k${i % 256}`, data: randomBytes(100) }));

async function run(name, engine) {
  const logs = Array.from({ length: shards }, (_, i) => engine.logs.shard(streamId, i));
  let records = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // A deadline, not a timer: the memory engine resolves without ever yielding to the timers.
  const deadline = t0 + seconds * 1000;
  const writer = async () => {
    while (performance.now() < deadline) {
      const outcomes = await Promise.all(logs.map((log) => log.append(batch, Date.now())));
      if (!outcomes.every((o) => o.ok)) throw new Error(`append failed: ${JSON.stringify(outcomes)}`);
      records += shards * perShard;
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = cpu.user + cpu.system;
  process.stderr.write(`${name.padEnd(26)} ${Math.round(records / elapsedS).toLocaleString('en').padStart(10)} records/s   ${(cpuUs / records).toFixed(2)} µs CPU/record (user ${(cpu.user / records).toFixed(2)}, system ${(cpu.system / records).toFixed(2)})\n`);
  console.log(JSON.stringify({ tool: 'engine-append', engine: name, recordsPerSec: Math.round(records / elapsedS), cpuUsPerRecord: cpuUs / records, userUsPerRecord: cpu.user / records, systemUsPerRecord: cpu.system / records }));
  await engine.close();
}

mkdirSync(root, { recursive: true });
for (const fsync of ['always', 'never']) {
  const dataDir = mkdtempSync(join(root, 'engine-append-'));
  const engine = await createEmbeddedEngine({ dataDir, fsync, clock: systemClock, random: systemRandom, logger: silentLogger, accountId: '000000000000' });
  await run(`embedded, fsync ${fsync}`, engine);
  rmSync(dataDir, { recursive: true, force: true });
}
await run('memory', createMemoryEngine(systemRandom));
