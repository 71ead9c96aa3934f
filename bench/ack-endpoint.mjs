#!/usr/bin/env node
// ack-endpoint.mjs — the "ack-only" endpoint: the least a server can do and still satisfy kbench.
//
// It answers the Kinesis JSON calls kbench makes (awsJson1_1, X-Amz-Target Kinesis_20131202.<Action>)
// and stores nothing, so a benchmark against it measures the ceiling of one kbench client process
// (plus loopback HTTP) on this machine. Comparing a real server with it tells how much of a
// result is the server and how much the client.
//
//   CreateStream              remembers the stream's ShardCount (per name), returns {}
//   DescribeStreamSummary     ACTIVE at once, with the remembered shard count
//   ListShards / DescribeStream  N shards splitting the hash key space evenly
//   PutRecords / PutRecord    acknowledges every entry: ShardId round-robin over the stream's shards,
//                             a fake, strictly increasing 56-digit sequence number
//   GetShardIterator / GetRecords  an empty shard (kbench's read phase finds nothing)
//   ListStreams               the remembered names (kbench --probe-ready polls it)
//   anything else             {}
//
// PutRecords entries are counted by scanning the body for `"PartitionKey":` rather than JSON.parse:
// JSON.stringify (the SDK and kbench --client raw) emits no whitespace, and the pattern cannot occur
// inside a JSON string (a quote there is escaped), so the count is exact while the server stays idle.
// No signature check, no validation, no limits.
//
// With --store it becomes the "read-ceiling" endpoint: it keeps every record in memory, already
// rendered as the JSON GetRecords returns (as bytes), and serves GetRecords by joining those fragments — so its
// read phase measures what one kbench client can read and verify at most (its write phase parses
// and hashes, so it is no write ceiling). Records go to shards by the MD5 of the partition key
// (top 32 bits; kbench checks order per key, which needs one shard per key), sequence numbers are
// the same global counter, iterators are "store:<shard>:<position>".
//
// usage: node ack-endpoint.mjs [--port 4567] [--host 127.0.0.1] [--store]
import http from 'node:http';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '4567' }, host: { type: 'string', default: '127.0.0.1' }, store: { type: 'boolean', default: false } },
  strict: true,
});

const targetPrefix = 'Kinesis_20131202.';
const contentType = 'application/x-amz-json-1.1';
const entryMarker = Buffer.from('"PartitionKey":');
const hashKeyMax = 2n ** 128n - 1n;
const sequencePrefix = '4960000000000000000000000000000000000000'; // 40 digits + 16-digit counter = 56
const streamShardCounts = new Map(); // StreamName -> ShardCount
let sequenceCounter = 0;
let roundRobin = 0;
// The hot path does not parse the body, so it does not know the stream name: entries are spread over
// the shards of the most recently created stream (kbench uses one stream per run).
let hotShardCount = 1;

const shardId = (i) => `shardId-${String(i).padStart(12, '0')}`;
const nextSequenceNumber = () => sequencePrefix + String(++sequenceCounter).padStart(16, '0');
const shardCountOf = (name) => streamShardCounts.get(name) ?? 1;

function streamNameOf(body) {
  // Control-plane bodies are tiny; the hot path never calls this.
  try { return JSON.parse(body.toString('utf8')).StreamName ?? 'unknown'; } catch { return 'unknown'; }
}

function countEntries(body) {
  let count = 0;
  for (let at = body.indexOf(entryMarker); at !== -1; at = body.indexOf(entryMarker, at + entryMarker.length)) count++;
  return count;
}

function putRecords(body) {
  const count = countEntries(body);
  const parts = new Array(count);
  for (let i = 0; i < count; i++) {
    parts[i] = `{"SequenceNumber":"${nextSequenceNumber()}","ShardId":"${shardId(roundRobin++ % hotShardCount)}"}`;
  }
  return `{"FailedRecordCount":0,"Records":[${parts.join(',')}]}`;
}

function putRecord() {
  return `{"SequenceNumber":"${nextSequenceNumber()}","ShardId":"${shardId(roundRobin++ % hotShardCount)}"}`;
}

function shardList(count) {
  const width = (hashKeyMax + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    ShardId: shardId(i),
    HashKeyRange: {
      StartingHashKey: String(width * BigInt(i)),
      EndingHashKey: String(i === count - 1 ? hashKeyMax : width * BigInt(i + 1) - 1n),
    },
    SequenceNumberRange: { StartingSequenceNumber: sequencePrefix + '0'.repeat(16) },
  }));
}

