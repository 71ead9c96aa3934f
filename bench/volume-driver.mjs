#!/usr/bin/env node
// bench/volume-driver.mjs — the volume benchmark's client: write a fixed number of bytes into one
// stream, read every shard back from TRIM_HORIZON, verify; or, after a restart, check that the
// stream's last records survived. bench/volume.sh drives it.
//
//   node volume-driver.mjs write-read --endpoint URL --bytes N [--record-bytes 1000] [--batch 500]
//        [--concurrency 4] [--shards 4] [--server-pid PID] [--state FILE]
//   node volume-driver.mjs check --endpoint URL --state FILE [--server-pid PID] [--reread]
//
// Unlike kbench (timed runs, per-record bookkeeping for ordering checks) it runs until a volume is
// acknowledged and keeps only a few bits per record, so 5 GB of 1000-byte records fit in memory.
// Every record is `"TV01" | worker u16 | seq u48 | crc32 | filler`; the read checks the crc, and a
// per-worker bitmap finds records acknowledged but never read (lost) or read twice (duplicates).
// Requests are plain awsJson1_1 over node:http keep-alive with a SigV4 signature (dummy credentials).
// Progress on stderr; one JSON object on stdout. Exit 0 ok, 2 verification failed, 1 error.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const { values: A, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    endpoint: { type: 'string' }, bytes: { type: 'string' }, 'record-bytes': { type: 'string', default: '1000' },
    batch: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '4' }, shards: { type: 'string', default: '4' },
    'server-pid': { type: 'string' }, state: { type: 'string' }, reread: { type: 'boolean', default: false },
    'stream-name': { type: 'string' }, 'read-limit': { type: 'string', default: '10000' },
  },
});
const mode = positionals[0];
if (!A.endpoint || !['write-read', 'check'].includes(mode) || (mode === 'write-read' && !A.bytes) || (mode === 'check' && !A.state)) {
  process.stderr.write('usage: volume-driver.mjs write-read --endpoint URL --bytes N [...] | check --endpoint URL --state FILE [--reread]\n');
  process.exit(1);
}

const headerBytes = 16; // magic u32 | worker u16 | seq u48 | crc32 u32
const magic = 0x54563031; // "TV01"
const attemptsMax = 30;
const idleTimeoutMs = 30_000;
const recordBytes = Number(A['record-bytes']);
const readLimit = Number(A['read-limit']);
const log = (msg) => process.stderr.write(`[volume ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const backoffMs = (attempt) => Math.min(1000, 10 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random() * 0.5);
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- Kinesis JSON over HTTP/1.1
const url = new URL(A.endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const region = 'us-east-1', accessKeyId = 'AKIDVOLUMEDUMMY', secret = 'volume-dummy-secret';
const sha256 = (d) => crypto.createHash('sha256').update(d).digest('hex');
const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();

function call(action, input) {
  const body = Buffer.from(JSON.stringify(input));
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8), target = `Kinesis_20131202.${action}`, contentType = 'application/x-amz-json-1.1';
  const signed = 'content-type;host;x-amz-date;x-amz-target';
  const canonical = `POST\n/\n\ncontent-type:${contentType}\nhost:${url.host}\nx-amz-date:${amzDate}\nx-amz-target:${target}\n\n${signed}\n${sha256(body)}`;
  const scope = `${date}/${region}/kinesis/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 'kinesis'), 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`).digest('hex');
  const headers = {
    'content-type': contentType, 'x-amz-date': amzDate, 'x-amz-target': target, 'content-length': body.length,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: url.hostname, port: url.port, method: 'POST', path: '/', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : {}; } catch { json = undefined; }
        if (res.statusCode === 200 && json) return resolve(json);
        const error = new Error(`${action}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
        error.name = String(json?.__type ?? `HTTP${res.statusCode}`).split('#').pop();
        error.status = res.statusCode;
        reject(error);
      });
    });
    req.setTimeout(60_000, () => req.destroy(Object.assign(new Error(`${action}: timed out`), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(body);
  });
}

const retriable = (e) => e.status === undefined || e.status >= 500 || e.status === 429 ||
  /Throughput|LimitExceeded|Throttl|ResourceInUse/.test(e.name);

async function callRetrying(action, input) {
  for (let attempt = 0; ; attempt++) {
    try { return await call(action, input); } catch (e) {
      if (!retriable(e) || attempt + 1 >= attemptsMax) throw e;
      await sleep(backoffMs(attempt));
    }
  }
}

