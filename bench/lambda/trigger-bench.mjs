#!/usr/bin/env node
// bench/lambda/trigger-bench.mjs — stream triggers (issue 16): a Kinesis event source mapping feeding
// a trivial Node handler, end to end through a running server (the Lambda and Kinesis APIs):
//   backlog     4 shards, BatchSize 1,000: --records put first, then a mapping reads them from
//               TRIM_HORIZON; the rate the handler receives them, from CreateEventSourceMapping to
//               the last record seen (target ≥ 50,000 records/s) — the trigger's own throughput
//   live        4 shards, BatchSize 1,000, mapping first: records put as fast as one client can (8
//               PutRecords of 500 in flight), the rate the handler receives them (bound by the client)
//   delay       1 shard, batching window 0, 1,000 records/s paced: put acknowledged → handler sees it,
//               p50/p99 (target p99 ≤ 50 ms)
// The handler reports what it saw to an HTTP sink in this process (one POST per batch: the ids of its
// records and the time it saw them); ids are the record's data, so delay = seen − this process's ack.
// The server must run with `--limits off` (the puts pass a shard's 1,000 records/s). Progress goes to
// stderr; the result is one JSON line on stdout (and --out).
//
//   node bench/lambda/trigger-bench.mjs --endpoint http://127.0.0.1:4567 [--records 200000] [--delay-seconds 10] [--out file.json]
import http from 'node:http';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { LambdaClient, CreateFunctionCommand, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, DeleteEventSourceMappingCommand } from '@aws-sdk/client-lambda';

const { values: args } = parseArgs({ options: {
  endpoint: { type: 'string', default: 'http://127.0.0.1:4567' },
  records: { type: 'string', default: '200000' },
  'delay-seconds': { type: 'string', default: '10' },
  out: { type: 'string' },
} });
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bench' };
const region = 'us-east-1';
const kinesis = new KinesisClient({ endpoint: args.endpoint, region, credentials });
const lambda = new LambdaClient({ endpoint: args.endpoint, region, credentials });

// --- the sink the handler reports to
const seen = new Map(); // id → seen ms (epoch)
const seenPerPrefix = new Map(); // an id's first letter (its phase) → distinct ids seen
let seenCount = 0;
const sink = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { t, ids } = JSON.parse(Buffer.concat(chunks).toString());
    for (const id of ids) { if (!seen.has(id)) { seen.set(id, t); seenPerPrefix.set(id[0], (seenPerPrefix.get(id[0]) ?? 0) + 1); } }
    seenCount += ids.length;
    res.end('ok');
  });
});
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${sink.address().port}/`;

// --- a zip with one stored file (no compression library needed)
function crc32(buf) { let c, crc = 0xffffffff; for (let n = 0; n < buf.length; n++) { c = (crc ^ buf[n]) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; crc = (crc >>> 8) ^ c; } return (crc ^ 0xffffffff) >>> 0; }
function zipOne(name, text) {
  const data = Buffer.from(text); const packed = deflateRawSync(data); const nameBuf = Buffer.from(name); const crc = crc32(data);
  const local = Buffer.alloc(30); local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8); local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46); central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10); central.writeUInt32LE(crc, 16); central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(nameBuf.length, 28);
  const centralOffset = 30 + nameBuf.length + packed.length; const centralSize = 46 + nameBuf.length;
  const end = Buffer.alloc(22); end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10); end.writeUInt32LE(centralSize, 12); end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBuf, packed, central, nameBuf, end]);
}
const handlerSource = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const sink = new URL(${JSON.stringify(sinkUrl)});
exports.handler = async (event) => {
  const t = Date.now();
  const ids = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
  await new Promise((resolve) => {
    const req = http.request({ host: sink.hostname, port: sink.port, method: 'POST', agent }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    req.end(JSON.stringify({ t, ids }));
  });
  return {};
};`;

async function stream(name, shards) {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const d = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    if (d.StreamStatus === 'ACTIVE') return d.StreamARN;
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function mapping(fn, arn, batchSize, startingPosition = 'LATEST') {
  const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: arn, StartingPosition: startingPosition, BatchSize: batchSize, MaximumBatchingWindowInSeconds: 0 }));
  for (;;) { if ((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === 'Enabled') return UUID; await new Promise((r) => setTimeout(r, 50)); }
}
function percentile(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]; }

