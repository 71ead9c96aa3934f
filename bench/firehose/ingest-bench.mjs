// bench/firehose/ingest-bench.mjs — one round of the Firehose section (bench/firehose/run.sh):
// against a running server (unauthenticated, --auth none) it creates a DirectPut → ExtendedS3
// (built-in store) delivery stream with CompressionFormat GZIP and the given BufferingHints, then
// --concurrency raw HTTP clients (keep-alive node:http, one request in flight each, bodies built
// before the clock starts so the client costs little CPU) send PutRecordBatch of --batch records
// of --record-bytes each for --seconds. Meanwhile it samples the server's VmRSS
// (/proc/<pid>/status) every 100 ms and lists the bucket every 250 ms, noting when each object
// first appears. After the writers stop it waits (≤ --drain-seconds) until every acknowledged
// record is delivered, then reads every object, gunzips it and counts its records and bytes.
//
// Prints one JSON line: acknowledged records/s and MB/s (durable: PutRecordBatch answers only once
// the append is fsynced), delivered MB/s over the write window (records' bytes in objects that
// appeared in it), the backlog when the writers stopped, the server's RSS (max and the max while
// a full buffer was filling), its CPU (user+system from /proc/<pid>/stat) per record and per MB,
// the host's busy share (other processes) and a check that every record was delivered; also the
// delivered share (delivered in the window / acknowledged: 1 when delivery keeps up, less by about
// the open buffer when it does) and the server's CPU per MB from the first write until every record
// was delivered (ingest and delivery together, comparable on a loaded machine).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { parseFlags } from '../lib/flags.mjs';

const opts = parseFlags({ endpoint: 'http://127.0.0.1:4567', serverPid: 0, seconds: 30, concurrency: 4, batch: 500, recordBytes: 1024, sizeMB: 128, intervalSeconds: 60, drainSeconds: 90, name: 'bench-delivery' });
const url = new URL(opts.endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency + 4 });
const bucket = `${opts.name}-bucket`;
const clockTicks = 100; // USER_HZ on Linux

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