function summary(name) {
  return {
    StreamDescriptionSummary: {
      StreamName: name,
      StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`,
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: 0,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'NONE',
      OpenShardCount: shardCountOf(name),
      ConsumerCount: 0,
    },
  };
}

// ---------------------------------------------------------------- --store (read-ceiling)
const storedShards = []; // per shard of the hot stream: rendered record JSON fragments, in order

function storeShardOf(partitionKey) {
  const top = createHash('md5').update(partitionKey, 'utf8').digest().readUInt32BE(0);
  return Math.floor((top * hotShardCount) / 2 ** 32);
}

function storeRecord(entry) {
  const shard = storeShardOf(entry.PartitionKey);
  const sequenceNumber = nextSequenceNumber();
  // Kept as bytes, so serving them is one Buffer.concat (no string flattening or transcoding).
  (storedShards[shard] ??= []).push(Buffer.from(
    `{"SequenceNumber":"${sequenceNumber}","ApproximateArrivalTimestamp":${Date.now() / 1000},"Data":${JSON.stringify(entry.Data)},"PartitionKey":${JSON.stringify(entry.PartitionKey)}}`,
  ));
  return `{"SequenceNumber":"${sequenceNumber}","ShardId":"${shardId(shard)}"}`;
}

function storedPutRecords(body) {
  const entries = JSON.parse(body.toString('utf8')).Records;
  return `{"FailedRecordCount":0,"Records":[${entries.map(storeRecord).join(',')}]}`;
}

function storedGetShardIterator(body) {
  const request = JSON.parse(body.toString('utf8'));
  const shard = Number(/(\d+)$/.exec(request.ShardId)?.[1] ?? 0);
  const position = request.ShardIteratorType === 'LATEST' ? (storedShards[shard]?.length ?? 0) : 0;
  return JSON.stringify({ ShardIterator: `store:${shard}:${position}` });
}

const recordsOpen = Buffer.from('{"Records":[');
const comma = Buffer.from(',');

function storedGetRecords(body) {
  const request = JSON.parse(body.toString('utf8'));
  const [, shardText, positionText] = String(request.ShardIterator).split(':');
  const shard = Number(shardText);
  const position = Number(positionText);
  const records = storedShards[shard] ?? [];
  const end = Math.min(records.length, position + (request.Limit ?? 10000));
  const parts = [recordsOpen];
  for (let i = position; i < end; i++) {
    if (i > position) parts.push(comma);
    parts.push(records[i]);
  }
  parts.push(Buffer.from(`],"NextShardIterator":"store:${shard}:${end}","MillisBehindLatest":0}`));
  return Buffer.concat(parts);
}

function control(action, body) {
  const name = streamNameOf(body);
  switch (action) {
    case 'CreateStream': {
      let count = 1;
      try { count = Number(JSON.parse(body.toString('utf8')).ShardCount) || 1; } catch { /* keep 1 */ }
      streamShardCounts.set(name, count);
      hotShardCount = count;
      storedShards.length = 0;
      return {};
    }
    case 'DeleteStream': streamShardCounts.delete(name); return {};
    case 'DescribeStreamSummary': return summary(name);
    case 'DescribeStream': {
      const s = summary(name).StreamDescriptionSummary;
      return { StreamDescription: { ...s, Shards: shardList(shardCountOf(name)), HasMoreShards: false } };
    }
    case 'ListShards': return { Shards: shardList(shardCountOf(name)) };
    case 'ListStreams': return { StreamNames: [...streamShardCounts.keys()], HasMoreStreams: false };
    case 'GetShardIterator': return { ShardIterator: 'ack-only-empty-shard' };
    case 'GetRecords': return { Records: [], NextShardIterator: 'ack-only-empty-shard', MillisBehindLatest: 0 };
    default: return {};
  }
}

function answer(res, text) {
  res.writeHead(200, { 'content-type': contentType, 'content-length': typeof text === 'string' ? Buffer.byteLength(text) : text.length });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : target;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (args.store && action === 'PutRecords') answer(res, storedPutRecords(body));
    else if (args.store && action === 'PutRecord') answer(res, storeRecord(JSON.parse(body.toString('utf8'))));
    else if (args.store && action === 'GetShardIterator') answer(res, storedGetShardIterator(body));
    else if (args.store && action === 'GetRecords') answer(res, storedGetRecords(body));
    else if (action === 'PutRecords') answer(res, putRecords(body));
    else if (action === 'PutRecord') answer(res, putRecord());
    else answer(res, JSON.stringify(control(action, body)));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(args.port), args.host, () => {
  process.stderr.write(`ack-endpoint listening on http://${args.host}:${server.address().port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
