#!/usr/bin/env node
// bench/s3/report.mjs — the S3 section's report (markdown) from bench/s3/run.sh's OUT directory:
// medians per endpoint and client mode (sdk: @aws-sdk/client-s3; raw: hand-built HTTP/1.1, the servers'
// own small-object rates), ratios Tributary/s3rver, each mode's client ceiling (ack-only), the targets.
//   node bench/s3/report.mjs OUT
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const read = (name) => { try { return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8').trim().split('\n').pop()); } catch { return undefined; } };
const machine = read('machine.json') ?? {};
const disk = read('disk.json');
const t = read('tributary.json');
const s = read('s3rver.json');
const ack = read('ack-only.json');
const tr = read('tributary.raw.json');
const sr = read('s3rver.raw.json');
const ackr = read('ack-only.raw.json');
const fmt = (x, digits = 0) => (x === undefined || x === null || Number.isNaN(Number(x)) ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a, b) => (a && b ? `${fmt(a / b, 2)}×` : '–');
const lines = [];
lines.push(`S3 benchmark — ${machine.date ?? ''}, ${machine.nproc ?? '?'} cores ${machine.cpuModel ?? ''}, Node ${machine.node ?? ''}, commit ${machine.gitCommit ?? '?'}`);
lines.push(`disk: ${machine.disk?.fsType ?? ''} ${machine.disk?.device ?? ''}; fsynced sequential writes of 64 MiB files: median ${fmt(disk?.medianMBps, 1)} MB/s (overall ${fmt(disk?.overallMBps, 1)})`);
const settings = (t ?? s)?.settings;
lines.push('');
lines.push('### Client @aws-sdk/client-s3 (sdk)');
if (settings) lines.push(`client: @aws-sdk/client-s3, path-style, keep-alive, concurrency ${settings.concurrency} (large: ${settings.largeConcurrency}); medians of ${settings.rounds} rounds (large: ${settings.largeRounds} rounds of ${settings.largePerRound} × ${settings.largeBytes / 2 ** 20} MiB); list from a bucket of ${fmt(settings.listKeys)} keys`);
lines.push('');
lines.push('| measure | Tributary | s3rver | Tributary/s3rver | Tributary server CPU/object | s3rver server CPU/object |');
lines.push('| --- | --- | --- | --- | --- | --- |');
const row = (name, key, unit, digits) => {
  const a = t?.[key], b = s?.[key];
  lines.push(`| ${name} | ${fmt(a?.median, digits)} ${unit} | ${fmt(b?.median, digits)} ${unit} | ${ratio(a?.median, b?.median)} | ${fmt(a?.serverCpuMsPerObject, 3)} ms | ${fmt(b?.serverCpuMsPerObject, 3)} ms |`);
};
row('PUT 1 KiB', 'smallPut', 'objects/s', 0);
row('GET 1 KiB', 'smallGet', 'objects/s', 0);
row('PUT 64 MiB', 'largePut', 'MB/s', 1);
row('GET 64 MiB', 'largeGet', 'MB/s', 1);
lines.push(`| ListObjectsV2, 1,000 keys, SDK (median / p90) | ${fmt(t?.list?.medianMs, 1)} / ${fmt(t?.list?.p90Ms, 1)} ms | ${fmt(s?.list?.medianMs, 1)} / ${fmt(s?.list?.p90Ms, 1)} ms | ${ratio(s?.list?.medianMs, t?.list?.medianMs)} faster | | |`);
lines.push(`| ListObjectsV2, 1,000 keys, unsigned GET to the last byte (median / p90) | ${fmt(t?.list?.rawMedianMs, 1)} / ${fmt(t?.list?.rawP90Ms, 1)} ms | ${fmt(s?.list?.rawMedianMs, 1)} / ${fmt(s?.list?.rawP90Ms, 1)} ms | ${ratio(s?.list?.rawMedianMs, t?.list?.rawMedianMs)} faster | | |`);
const ceiling = (a, tt, ss, mode) => {
  if (!a?.smallPut) return;
  lines.push('');
  lines.push(`One ${mode} client process's ceiling (ack-only, stores nothing): PUT 1 KiB ${fmt(a.smallPut.median)} objects/s (client ${fmt(a.smallPut.clientCpuMsPerObject, 3)} ms CPU/object, ack-only server ${fmt(a.smallPut.serverCpuMsPerObject, 3)} ms), GET 1 KiB ${fmt(a.smallGet?.median)} objects/s (client ${fmt(a.smallGet?.clientCpuMsPerObject, 3)} ms) — Tributary at ${fmt((tt?.smallPut?.median / a.smallPut.median) * 100)} % / ${fmt((tt?.smallGet?.median / a.smallGet?.median) * 100)} % of it, s3rver at ${fmt((ss?.smallPut?.median / a.smallPut.median) * 100)} % / ${fmt((ss?.smallGet?.median / a.smallGet?.median) * 100)} %.`);
};
ceiling(ack, t, s, 'SDK');
if (tr || sr || ackr) {
  lines.push('');
  lines.push('### Client raw (hand-built unsigned HTTP/1.1, keep-alive sockets: bench/s3/raw-http.mjs)');
  const rs = (tr ?? sr)?.settings;
  if (rs) lines.push(`concurrency ${rs.concurrency} (one connection each); medians of ${rs.rounds} rounds of ${fmt(Math.ceil(rs.listKeys / rs.rounds))} PUTs and ${fmt(rs.getPerRound)} GETs; list from a bucket of ${fmt(rs.listKeys)} keys; a fresh server (not the sdk run's)`);
  lines.push('');
  lines.push('| measure | Tributary | s3rver | Tributary/s3rver | Tributary server CPU/object | s3rver server CPU/object | client CPU/object (Tributary / s3rver) |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, key, unit, digits] of [['PUT 1 KiB', 'smallPut', 'objects/s', 0], ['GET 1 KiB', 'smallGet', 'objects/s', 0], ['PUT 64 MiB', 'largePut', 'MB/s', 1], ['GET 64 MiB', 'largeGet', 'MB/s', 1]]) {
    const a = tr?.[key], b = sr?.[key];
    if (a === undefined && b === undefined) continue;
    lines.push(`| ${name} | ${fmt(a?.median, digits)} ${unit} | ${fmt(b?.median, digits)} ${unit} | ${ratio(a?.median, b?.median)} | ${fmt(a?.serverCpuMsPerObject, 3)} ms | ${fmt(b?.serverCpuMsPerObject, 3)} ms | ${fmt(a?.clientCpuMsPerObject, 3)} / ${fmt(b?.clientCpuMsPerObject, 3)} ms |`);
  }
  lines.push(`| ListObjectsV2, 1,000 keys, to the last byte (median / p90) | ${fmt(tr?.list?.rawMedianMs, 1)} / ${fmt(tr?.list?.rawP90Ms, 1)} ms | ${fmt(sr?.list?.rawMedianMs, 1)} / ${fmt(sr?.list?.rawP90Ms, 1)} ms | ${ratio(sr?.list?.rawMedianMs, tr?.list?.rawMedianMs)} faster | | | |`);
  ceiling(ackr, tr, sr, 'raw');
}
const others = [t, s, tr, sr].flatMap((r) => ['smallPut', 'smallGet', 'largePut', 'largeGet'].map((k) => r?.[k]?.othersPct)).filter((x) => x !== undefined && x !== null);
if (others.length) lines.push(`Other processes used ${fmt(Math.min(...others))}–${fmt(Math.max(...others))} % of a core during the measured rounds (medians per phase): above ~10 % the machine was not quiet.`);
lines.push('');
const small = Math.min(t?.smallPut?.median / s?.smallPut?.median, t?.smallGet?.median / s?.smallGet?.median);
const smallRaw = Math.min(tr?.smallPut?.median / sr?.smallPut?.median, tr?.smallGet?.median / sr?.smallGet?.median);
const largeShare = t?.largePut?.median / disk?.medianMBps;
lines.push('Targets (issue 15):');
if (tr && sr) lines.push(`- small objects ≥ 5× s3rver (raw client, the servers' rates): PUT ${ratio(tr?.smallPut?.median, sr?.smallPut?.median)}, GET ${ratio(tr?.smallGet?.median, sr?.smallGet?.median)} — ${smallRaw >= 5 ? 'met' : 'MISSED'}`);
lines.push(`- small objects ≥ 5× s3rver (SDK client, capped by the client's ceiling above): PUT ${ratio(t?.smallPut?.median, s?.smallPut?.median)}, GET ${ratio(t?.smallGet?.median, s?.smallGet?.median)} — ${small >= 5 ? 'met' : 'MISSED'}`);
const largeShareRaw = tr?.largePut?.median / disk?.medianMBps;
if (tr?.largePut) lines.push(`- large uploads ≥ 80 % of fsynced disk bandwidth (raw client: the server's rate): ${fmt(tr.largePut.median, 1)} / ${fmt(disk?.medianMBps, 1)} MB/s = ${fmt(largeShareRaw * 100, 0)} % — ${largeShareRaw >= 0.8 ? 'met' : 'MISSED'}`);
lines.push(`- large uploads ≥ 80 % of fsynced disk bandwidth (SDK client, which hashes and checksums every byte on the same 2 cores): ${fmt(t?.largePut?.median, 1)} / ${fmt(disk?.medianMBps, 1)} MB/s = ${fmt(largeShare * 100, 0)} % — ${largeShare >= 0.8 ? 'met' : 'MISSED'}`);
lines.push(`- list of 1,000 keys ≤ 20 ms: median ${fmt(t?.list?.medianMs, 1)} ms through the SDK (${t?.list?.medianMs <= 20 ? 'met' : 'MISSED'}), ${fmt(t?.list?.rawMedianMs, 1)} ms to the last byte of the answer (${t?.list?.rawMedianMs <= 20 ? 'met' : 'MISSED'})`);
for (const [name, r] of [['tributary', t], ['s3rver', s], ['tributary (raw client)', tr], ['s3rver (raw client)', sr], ['ack-only', ack], ['ack-only (raw client)', ackr]]) {
  if (!r) { if (!name.includes('ack-only') && !name.includes('raw')) lines.push(`- ${name}: no result`); }
  else if (!r.ok) lines.push(`- ${name}: problems — ${r.error ?? ''} ${['smallPut', 'smallGet', 'largePut', 'largeGet'].map((k) => r[k]?.failures ? `${k} ${r[k].failures} failed` : '').join(' ')} ${(r.list?.problems ?? []).slice(0, 3).join('; ')}`);
}
console.log(lines.join('\n'));
