#!/usr/bin/env node
// bench/s3/s3-bench.mjs — one S3 endpoint measured through @aws-sdk/client-s3 (path-style, keep-alive,
// checksums only where S3 requires them) or, with --client raw, the small-object and list requests as
// hand-built unsigned HTTP/1.1 on keep-alive sockets (bench/s3/raw-http.mjs: a fraction of the SDK's
// client CPU per request, so a small-object rate is the server's); the same code for every endpoint
// (bench/s3/run.sh runs it against Tributary, s3rver and ack-only side by side, in both client modes).
//
// usage: node bench/s3/s3-bench.mjs --endpoint URL [--label NAME] [--server-pid PID] [--wait-ready-s 60]
//          [--concurrency 16] [--rounds 5] [--list-keys 100000] [--get-per-round 10000]
//          [--large-rounds 5] [--large-per-round 4] [--large-concurrency 4] [--large-mib 64]
//          [--list-pages 20] [--list-seconds 60] [--phases small-put,small-get,list,large-put,large-get]
//          [--client sdk|raw]   (raw: small-put, small-get, list and large-put unsigned on raw-http.mjs; large-get SDK)
//
// Phases, each in rounds reported one by one and as the median:
//   small-put  rounds × (list-keys / rounds) PUTs of 1 KiB objects at `concurrency`: objects/s. The keys
//              (k/0000000…) are the bucket the list phase reads: 100,000 keys by default.
//   small-get  rounds × get-per-round GETs of random keys among them: objects/s.
//   list       ListObjectsV2 MaxKeys 1000 from a random StartAfter (a full page), one at a time: ms per page
//              through the SDK (parsing the XML included; sdk mode only) and as a bare unsigned GET (node:http
//              in sdk mode, the raw client in raw mode; time to the last byte: the server's share; s3rver
//              and Tributary under --auth none accept it).
//   large-put  large-rounds × large-per-round PUTs of large-mib MiB objects at large-concurrency: MB/s (10^6 B).
//   large-get  the same objects read back (body drained): MB/s.
// With --server-pid, each round also reads the server's CPU time (/proc/PID/stat utime + stime, USER_HZ
// 100) before and after: server CPU ms per object and the server's share of a core; the client's own
// (process.cpuUsage) likewise — near 100 % the single client process is the limit, not the server.
// Output: progress on stderr; one JSON object, the last line on stdout.
import { Agent, get as httpGet } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { RawS3 } from './raw-http.mjs';

const { values: opts } = parseArgs({
  options: {
    endpoint: { type: 'string' }, label: { type: 'string', default: '' }, 'server-pid': { type: 'string' },
    'wait-ready-s': { type: 'string', default: '0' }, concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '5' }, 'list-keys': { type: 'string', default: '100000' },
    'get-per-round': { type: 'string', default: '10000' }, 'large-rounds': { type: 'string', default: '5' },
    'large-per-round': { type: 'string', default: '4' }, 'large-concurrency': { type: 'string', default: '4' },
    'large-mib': { type: 'string', default: '64' }, 'list-pages': { type: 'string', default: '20' },
    'list-seconds': { type: 'string', default: '60' }, client: { type: 'string', default: 'sdk' },
    phases: { type: 'string', default: 'small-put,small-get,list,large-put,large-get' },
  },
});
if (!opts.endpoint) { console.error('--endpoint URL is required'); process.exit(1); }
if (!['sdk', 'raw'].includes(opts.client)) { console.error('--client must be sdk or raw'); process.exit(1); }
const rawClient = opts.client === 'raw';
const num = (name) => Number(opts[name]);
const concurrency = num('concurrency');
const rounds = num('rounds');
const listKeys = num('list-keys');
const phases = new Set(opts.phases.split(','));
const serverPid = opts['server-pid'] ? Number(opts['server-pid']) : undefined;
const smallBytes = 1024;
const largeBytes = num('large-mib') * 1024 * 1024;
const log = (message) => console.error(`[s3-bench ${opts.label}] ${message}`);

const s3 = new S3Client({
  endpoint: opts.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  // s3rver checks signatures against its one built-in key; Tributary under --auth none accepts any.
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  // The server's work is measured, not the client's CRC32 of every byte (s3rver ignores checksums anyway).
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  maxAttempts: 1,
  requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: Math.max(concurrency, num('large-concurrency')) }), requestTimeout: 300_000 },
});