const run = Date.now().toString(36);
const fn = `trigger-bench-${run}`;
await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/bench', Handler: 'index.handler', Code: { ZipFile: zipOne('index.js', handlerSource) }, Timeout: 30, MemorySize: 512 }));

/** Puts `total` records with ids prefix+i as fast as one client can (8 PutRecords of 500 in flight); answers the seconds taken. */
async function putAll(streamName, prefix, total) {
  const startMs = performance.now();
  const inflight = new Set();
  for (let at = 0; at < total; at += 500) {
    const batch = Array.from({ length: Math.min(500, total - at) }, (_, i) => ({ PartitionKey: `k${(at + i) % 1024}`, Data: Buffer.from(`${prefix}${at + i}`) }));
    const p = kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: batch })).then((answer) => {
      if (answer.FailedRecordCount > 0) throw new Error(`${answer.FailedRecordCount} records refused (run the server with --limits off)`);
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size >= 8) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return (performance.now() - startMs) / 1000;
}
async function waitSeen(prefix, total, timeoutMs = 300_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((seenPerPrefix.get(prefix) ?? 0) >= total) return;
    if (performance.now() > deadline) throw new Error(`${prefix}: not every record seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const total = Number(args.records);

// --- backlog: the records first, then the mapping
const bName = `trigger-bench-b-${run}`;
const bArn = await stream(bName, 4);
const bPutSeconds = await putAll(bName, 'b', total);
console.error(`backlog: ${total} records put in ${bPutSeconds.toFixed(2)} s`);
const bStartMs = performance.now();
const bUuid = await mapping(fn, bArn, 1000, 'TRIM_HORIZON');
await waitSeen('b', total);
const bSeconds = (performance.now() - bStartMs) / 1000;
const backlog = { records: total, putSeconds: bPutSeconds, deliveredSeconds: bSeconds, recordsPerSecond: Math.round(total / bSeconds) };
console.error('backlog', JSON.stringify(backlog));
await lambda.send(new DeleteEventSourceMappingCommand({ UUID: bUuid }));

// --- live: the mapping first, then the records as fast as one client puts them
const tName = `trigger-bench-t-${run}`;
const tArn = await stream(tName, 4);
const tUuid = await mapping(fn, tArn, 1000);
const startMs = performance.now();
const putSeconds = await putAll(tName, 't', total);
await waitSeen('t', total);
const deliveredSeconds = (performance.now() - startMs) / 1000;
const live = { records: total, putSeconds, deliveredSeconds, recordsPerSecond: Math.round(total / deliveredSeconds), putRecordsPerSecond: Math.round(total / putSeconds) };
console.error('live', JSON.stringify(live));
await lambda.send(new DeleteEventSourceMappingCommand({ UUID: tUuid }));

// --- delay at 1,000 records/s
const dStream = `trigger-bench-d-${run}`;
const dArn = await stream(dStream, 1);
const dUuid = await mapping(fn, dArn, 100);
const acked = new Map();
const seconds = Number(args['delay-seconds']);
const perTick = 10; // 10 records every 10 ms
const t0 = performance.now();
for (let tick = 0; tick < seconds * 100; tick++) {
  const due = t0 + tick * 10;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const ids = Array.from({ length: perTick }, (_, i) => `d${tick * perTick + i}`);
  kinesis.send(new PutRecordsCommand({ StreamName: dStream, Records: ids.map((id, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(id) })) })).then(() => { const now = Date.now(); for (const id of ids) acked.set(id, now); });
}
const expected = seconds * 100 * perTick;
const deadline = performance.now() + 30_000;
while ((acked.size < expected || [...acked.keys()].some((id) => !seen.has(id))) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const delays = [...acked].filter(([id]) => seen.has(id)).map(([id, ack]) => Math.max(0, seen.get(id) - ack)).sort((a, b) => a - b);
const delay = { records: delays.length, p50Ms: percentile(delays, 0.5), p99Ms: percentile(delays, 0.99), maxMs: delays[delays.length - 1] };
console.error('delay', JSON.stringify(delay));
await lambda.send(new DeleteEventSourceMappingCommand({ UUID: dUuid }));
sink.close();
const result = { backlog, live, delay, targets: { recordsPerSecondMin: 50000, delayP99MsMax: 50 } };
console.log(JSON.stringify(result));
if (args.out) (await import('node:fs')).writeFileSync(args.out, JSON.stringify(result, null, 2));
process.exit(0);
