#!/usr/bin/env node
// fanout-latency.mjs — enhanced fan-out propagation latency: PutRecord acknowledged → event received.
//
// Starts nothing: point it at a running endpoint. It creates a stream (4 shards by default),
// registers consumers (10), subscribes every consumer to every shard with the AWS SDK for
// JavaScript v3 (SubscribeToShardCommand, default client configuration: HTTP/2), then runs writers
// doing sequential PutRecord calls for --seconds. Each record's data carries its id and send time;
// the writer (on its own thread) notes when PutRecord was acknowledged, every subscription notes
// when the record's event arrived, and latency = arrival − acknowledgement, per (record, consumer). A record can
// arrive before its acknowledgement does (the server pushes as soon as the append is durable, then
// answers): those count as 0 and are reported as `deliveredBeforeAck`.
//
// Prints one JSON object: latency percentiles (ms) over all deliveries, the send → arrival
// percentiles too, and counts (records acknowledged, deliveries expected/received/missing/duplicated).
// Deletes its stream (with its consumers) at the end.
//
// usage: node bench/fanout-latency.mjs --endpoint http://127.0.0.1:4567 [--seconds 5] [--shards 4]
//        [--consumers 10] [--writers 4] [--record-bytes 100] [--region us-east-1]
// (run `npm ci` in bench/ first; bench/README or docs/performance.md, "How to run").
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, KinesisClient,
  PutRecordCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';

// Times that two threads compare: milliseconds since the epoch, sub-millisecond precise.
const nowMs = () => performance.timeOrigin + performance.now();

if (!isMainThread) {
  // The writers run on their own thread (their own event loop), so the SDK work of 40
  // subscriptions decoding events does not delay their acknowledgements, nor they the arrivals.
  await runWriters(workerData);
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    shards: { type: 'string', default: '4' },
    consumers: { type: 'string', default: '10' },
    writers: { type: 'string', default: '4' },
    'record-bytes': { type: 'string', default: '100' },
    region: { type: 'string', default: 'us-east-1' },
  },
  strict: true,
});
if (!args.endpoint) {
  console.error('usage: node bench/fanout-latency.mjs --endpoint URL [--seconds 5] [--shards 4] [--consumers 10] [--writers 4]');
  process.exit(2);
}
const seconds = Number(args.seconds);
const shardCount = Number(args.shards);
const consumerCount = Number(args.consumers);
const writerCount = Number(args.writers);
const recordBytes = Math.max(32, Number(args['record-bytes']));
/** After the writers stop, how long stragglers may still arrive before they count as missing. */
const drainMs = 2000;

const clientConfig = {
  endpoint: args.endpoint,
  region: args.region,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
};
const client = new KinesisClient(clientConfig);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const shardId = (index) => `shardId-${String(index).padStart(12, '0')}`;

/** Retries calls AWS's call rates or the CREATING-consumer limit refuse (--limits aws). */
async function withRetry(call) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 50 || (error.name !== 'LimitExceededException' && error.name !== 'ResourceInUseException')) throw error;
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }
}