// ---------------------------------------------------------------- server memory (/proc)
const serverPid = Number(A['server-pid']) || 0;
function serverMemory() {
  if (!serverPid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${serverPid}/status`, 'utf8');
    const kb = (name) => Number((new RegExp(`${name}:\\s+(\\d+)`).exec(status) ?? [])[1] ?? 0);
    return { vmRssMB: round(kb('VmRSS') / 1024), vmHwmMB: round(kb('VmHWM') / 1024) };
  } catch { return undefined; }
}

// ---------------------------------------------------------------- records
const filler = crypto.randomBytes(1 << 20);
function makeRecord(worker, seq) {
  const b = Buffer.allocUnsafe(recordBytes);
  b.writeUInt32BE(magic, 0);
  b.writeUInt16BE(worker, 4);
  b.writeUIntBE(seq, 6, 6);
  const at = (seq * 7919) % (filler.length - recordBytes);
  filler.copy(b, headerBytes, at, at + recordBytes - headerBytes);
  b.writeUInt32BE(zlib.crc32(b.subarray(headerBytes), zlib.crc32(b.subarray(0, 12))), 12);
  return b;
}
function parseRecord(b) {
  if (b.length < headerBytes || b.readUInt32BE(0) !== magic) return undefined;
  if (zlib.crc32(b.subarray(headerBytes), zlib.crc32(b.subarray(0, 12))) !== b.readUInt32BE(12)) return undefined;
  return { worker: b.readUInt16BE(4), seq: b.readUIntBE(6, 6) };
}

// ---------------------------------------------------------------- stream setup
async function createStream(name, shardCount) {
  await callRetrying('CreateStream', { StreamName: name, ShardCount: shardCount });
  for (let i = 0; ; i++) {
    const r = await callRetrying('DescribeStreamSummary', { StreamName: name }).catch((e) => (e.name === 'ResourceNotFoundException' ? undefined : Promise.reject(e)));
    if (r?.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    if (i > 2400) throw new Error(`stream ${name} not ACTIVE after 60 s`);
    await sleep(25);
  }
  return listShards(name);
}
async function listShards(name) {
  const shards = [];
  let token;
  do {
    const r = await callRetrying('ListShards', token ? { NextToken: token } : { StreamName: name });
    shards.push(...(r.Shards ?? []).map((s) => s.ShardId));
    token = r.NextToken;
  } while (token);
  return shards;
}

// ---------------------------------------------------------------- write
// Acknowledged state per record, per worker: bit 1 acked, bit 2 read, bit 4 read again.
const ACKED = 1, READ = 2, READ_AGAIN = 4;
async function writeVolume(stream, shardIds, bytesTarget, concurrency, batch) {
  const recordsMax = Math.ceil(bytesTarget / recordBytes) + concurrency * batch;
  const books = Array.from({ length: concurrency }, () => ({ state: new Uint8Array(recordsMax), sent: 0 }));
  const lastSequence = new Map(); // ShardId -> highest acknowledged sequence number (BigInt)
  const ackedPerShard = new Map(shardIds.map((s) => [s, 0]));
  const st = { ackedRecords: 0, ackedBytes: 0, requests: 0, throttledEntries: 0, failedEntries: {}, retriedRequests: 0, ambiguousEntries: 0, abandonedEntries: 0 };
  const t0 = performance.now();
  let lastLogAt = t0, lastLogBytes = 0;
  const progress = setInterval(() => {
    const t = performance.now();
    log(`write ${(st.ackedBytes / 1e9).toFixed(2)} / ${(bytesTarget / 1e9).toFixed(2)} GB, ${((st.ackedBytes - lastLogBytes) / 1e6 / ((t - lastLogAt) / 1000)).toFixed(1)} MB/s now, server ${JSON.stringify(serverMemory() ?? {})}`);
    lastLogAt = t; lastLogBytes = st.ackedBytes;
  }, 10_000);

  async function worker(w) {
    const book = books[w];
    while (st.ackedBytes < bytesTarget) {
      let pending = [];
      for (let i = 0; i < batch && book.sent < recordsMax; i++) {
        const seq = book.sent++;
        pending.push({ seq, Data: makeRecord(w, seq).toString('base64'), PartitionKey: `w${w}-k${seq % 1024}` });
      }
      if (!pending.length) break;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt >= attemptsMax) { st.abandonedEntries += pending.length; break; }
        st.requests++;
        let r;
        try {
          r = await call('PutRecords', { StreamName: stream, Records: pending.map(({ Data, PartitionKey }) => ({ Data, PartitionKey })) });
        } catch (e) {
          if (!retriable(e)) throw e;
          if (e.status === undefined || e.status >= 500) st.ambiguousEntries += pending.length;
          st.retriedRequests++;
          await sleep(backoffMs(attempt));
          continue;
        }
        if ((r.Records ?? []).length !== pending.length) throw new Error(`PutRecords answered ${(r.Records ?? []).length} entries for ${pending.length}`);
        const retry = [];
        r.Records.forEach((entry, i) => {
          const p = pending[i];
          if (entry.ErrorCode) {
            st.failedEntries[entry.ErrorCode] = (st.failedEntries[entry.ErrorCode] ?? 0) + 1;
            if (/Throughput|Throttl/.test(entry.ErrorCode)) st.throttledEntries++;
            retry.push(p);
            return;
          }
          book.state[p.seq] |= ACKED;
          st.ackedRecords++; st.ackedBytes += recordBytes;
          ackedPerShard.set(entry.ShardId, (ackedPerShard.get(entry.ShardId) ?? 0) + 1);
          const sn = BigInt(entry.SequenceNumber);
          if (!(lastSequence.get(entry.ShardId) >= sn)) lastSequence.set(entry.ShardId, sn);
        });
        pending = retry;
        if (retry.length) await sleep(backoffMs(attempt));
      }
    }
  }
  try {
    await Promise.all(books.map((_, w) => worker(w)));
  } finally { clearInterval(progress); }
  const seconds = (performance.now() - t0) / 1000;
  return {
    books, ackedPerShard, lastSequence,
    result: {
      ...st, seconds: round(seconds, 3), recordsPerSec: round(st.ackedRecords / seconds), payloadMBps: round(st.ackedBytes / 1e6 / seconds, 2),
      requestsPerSec: round(st.requests / seconds),
    },
  };
}

// ---------------------------------------------------------------- read
// Reads every shard from TRIM_HORIZON until caught up. `books` (optional) gets the READ bits.
async function readAll(stream, shardIds, expectedPerShard, books) {
  const st = { records: 0, bytes: 0, calls: 0, corrupt: 0, duplicates: 0, unknown: 0, throttles: 0 };
  const perShard = {};
  const t0 = performance.now();
  let lastLogAt = t0;
  async function readShard(shardId) {
    const expected = expectedPerShard?.get(shardId);
    const mine = { records: 0, stop: '' };
    perShard[shardId] = mine;
    let { ShardIterator: iterator } = await callRetrying('GetShardIterator', { StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' });
    let lastDataAt = performance.now(), emptyStreak = 0;
    for (;;) {
      let r;
      try { r = await call('GetRecords', { ShardIterator: iterator, Limit: readLimit }); } catch (e) {
        if (!retriable(e)) throw e;
        st.throttles++; await sleep(backoffMs(1)); continue;
      }
      st.calls++;
      for (const rec of r.Records ?? []) {
        const data = Buffer.from(rec.Data, 'base64');
        st.records++; mine.records++; st.bytes += data.length;
        const id = parseRecord(data);
        if (!id || data.length !== recordBytes) { st.corrupt++; continue; }
        if (!books) continue;
        const book = books[id.worker];
        if (!book || id.seq >= book.state.length) { st.unknown++; continue; }
        if (book.state[id.seq] & READ) { book.state[id.seq] |= READ_AGAIN; st.duplicates++; } else book.state[id.seq] |= READ;
      }
      const now = performance.now();
      if (now - lastLogAt > 10_000) { lastLogAt = now; log(`read ${(st.bytes / 1e9).toFixed(2)} GB, ${st.records} records, server ${JSON.stringify(serverMemory() ?? {})}`); }
      if (!r.NextShardIterator) { mine.stop = 'shard closed'; break; }
      iterator = r.NextShardIterator;
      if ((r.Records ?? []).length) { lastDataAt = now; emptyStreak = 0; continue; }
      emptyStreak++;
      const caughtUp = !r.MillisBehindLatest;
      if (caughtUp && (expected === undefined ? emptyStreak >= 2 : mine.records >= expected || emptyStreak >= 3)) { mine.stop = 'caught up'; break; }
      if (now - lastDataAt > idleTimeoutMs) { mine.stop = `idle ${idleTimeoutMs} ms (MillisBehindLatest ${r.MillisBehindLatest})`; break; }
      await sleep(20);
    }
  }
  await Promise.all(shardIds.map(readShard));
  const seconds = (performance.now() - t0) / 1000;
  return { ...st, seconds: round(seconds, 3), recordsPerSec: round(st.records / seconds), payloadMBps: round(st.bytes / 1e6 / seconds, 2), perShard };
}

// ---------------------------------------------------------------- modes
async function writeRead() {
  const bytesTarget = Number(A.bytes), shardCount = Number(A.shards);
  const stream = A['stream-name'] ?? `volume-${Date.now().toString(36)}`;
  const shardIds = await createStream(stream, shardCount);
  log(`stream ${stream} ACTIVE with ${shardIds.length} shards; writing ${(bytesTarget / 1e9).toFixed(2)} GB in ${recordBytes} B records`);
  const memoryBefore = serverMemory();
  const { books, ackedPerShard, lastSequence, result: write } = await writeVolume(stream, shardIds, bytesTarget, Number(A.concurrency), Number(A.batch));
  const memoryAfterWrite = serverMemory();
  log(`write done: ${write.ackedRecords} records, ${write.payloadMBps} MB/s; reading back`);
  const read = await readAll(stream, shardIds, ackedPerShard, books);
  const memoryAfterRead = serverMemory();
  let lost = 0;
  for (const book of books) for (let s = 0; s < book.sent; s++) if ((book.state[s] & (ACKED | READ)) === ACKED) lost++;
  const verify = { ok: lost === 0 && read.duplicates === 0 && read.corrupt === 0 && read.unknown === 0, lost, duplicates: read.duplicates, corrupt: read.corrupt, unknown: read.unknown };
  log(`read done: ${read.records} records, ${read.payloadMBps} MB/s; lost ${lost}, duplicates ${read.duplicates}, corrupt ${read.corrupt}`);
  const state = {
    stream, shardIds, recordBytes, ackedRecords: write.ackedRecords, ackedBytes: write.ackedBytes,
    ackedPerShard: Object.fromEntries(ackedPerShard), lastSequenceNumbers: Object.fromEntries([...lastSequence].map(([k, v]) => [k, String(v)])),
  };
  if (A.state) fs.writeFileSync(A.state, JSON.stringify(state) + '\n');
  return { ok: verify.ok, mode, stream, shards: shardIds.length, bytesTarget, write, read, verify, server: { before: memoryBefore, afterWrite: memoryAfterWrite, afterRead: memoryAfterRead } };
}

async function check() {
  const state = JSON.parse(fs.readFileSync(A.state, 'utf8'));
  const summary = await callRetrying('DescribeStreamSummary', { StreamName: state.stream });
  const tails = {};
  let tailsOk = true;
  for (const [shardId, sequenceNumber] of Object.entries(state.lastSequenceNumbers)) {
    const { ShardIterator } = await callRetrying('GetShardIterator', { StreamName: state.stream, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: sequenceNumber });
    const r = await callRetrying('GetRecords', { ShardIterator, Limit: 1 });
    const rec = r.Records?.[0];
    const ok = rec?.SequenceNumber === sequenceNumber && parseRecord(Buffer.from(rec.Data, 'base64')) !== undefined;
    tails[shardId] = ok ? 'ok' : `expected ${sequenceNumber}, got ${rec?.SequenceNumber ?? 'nothing'}`;
    tailsOk &&= ok;
  }
  const out = { mode, stream: state.stream, status: summary.StreamDescriptionSummary?.StreamStatus, tailsOk, tails, server: { afterCheck: serverMemory() } };
  if (A.reread) {
    const expected = new Map(Object.entries(state.ackedPerShard));
    out.reread = await readAll(state.stream, state.shardIds, expected);
    out.reread.missing = state.ackedRecords - (out.reread.records - out.reread.corrupt);
    out.server.afterReread = serverMemory();
  }
  out.ok = out.status === 'ACTIVE' && tailsOk && (!out.reread || (out.reread.missing === 0 && out.reread.corrupt === 0));
  return out;
}

try {
  const out = mode === 'write-read' ? await writeRead() : await check();
  process.stdout.write(JSON.stringify(out) + '\n');
  agent.destroy();
  process.exitCode = out.ok ? 0 : 2;
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, mode, error: { name: e.name, message: String(e.message).slice(0, 500) } }) + '\n');
  agent.destroy();
  process.exitCode = 1;
}
