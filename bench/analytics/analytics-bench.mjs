// bench/analytics/analytics-bench.mjs — one round of the Analytics section (bench/analytics/run.sh)
// against a running server (unauthenticated, --auth none), through raw HTTP (keep-alive node:http):
//
// 1. Throughput: --records JSON records (~70 bytes: {"ticker":"T123","price":12.34,"volume":1234})
//    are written to a 4-shard input stream by --concurrency writers (PutRecords of 500) while the
//    application is stopped; then it starts at TRIM_HORIZON and the bench samples /health every
//    100 ms until every record has gone through the engine: rows/s processed (the rate while
//    catching up, from the first row to the last — the sustained rate the application can take),
//    and the server's CPU per row (user+system of the whole process, worker threads included).
// 2. Delay (--live-seconds > 0): writers then put records at --live-rate records/s for
//    --live-seconds; for the tumbling aggregate every output row's delay is the time its record
//    arrived in the output stream (ApproximateArrivalTimestamp) less the end of its window
//    (WINDOW_START + the window), p50/p99/max over the windows that closed during the phase.
//
// Variants (--variant): filter (WHERE price > 50, three of the input's columns: about half the rows
// out) and aggregate (COUNT, SUM, MIN, MAX per ticker over a one-minute tumbling window of ROWTIME,
// --tickers distinct tickers). Prints one JSON line.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseFlags } from '../lib/flags.mjs';

const opts = parseFlags({ endpoint: 'http://127.0.0.1:4567', serverPid: 0, variant: 'filter', records: 1_000_000, concurrency: 4, tickers: 200, liveSeconds: 0, liveRate: 20_000, windowSeconds: 60, name: 'bench' });
const url = new URL(opts.endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency + 4 });
const clockTicks = 100;
const region = 'us-east-1';
const account = '000000000000';
const input = `${opts.name}-in`;
const output = `${opts.name}-out`;
const app = `${opts.name}-app`;
const roleArn = `arn:aws:iam::${account}:role/bench`;
const streamArn = (name) => `arn:aws:kinesis:${region}:${account}:stream/${name}`;

function request(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers: { ...headers, ...(body && { 'content-length': body.length }) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function call(target, action, payload) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  const answer = await request('POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${target}.${action}` }, body);
  if (answer.status !== 200) throw new Error(`${action}: ${answer.status} ${answer.body.toString('utf8').slice(0, 300)}`);
  return answer.body.length === 0 ? {} : JSON.parse(answer.body.toString('utf8'));
}
const kinesis = (action, payload) => call('Kinesis_20131202', action, payload);
const analytics = (action, payload) => call('KinesisAnalytics_20150814', action, payload);

async function health() {
  const answer = await request('GET', '/health', {});
  return JSON.parse(answer.body.toString('utf8')).analytics ?? {};
}

function cpuMs(pid) {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

function busyOthers() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { total: line.slice(0, 8).reduce((a, b) => a + b, 0), idle: line[3] + line[4] };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** PutRecords bodies: 500 records each, tickers T0…T(n−1), prices 0–100. */
function bodies(count, seed) {
  const out = [];
  let n = seed;
  for (let made = 0; made < count; made += 500) {
    const records = [];
    for (let i = 0; i < Math.min(500, count - made); i++, n++) {
      const data = JSON.stringify({ ticker: `T${n % opts.tickers}`, price: ((n * 7919) % 10000) / 100, volume: n % 5000 });
      records.push({ PartitionKey: String(n), Data: Buffer.from(data).toString('base64') });
    }
    out.push(Buffer.from(JSON.stringify({ StreamName: input, Records: records })));
  }
  return out;
}

async function write(batches, ratePerSec) {
  let next = 0;
  const started = performance.now();
  let written = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        for (;;) {
          const answer = JSON.parse((await request('POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecords' }, body)).body.toString('utf8'));
          if (answer.FailedRecordCount === 0) break;
          await sleep(20);
        }
        written += 500;
        if (ratePerSec > 0) {
          const due = started + (written / ratePerSec) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
        }
      }
    }),
  );
}

const codes = {
  filter: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE, VOLUME INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER, PRICE, VOLUME FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 50;`,
  aggregate: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (WINDOW_START TIMESTAMP, TICKER VARCHAR(8), N INTEGER, TOTAL_VOLUME BIGINT, LOW DOUBLE, HIGH DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '${opts.windowSeconds}' SECOND), TICKER, COUNT(*), SUM(VOLUME), MIN(PRICE), MAX(PRICE)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '${opts.windowSeconds}' SECOND);`,
};