function firehose(action, input) {
  const body = Buffer.isBuffer(input) ? input : Buffer.from(JSON.stringify(input));
  return request('POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Firehose_20150804.${action}` }, body);
}

async function firehoseOk(action, input) {
  const answer = await firehose(action, input);
  if (answer.status !== 200) throw new Error(`${action}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body.toString() || '{}');
}

/** A 1 KiB JSON log line, numbered by the writer and its sequence, newline-terminated. */
function record(writer, n) {
  const head = `{"w":${writer},"n":${n},"ts":${1_700_000_000_000 + n},"msg":"`;
  let text = '';
  for (let i = 0; text.length < opts.recordBytes; i++) text += `event ${(n * 2654435761 + i * 97) >>> 0} user-${(n + i) % 977} ok `;
  return Buffer.from(head + text.slice(0, opts.recordBytes - head.length - 3) + '"}\n');
}

/** Eight distinct PutRecordBatch bodies per writer, built before timing (records repeat across them; the count is what matters). */
function bodies(writer) {
  return Array.from({ length: 8 }, (_, b) => {
    const records = Array.from({ length: opts.batch }, (_, i) => `{"Data":"${record(writer, b * opts.batch + i).toString('base64')}"}`);
    return Buffer.from(`{"DeliveryStreamName":"${opts.name}","Records":[${records.join(',')}]}`);
  });
}

function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime + stime, seconds
}

function rssMB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

function hostCpu() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = values[3] + values[4];
  return { total: values.reduce((a, b) => a + b, 0), busy: values.reduce((a, b) => a + b, 0) - idle };
}

async function listObjects() {
  const out = [];
  let token;
  do {
    const answer = await request('GET', `/${bucket}?list-type=2${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`, {});
    if (answer.status === 404) return out;
    const xml = answer.body.toString();
    for (const match of xml.matchAll(/<Contents>.*?<Key>(.*?)<\/Key>.*?<Size>(\d+)<\/Size>.*?<\/Contents>/gs)) out.push({ key: match[1].replace(/&amp;/g, '&'), size: Number(match[2]) });
    token = /<NextContinuationToken>(.*?)<\/NextContinuationToken>/.exec(xml)?.[1];
  } while (token);
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1e6;

async function main() {
  await firehoseOk('CreateDeliveryStream', {
    DeliveryStreamName: opts.name,
    DeliveryStreamType: 'DirectPut',
    ExtendedS3DestinationConfiguration: { RoleARN: 'arn:aws:iam::000000000000:role/firehose', BucketARN: `arn:aws:s3:::${bucket}`, CompressionFormat: 'GZIP', BufferingHints: { SizeInMBs: opts.sizeMB, IntervalInSeconds: opts.intervalSeconds } },
  });
  for (let i = 0; ; i++) {
    const described = await firehoseOk('DescribeDeliveryStream', { DeliveryStreamName: opts.name });
    if (described.DeliveryStreamDescription.DeliveryStreamStatus === 'ACTIVE') break;
    if (i > 300) throw new Error('never ACTIVE');
    await sleep(20);
  }
  const perWriter = Array.from({ length: opts.concurrency }, (_, w) => bodies(w));
  const recordBytesTotal = perWriter[0][0].length; // request bytes, for the wire rate
  const pid = opts.serverPid;
  // Sampling: RSS every 100 ms, the bucket every 250 ms (first sighting of each object).
  const started = performance.now();
  const seenAt = new Map();
  let rssMax = 0;
  let rssMaxWriting = 0;
  let writing = true;
  let sampling = true;
  const rssLoop = (async () => {
    while (sampling) {
      if (pid) {
        const rss = rssMB(pid);
        rssMax = Math.max(rssMax, rss);
        if (writing) rssMaxWriting = Math.max(rssMaxWriting, rss);
      }
      await sleep(100);
    }
  })();
  const listLoop = (async () => {
    while (sampling) {
      for (const object of await listObjects()) if (!seenAt.has(object.key)) seenAt.set(object.key, { atMs: performance.now() - started, size: object.size });
      await sleep(250);
    }
  })();

  const cpu0 = pid ? procStat(pid) : 0;
  const host0 = hostCpu();
  const self0 = process.cpuUsage();
  let acked = 0;
  let throttled = 0;
  let failed = 0;
  const latencies = [];
  const deadline = started + opts.seconds * 1000;
  await Promise.all(perWriter.map(async (list) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const at = performance.now();
      const answer = await firehose('PutRecordBatch', list[i % list.length]);
      latencies.push(performance.now() - at);
      if (answer.status === 200) acked += opts.batch - JSON.parse(answer.body).FailedPutCount;
      else if (answer.status === 503) { throttled++; await sleep(50); }
      else { failed++; if (failed < 3) console.error(`PutRecordBatch ${answer.status} ${answer.body}`); }
    }
  }));
  const writeSeconds = (performance.now() - started) / 1000;
  writing = false;
  const cpu1 = pid ? procStat(pid) : 0;
  const host1 = hostCpu();
  const self = process.cpuUsage(self0);
  const listedAtStop = await listObjects();
  for (const object of listedAtStop) if (!seenAt.has(object.key)) seenAt.set(object.key, { atMs: performance.now() - started, size: object.size });
  const keysAtStop = new Set(listedAtStop.map((object) => object.key));

  // Drain: wait for the rest (the open buffer flushes after IntervalInSeconds), counting records.
  const counted = new Map(); // key -> { records, bytes }
  const countAll = async () => {
    let records = 0;
    let bytes = 0;
    for (const object of await listObjects()) {
      let c = counted.get(object.key);
      if (!c) {
        const got = await request('GET', `/${bucket}/${object.key.split('/').map(encodeURIComponent).join('/')}`, {});
        const raw = gunzipSync(got.body);
        let lines = 0;
        for (let at = raw.indexOf(10); at >= 0; at = raw.indexOf(10, at + 1)) lines++;
        c = { records: lines, bytes: raw.length };
        counted.set(object.key, c);
      }
      records += c.records;
      bytes += c.bytes;
    }
    return { records, bytes };
  };
  const drainStarted = performance.now();
  let total = await countAll();
  while (total.records < acked && performance.now() - drainStarted < opts.drainSeconds * 1000) {
    await sleep(1000);
    total = await countAll();
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  // CPU from the first write to the last record delivered: ingest and delivery together, which a
  // window's CPU splits unevenly (a server that falls behind does its delivery work after the window).
  const cpuDelivered = pid ? procStat(pid) : 0;
  sampling = false;
  await Promise.all([rssLoop, listLoop]);

  let deliveredInWindowBytes = 0;
  for (const key of keysAtStop) deliveredInWindowBytes += counted.get(key)?.bytes ?? 0;
  const ackedBytes = acked * opts.recordBytes;
  const serverCpuSeconds = cpu1 - cpu0;
  const hostBusyCores = ((host1.busy - host0.busy) / (host1.total - host0.total)) * cpus().length; // cores busy
  latencies.sort((a, b) => a - b);
  const result = {
    tool: 'firehose-ingest-bench',
    settings: { seconds: opts.seconds, concurrency: opts.concurrency, batch: opts.batch, recordBytes: opts.recordBytes, sizeMB: opts.sizeMB, intervalSeconds: opts.intervalSeconds, compression: 'GZIP' },
    writeSeconds: round(writeSeconds, 2),
    ackedRecords: acked,
    ackedRecordsPerSec: Math.round(acked / writeSeconds),
    ackedMBps: round(ackedBytes / MB / writeSeconds, 1),
    requestMBps: round((acked / opts.batch) * recordBytesTotal / MB / writeSeconds, 1),
    putRecordBatchMs: { p50: round(latencies[Math.floor(latencies.length * 0.5)] ?? 0, 1), p99: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0, 1) },
    throttled,
    failed,
    deliveredInWindowMBps: round(deliveredInWindowBytes / MB / writeSeconds, 1),
    backlogAtStopMB: round((ackedBytes - deliveredInWindowBytes) / MB, 1),
    objects: counted.size,
    objectMBAvg: round([...counted.values()].reduce((sum, c) => sum + c.bytes, 0) / Math.max(1, counted.size) / MB, 2),
    compressedRatio: round([...seenAt.values()].reduce((sum, o) => sum + o.size, 0) / Math.max(1, [...counted.values()].reduce((sum, c) => sum + c.bytes, 0)), 3),
    drainSeconds: round(drainSeconds, 1),
    deliveredRecords: total.records,
    allDelivered: total.records >= acked,
    rssMBMax: round(rssMax, 0),
    rssMBMaxWriting: round(rssMaxWriting, 0),
    serverCpuSeconds: round(serverCpuSeconds, 2),
    serverCpuUsPerRecord: round((serverCpuSeconds * 1e6) / Math.max(1, acked), 2),
    serverCpuMsPerMB: round((serverCpuSeconds * 1000) / Math.max(1e-9, ackedBytes / MB), 2),
    serverCores: round(serverCpuSeconds / writeSeconds, 2),
    serverCpuMsPerMBDelivered: round(((cpuDelivered - cpu0) * 1000) / Math.max(1e-9, ackedBytes / MB), 2),
    deliveredShare: round(deliveredInWindowBytes / Math.max(1, ackedBytes), 2),
    clientCores: round((self.user + self.system) / 1e6 / writeSeconds, 2),
    hostBusyCores: round(hostBusyCores, 2),
    othersCores: round(hostBusyCores - serverCpuSeconds / writeSeconds - (self.user + self.system) / 1e6 / writeSeconds, 2),
  };
  console.log(JSON.stringify(result));
  agent.destroy();
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

main().catch((error) => {
  console.error(error);
  console.log(JSON.stringify({ tool: 'firehose-ingest-bench', ok: false, error: String(error?.message ?? error) }));
  process.exit(1);
});