async function waitFor(what, check) {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen within 60 s`);
}

// Setup: a stream, consumers ACTIVE.
const streamName = `fanout-latency-${process.pid}-${Date.now().toString(36)}`;
await withRetry(() => client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount })));
let streamArn;
await waitFor('the stream becoming ACTIVE', async () => {
  const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary;
  streamArn = summary.StreamARN;
  return summary.StreamStatus === 'ACTIVE';
});
const consumerArns = [];
for (let index = 0; index < consumerCount; index++) {
  const out = await withRetry(() => client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `reader-${index}` })));
  consumerArns.push(out.Consumer.ConsumerARN);
}
for (const consumerArn of consumerArns) {
  await waitFor('a consumer becoming ACTIVE', async () =>
    (await withRetry(() => client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn })))).ConsumerDescription.ConsumerStatus === 'ACTIVE');
}

// Subscriptions: every consumer on every shard, each consuming in the background.
const ackMsById = new Map(); // record id -> nowMs() at PutRecord's answer (from the writers' thread)
const sentMsById = new Map();
const arrivals = []; // [recordId, consumerIndex, arrivalMs]
const seen = new Set(); // `${recordId}/${consumerIndex}`
let duplicates = 0;
const subscriptions = [];
const subscriptionErrors = [];
for (const [consumerIndex, consumerArn] of consumerArns.entries()) {
  // One client per consumer, each with the SDK's default configuration.
  const consumerClient = new KinesisClient(clientConfig);
  for (let shardIndex = 0; shardIndex < shardCount; shardIndex++) {
    const controller = new AbortController();
    const out = await withRetry(() =>
      consumerClient.send(
        new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId(shardIndex), StartingPosition: { Type: 'LATEST' } }),
        { abortSignal: controller.signal },
      ));
    const done = (async () => {
      try {
        for await (const message of out.EventStream) {
          const event = message.SubscribeToShardEvent;
          if (!event) continue;
          const arrivalMs = nowMs();
          for (const record of event.Records ?? []) {
            const recordId = Buffer.from(record.Data).toString('latin1', 0, 16).trim();
            const key = `${recordId}/${consumerIndex}`;
            if (seen.has(key)) duplicates++;
            else {
              seen.add(key);
              arrivals.push([recordId, consumerIndex, arrivalMs]);
            }
          }
        }
      } catch (error) {
        if (!controller.signal.aborted) subscriptionErrors.push(String(error));
      }
    })();
    subscriptions.push({ controller, done, consumerClient });
  }
}

// Writers, on a worker thread: sequential PutRecord calls, data = 16-byte id + padding; random
// partition keys spread the shards. They report (id, sent, acknowledged) times in batches.
const writers = new Worker(new URL(import.meta.url), {
  workerData: { clientConfig, streamName, writerCount, seconds, recordBytes },
});
writers.on('message', (batch) => {
  for (const [recordId, sentMs, ackMs] of batch) {
    sentMsById.set(recordId, sentMs);
    ackMsById.set(recordId, ackMs);
  }
});
await new Promise((resolve, reject) => {
  writers.once('exit', resolve);
  writers.once('error', reject);
});
const expected = ackMsById.size * consumerCount;
const drainUntil = nowMs() + drainMs;
while (seen.size < expected && nowMs() < drainUntil) await sleep(20);

for (const { controller } of subscriptions) controller.abort();
await Promise.all(subscriptions.map(({ done }) => done));
for (const { consumerClient } of subscriptions) consumerClient.destroy();
await client.send(new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true })).catch(() => {});
client.destroy();

// Report.
const latencies = [];
const sendToArrival = [];
let beforeAck = 0;
for (const [recordId, , arrivalMs] of arrivals) {
  const ackMs = ackMsById.get(recordId);
  if (ackMs === undefined) continue;
  if (arrivalMs < ackMs) beforeAck++;
  latencies.push(Math.max(0, arrivalMs - ackMs));
  sendToArrival.push(arrivalMs - sentMsById.get(recordId));
}
const percentiles = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => (sorted.length === 0 ? null : Number(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)].toFixed(3)));
  return { p50: at(0.5), p99: at(0.99), max: sorted.length === 0 ? null : Number(sorted[sorted.length - 1].toFixed(3)) };
};
console.log(JSON.stringify({
  endpoint: args.endpoint,
  shards: shardCount,
  consumers: consumerCount,
  writers: writerCount,
  seconds,
  recordBytes,
  recordsAcknowledged: ackMsById.size,
  deliveriesExpected: expected,
  deliveriesReceived: latencies.length,
  deliveriesMissing: expected - latencies.length,
  duplicates,
  deliveredBeforeAck: beforeAck,
  ackToEventMs: percentiles(latencies),
  putRecordMs: percentiles([...ackMsById].map(([recordId, ackMs]) => ackMs - sentMsById.get(recordId))),
  sendToEventMs: percentiles(sendToArrival),
  subscriptionErrors,
}, null, 2));

/** The writers' thread. */
async function runWriters({ clientConfig, streamName, writerCount, seconds, recordBytes }) {
  const client = new KinesisClient(clientConfig);
  let nextId = 0;
  let pending = [];
  const stopAtMs = nowMs() + seconds * 1000;
  const padding = Buffer.alloc(recordBytes - 16, 0x2e);
  const flush = () => {
    if (pending.length > 0) parentPort.postMessage(pending);
    pending = [];
  };
  const timer = setInterval(flush, 50);
  async function writer() {
    while (nowMs() < stopAtMs) {
      const recordId = String(nextId++).padStart(16, ' ');
      const sentMs = nowMs();
      await client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: `k${recordId.trim()}`, Data: Buffer.concat([Buffer.from(recordId, 'latin1'), padding]) }));
      pending.push([recordId.trim(), sentMs, nowMs()]);
    }
  }
  await Promise.all(Array.from({ length: writerCount }, writer));
  clearInterval(timer);
  flush();
  client.destroy();
}
