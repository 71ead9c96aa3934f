#!/usr/bin/env node
// bench/limits/json-base64.mjs — CPU cost per 100-byte record of the wire format alone.
//
// usage: node bench/limits/json-base64.mjs [SECONDS per measure (default 3)] [RECORD_BYTES (default 100)]
//
// A PutRecords body of 500 records (base64 Data + a partition key, as the SDK sends it) and a
// GetRecords answer of 500 records. Per record:
//   parse+decode   JSON.parse of the PutRecords body, then Buffer.from(Data, 'base64') per record
//   md5 key        MD5 of the partition key (Kinesis's hash key; picks the shard), through
//                  crypto.createHash and, where Node has it (>= 20.12), the one-shot crypto.hash
//   encode         build + JSON.stringify a GetRecords answer with base64 Data
// Single-threaded: on this machine's cores, 1e6 / (ns per record / 1000) is the most records/s one
// event loop can move through the JSON protocol before doing any storage work.
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';

const seconds = Number(process.argv[2] ?? 3);
const recordBytes = Number(process.argv[3] ?? 100);
const batch = 500;
const records = Array.from({ length: batch }, (_, i) => ({
  Data: crypto.randomBytes(recordBytes).toString('base64'),
  PartitionKey: `a1b2c3d4-w${i % 4}-k${i % 256}`,
}));
const putBody = Buffer.from(JSON.stringify({ StreamName: 'bench-stream', Records: records }));
const stored = records.map((r, i) => ({
  data: Buffer.from(r.Data, 'base64'), partitionKey: r.PartitionKey,
  sequenceNumber: `4960000000000000000000000000000000000000${String(i).padStart(16, '0')}`, arrivalMs: 1_700_000_000_000 + i,
}));

function measure(name, once) {
  for (let i = 0; i < 200; i++) once(); // warm up the JIT
  let batches = 0, sink = 0;
  const t0 = performance.now(), end = t0 + seconds * 1000;
  while (performance.now() < end) { for (let i = 0; i < 20; i++) sink += once(); batches += 20; }
  const ns = ((performance.now() - t0) * 1e6) / (batches * batch);
  return { name, nsPerRecord: Math.round(ns), recordsPerSecOneCore: Math.round(1e9 / ns), sink: sink > 0 };
}

const results = [
  measure('parse+decode', () => {
    const input = JSON.parse(putBody.toString('utf8'));
    let n = 0;
    for (const r of input.Records) n += Buffer.from(r.Data, 'base64').length;
    return n;
  }),
  measure('md5 key', () => {
    let n = 0;
    for (const r of records) n += crypto.createHash('md5').update(r.PartitionKey).digest()[0];
    return n + 1;
  }),
  ...(typeof crypto.hash === 'function' ? [measure('md5 key (crypto.hash)', () => {
    let n = 0;
    for (const r of records) n += crypto.hash('md5', r.PartitionKey, 'buffer')[0];
    return n + 1;
  })] : []),
  measure('encode', () => JSON.stringify({
    Records: stored.map((s) => ({ SequenceNumber: s.sequenceNumber, ApproximateArrivalTimestamp: s.arrivalMs / 1000, Data: s.data.toString('base64'), PartitionKey: s.partitionKey })),
    NextShardIterator: 'AAAAAAAAAAE=', MillisBehindLatest: 0,
  }).length),
];
for (const r of results) console.error(`${r.name.padEnd(22)} ${r.nsPerRecord} ns/record  (${r.recordsPerSecOneCore.toLocaleString('en-US')} records/s on one core)`);
console.log(JSON.stringify({ tool: 'json-base64', seconds, recordBytes, batch, node: process.version, date: new Date().toISOString(), results: results.map(({ sink, ...r }) => r) }));