/** Every output record with its arrival time, all shards. */
async function readOutput() {
  const out = [];
  const { Shards } = await kinesis('ListShards', { StreamName: output });
  for (const shard of Shards) {
    let { ShardIterator } = await kinesis('GetShardIterator', { StreamName: output, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' });
    for (;;) {
      const page = await kinesis('GetRecords', { ShardIterator, Limit: 10000 });
      for (const record of page.Records) out.push({ data: Buffer.from(record.Data, 'base64').toString('utf8'), arrivalMs: Math.round(record.ApproximateArrivalTimestamp * 1000) });
      if (page.Records.length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return out;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  await kinesis('CreateStream', { StreamName: input, ShardCount: 4 });
  await kinesis('CreateStream', { StreamName: output, ShardCount: 1 });
  await sleep(200);
  await analytics('CreateApplication', {
    ApplicationName: app,
    Inputs: [{
      NamePrefix: 'SOURCE_SQL_STREAM',
      KinesisStreamsInput: { ResourceARN: streamArn(input), RoleARN: roleArn },
      InputSchema: {
        RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
        RecordColumns: [
          { Name: 'TICKER', Mapping: '$.ticker', SqlType: 'VARCHAR(8)' },
          { Name: 'PRICE', Mapping: '$.price', SqlType: 'DOUBLE' },
          { Name: 'VOLUME', Mapping: '$.volume', SqlType: 'INTEGER' },
        ],
      },
    }],
    Outputs: [{ Name: 'DESTINATION_SQL_STREAM', KinesisStreamsOutput: { ResourceARN: streamArn(output), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: 'JSON' } }],
    ApplicationCode: codes[opts.variant],
  });

  // 1. The backlog, written while the application is stopped.
  const writeStarted = performance.now();
  await write(bodies(opts.records, 0), 0);
  const writeSeconds = (performance.now() - writeStarted) / 1000;

  await analytics('StartApplication', { ApplicationName: app, InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }] });
  const cpuBefore = cpuMs(opts.serverPid);
  const hostBefore = busyOthers();
  let first;
  let last;
  let sample;
  const deadline = performance.now() + 600_000;
  for (;;) {
    sample = await health();
    const processed = (sample.rowsIn ?? 0) + (sample.errors ?? 0);
    const now = performance.now();
    if (first === undefined && processed > 0) first = { at: now, processed, cpu: cpuMs(opts.serverPid) };
    if (processed >= opts.records) {
      last = { at: now, processed, cpu: cpuMs(opts.serverPid) };
      break;
    }
    if (now > deadline) break;
    await sleep(100);
  }
  const hostAfter = busyOthers();
  const cpuAfter = cpuMs(opts.serverPid);
  const result = {
    variant: opts.variant,
    records: opts.records,
    writeRecordsPerSec: Math.round(opts.records / writeSeconds),
    ok: last !== undefined,
  };
  if (last !== undefined && first !== undefined) {
    const seconds = (last.at - first.at) / 1000;
    result.rowsPerSec = Math.round((last.processed - first.processed) / seconds);
    result.catchUpSeconds = Math.round(seconds * 10) / 10;
    result.serverCpuUsPerRow = Math.round(((last.cpu - first.cpu) * 1000) / (last.processed - first.processed) * 100) / 100;
    result.serverCpuCores = Math.round(((last.cpu - first.cpu) / (last.at - first.at)) * 100) / 100;
  }
  result.serverCpuMsTotal = Math.round(cpuAfter - cpuBefore);
  const hostTicks = hostAfter.total - hostBefore.total;
  result.hostBusyCores = hostTicks > 0 ? Math.round(((hostTicks - (hostAfter.idle - hostBefore.idle)) / hostTicks) * 2 * 100) / 100 : null;
  await sleep(500);
  result.outputRecords = (await health()).recordsOut;

  // 2. Live: the delay from a window's end to its rows in the output stream.
  if (opts.liveSeconds > 0 && opts.variant === 'aggregate') {
    const liveStartedMs = Date.now();
    await write(bodies(opts.liveRate * opts.liveSeconds, opts.records), opts.liveRate);
    // The last window the phase fills closes a window later.
    await sleep(opts.windowSeconds * 1000 + 2000);
    const windowMs = opts.windowSeconds * 1000;
    const rows = (await readOutput()).map((record) => ({ ...JSON.parse(record.data), arrivalMs: record.arrivalMs }));
    const delays = rows
      .map((row) => ({ endMs: Date.parse(row.WINDOW_START.replace(' ', 'T') + 'Z') + windowMs, arrivalMs: row.arrivalMs }))
      .filter((row) => row.endMs > liveStartedMs + windowMs)
      .map((row) => row.arrivalMs - row.endMs)
      .sort((a, b) => a - b);
    result.live = { seconds: opts.liveSeconds, rate: opts.liveRate, windowsClosed: new Set(rows.map((row) => row.WINDOW_START)).size, rowsMeasured: delays.length, delayMsP50: percentile(delays, 50), delayMsP99: percentile(delays, 99), delayMsMax: delays.at(-1) ?? null };
  }
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.log(JSON.stringify({ variant: opts.variant, ok: false, error: String(error?.stack ?? error) }));
  process.exitCode = 1;
});