const median = (values) => { const s = [...values].sort((a, b) => a - b); return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const quantile = (values, q) => { const s = [...values].sort((a, b) => a - b); return s.length === 0 ? null : s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const round1 = (x) => (x === null ? null : Math.round(x * 10) / 10);
const round3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);

/** Server CPU ms so far (utime + stime of /proc/PID/stat, in USER_HZ = 100 ticks). */
function serverCpuMs() {
  if (serverPid === undefined) return undefined;
  const stat = readFileSync(`/proc/${serverPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms all processes on the host used so far (/proc/stat: every state but idle and iowait). */
function hostBusyMs() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3] - fields[4]) * 10;
}

/** Runs `task(i, worker)` for i in [0, count) with `workers` at once (worker in [0, workers)); counts failures (first few logged). */
async function pool(count, workers, task) {
  let next = 0, failures = 0;
  const errors = {};
  await Promise.all(Array.from({ length: Math.min(workers, count) }, async (_, worker) => {
    while (next < count) {
      const i = next++;
      try { await task(i, worker); } catch (error) {
        failures++;
        const code = error?.name ?? String(error);
        errors[code] = (errors[code] ?? 0) + 1;
        if (failures <= 3) log(`request ${i} failed: ${code}: ${error?.message}`);
      }
    }
  }));
  return { failures, errors };
}

/** One measured round: rate per second of `units` (objects or bytes) and server CPU per object. */
async function measuredRound(objects, unitsPerObject, workers, task) {
  const cpu0 = serverCpuMs();
  const client0 = process.cpuUsage();
  const host0 = hostBusyMs();
  const t0 = performance.now();
  const { failures, errors } = await pool(objects, workers, task);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = serverCpuMs();
  const client = process.cpuUsage(client0);
  const clientCpuMs = (client.user + client.system) / 1000;
  // What other processes used meanwhile, in % of one core: well above 0, the round was disturbed.
  const othersPct = ((hostBusyMs() - host0 - clientCpuMs - (cpu1 !== undefined ? cpu1 - cpu0 : 0)) / 1000 / seconds) * 100;
  const done = objects - failures;
  return {
    objects: done, failures, ...(failures ? { errors } : {}), seconds: round3(seconds),
    perSec: round1((done * unitsPerObject) / seconds),
    othersPct: round1(Math.max(0, othersPct)),
    clientCpuMsPerObject: round3(clientCpuMs / Math.max(done, 1)), clientCpuPct: round1((clientCpuMs / 1000 / seconds) * 100),
    ...(cpu0 !== undefined ? { serverCpuMsPerObject: round3((cpu1 - cpu0) / Math.max(done, 1)), serverCpuPct: round1(((cpu1 - cpu0) / 1000 / seconds) * 100) } : {}),
  };
}

function summary(roundsRun) {
  return {
    median: median(roundsRun.map((r) => r.perSec)),
    serverCpuMsPerObject: median(roundsRun.filter((r) => r.serverCpuMsPerObject !== undefined).map((r) => r.serverCpuMsPerObject)),
    serverCpuPct: median(roundsRun.filter((r) => r.serverCpuPct !== undefined).map((r) => r.serverCpuPct)),
    clientCpuMsPerObject: median(roundsRun.map((r) => r.clientCpuMsPerObject)),
    clientCpuPct: median(roundsRun.map((r) => r.clientCpuPct)),
    othersPct: median(roundsRun.map((r) => r.othersPct)),
    failures: roundsRun.reduce((sum, r) => sum + r.failures, 0),
    rounds: roundsRun,
  };
}

/** An unsigned GET on a keep-alive socket: ms to the last byte, and the body. */
const rawAgent = new Agent({ keepAlive: true, maxSockets: 1 });
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    httpGet(new URL(path, opts.endpoint), { agent: rawAgent }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ ms: performance.now() - t0, status: response.statusCode, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

async function drain(body) { let bytes = 0; for await (const chunk of body) bytes += chunk.length; return bytes; }

async function waitReady(seconds) {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    try { await s3.send(new ListBucketsCommand({})); return; } catch (error) {
      if (performance.now() > deadline) throw new Error(`${opts.endpoint} not ready after ${seconds} s: ${error?.name}: ${error?.message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function ensureBucket(Bucket) {
  try { await s3.send(new CreateBucketCommand({ Bucket })); } catch (error) {
    if (error?.name !== 'BucketAlreadyOwnedByYou' && error?.name !== 'BucketAlreadyExists') throw error;
  }
}

const smallKey = (i) => `k/${String(i).padStart(7, '0')}`;
// --client raw: the small-object and list requests on hand-built HTTP/1.1 (bench/s3/raw-http.mjs), one
// keep-alive connection per worker; bucket creation and the readiness probe still go through the SDK.
const raw = rawClient ? new RawS3(opts.endpoint, concurrency) : undefined;

async function main() {
  const result = { tool: 's3-bench', label: opts.label, client: opts.client, endpoint: opts.endpoint, date: new Date().toISOString(),
    settings: { concurrency, rounds, listKeys, smallBytes, largeBytes, largeRounds: num('large-rounds'), largePerRound: num('large-per-round'), largeConcurrency: num('large-concurrency'), getPerRound: num('get-per-round') } };
  const readyStart = performance.now();
  if (num('wait-ready-s') > 0) await waitReady(num('wait-ready-s'));
  result.readyWaitMs = Math.round(performance.now() - readyStart);
  await ensureBucket('bench-small');
  await ensureBucket('bench-large');
  const small = randomBytes(smallBytes);
  const perRound = Math.ceil(listKeys / rounds);

  if (phases.has('small-put')) {
    const roundsRun = [];
    for (let r = 0; r < rounds; r++) {
      const first = r * perRound, count = Math.min(perRound, listKeys - first);
      roundsRun.push(await measuredRound(count, 1, concurrency, raw
        ? (i, worker) => raw.put(worker, 'bench-small', smallKey(first + i), small)
        : (i) => s3.send(new PutObjectCommand({ Bucket: 'bench-small', Key: smallKey(first + i), Body: small, ContentLength: smallBytes }))));
      log(`small PUT round ${r + 1}: ${roundsRun.at(-1).perSec} objects/s, server ${roundsRun.at(-1).serverCpuMsPerObject} ms CPU/object (${roundsRun.at(-1).serverCpuPct} % of a core), client ${roundsRun.at(-1).clientCpuMsPerObject} ms (${roundsRun.at(-1).clientCpuPct} %), others ${roundsRun.at(-1).othersPct} %`);
    }
    result.smallPut = summary(roundsRun);
  }
  if (phases.has('small-get')) {
    const roundsRun = [];
    for (let r = 0; r < rounds; r++) {
      roundsRun.push(await measuredRound(num('get-per-round'), 1, concurrency, raw ? async (_, worker) => {
        if ((await raw.get(worker, 'bench-small', smallKey(randomInt(listKeys)))).length !== smallBytes) throw new Error('short body');
      } : async () => {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'bench-small', Key: smallKey(randomInt(listKeys)) }));
        if ((await drain(got.Body)) !== smallBytes) throw new Error('short body');
      }));
      log(`small GET round ${r + 1}: ${roundsRun.at(-1).perSec} objects/s, server ${roundsRun.at(-1).serverCpuMsPerObject} ms CPU/object (${roundsRun.at(-1).serverCpuPct} % of a core), client ${roundsRun.at(-1).clientCpuMsPerObject} ms (${roundsRun.at(-1).clientCpuPct} %), others ${roundsRun.at(-1).othersPct} %`);
    }
    result.smallGet = summary(roundsRun);
  }
  if (phases.has('list')) {
    const pageMs = [];
    const rawMs = [];
    const problems = [];
    const deadline = performance.now() + num('list-seconds') * 1000;
    const rawListPage = async (startAfter) => {
      const path = `/bench-small?list-type=2&max-keys=1000&start-after=${encodeURIComponent(startAfter)}`;
      if (!raw) return rawGet(path);
      const t0 = performance.now();
      const answer = await raw.getPath(0, path);
      return { ms: performance.now() - t0, status: answer.status, body: answer.body.toString() };
    };
    for (let p = 0; p < num('list-pages') && (p < 3 || performance.now() < deadline); p++) {
      const startAfter = smallKey(randomInt(Math.max(1, listKeys - 1000)));
      try {
        // The bare unsigned page first; the SDK's in sdk mode.
        const bare = await rawListPage(startAfter);
        if (bare.status === 200 && (bare.body.match(/<Key>/g) ?? []).length === 1000) rawMs.push(bare.ms);
        else problems.push(`unsigned list answered ${bare.status}: ${bare.body.slice(0, 120)}`);
        if (rawClient) continue;
        const t0 = performance.now();
        const page = await s3.send(new ListObjectsV2Command({ Bucket: 'bench-small', StartAfter: startAfter, MaxKeys: 1000 }));
        pageMs.push(performance.now() - t0);
        if ((page.Contents?.length ?? 0) !== 1000 || page.Contents[0].Key <= startAfter) problems.push(`page after ${startAfter}: ${page.Contents?.length} keys`);
      } catch (error) {
        problems.push(`${error?.name}: ${error?.message}`);
      }
    }
    result.list = {
      pages: Math.max(pageMs.length, rawMs.length), medianMs: round3(median(pageMs)), p90Ms: round3(quantile(pageMs, 0.9)), maxMs: pageMs.length ? round3(Math.max(...pageMs)) : null,
      rawMedianMs: round3(median(rawMs)), rawP90Ms: round3(quantile(rawMs, 0.9)), problems,
    };
    log(`list: median ${raw ? '' : `${result.list.medianMs} ms per 1,000-key page through the SDK, `}${result.list.rawMedianMs} ms unsigned (${raw ? 'raw client' : 'node:http'}), over ${result.list.pages} pages${problems.length ? `; problems: ${problems.slice(0, 3).join('; ')}` : ''}`);
  }
  const large = randomBytes(largeBytes);
  const largeRounds = num('large-rounds'), largePerRound = num('large-per-round'), largeConcurrency = num('large-concurrency');
  const largeKey = (r, i) => `large/${r}/${i}`;
  if (phases.has('large-put')) {
    const roundsRun = [];
    for (let r = 0; r < largeRounds; r++) {
      roundsRun.push(await measuredRound(largePerRound, largeBytes / 1e6, largeConcurrency, raw
        ? (i, worker) => raw.put(worker, 'bench-large', largeKey(r, i), large)
        : (i) => s3.send(new PutObjectCommand({ Bucket: 'bench-large', Key: largeKey(r, i), Body: large, ContentLength: largeBytes }))));
      log(`large PUT round ${r + 1}: ${roundsRun.at(-1).perSec} MB/s, server ${roundsRun.at(-1).serverCpuMsPerObject} ms CPU/object (${roundsRun.at(-1).serverCpuPct} % of a core), client ${roundsRun.at(-1).clientCpuMsPerObject} ms (${roundsRun.at(-1).clientCpuPct} %), others ${roundsRun.at(-1).othersPct} %`);
    }
    result.largePut = summary(roundsRun);
  }
  if (phases.has('large-get')) {
    const roundsRun = [];
    for (let r = 0; r < largeRounds; r++) {
      // Always through the SDK: the raw client gathers an answer in memory, which is not meant for 64 MiB.
      roundsRun.push(await measuredRound(largePerRound, largeBytes / 1e6, largeConcurrency, async (i) => {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'bench-large', Key: largeKey(r, i) }));
        if ((await drain(got.Body)) !== largeBytes) throw new Error('short body');
      }));
      log(`large GET round ${r + 1}: ${roundsRun.at(-1).perSec} MB/s, server ${roundsRun.at(-1).serverCpuMsPerObject} ms CPU/object (${roundsRun.at(-1).serverCpuPct} % of a core), client ${roundsRun.at(-1).clientCpuMsPerObject} ms (${roundsRun.at(-1).clientCpuPct} %), others ${roundsRun.at(-1).othersPct} %`);
    }
    result.largeGet = summary(roundsRun);
  }
  raw?.close();
  result.ok = ['smallPut', 'smallGet', 'largePut', 'largeGet'].every((k) => !result[k] || result[k].failures === 0) && (!result.list || result.list.problems.length === 0);
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  log(`failed: ${error?.stack ?? error}`);
  console.log(JSON.stringify({ tool: 's3-bench', label: opts.label, ok: false, error: `${error?.name}: ${error?.message}` }));
  process.exit(1);
});
