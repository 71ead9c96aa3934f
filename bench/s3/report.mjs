#!/usr/bin/env node
// bench/s3/report.mjs — the S3 section's report (markdown) from bench/s3/run.sh's OUT directory:
// medians per endpoint, ratios Tributary/s3rver, and the issue's targets.
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
const fmt = (x, digits = 0) => (x === undefined || x === null ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a, b) => (a && b ? `${fmt(a / b, 2)}×` : '–');
const lines = [];
lines.push(`S3 benchmark — ${machine.date ?? ''}, ${machine.nproc ?? '?'} cores ${machine.cpuModel ?? ''}, Node ${machine.node ?? ''}, commit ${machine.gitCommit ?? '?'}`);
lines.push(`disk: ${machine.disk?.fsType ?? ''} ${machine.disk?.device ?? ''}; fsynced sequential writes of 64 MiB files: median ${fmt(disk?.medianMBps, 1)} MB/s (overall ${fmt(disk?.overallMBps, 1)})`);
const settings = (t ?? s)?.settings;
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
if (ack?.smallPut) {
  lines.push('');
  lines.push(`One client process's ceiling (ack-only, stores nothing): PUT 1 KiB ${fmt(ack.smallPut.median)} objects/s (client ${fmt(ack.smallPut.clientCpuMsPerObject, 3)} ms CPU/object), GET 1 KiB ${fmt(ack.smallGet?.median)} objects/s — Tributary at ${fmt((t?.smallPut?.median / ack.smallPut.median) * 100)} % / ${fmt((t?.smallGet?.median / ack.smallGet?.median) * 100)} % of it, s3rver at ${fmt((s?.smallPut?.median / ack.smallPut.median) * 100)} % / ${fmt((s?.smallGet?.median / ack.smallGet?.median) * 100)} %.`);
}
const others = [t, s].flatMap((r) => ['smallPut', 'smallGet', 'largePut', 'largeGet'].map((k) => r?.[k]?.othersPct)).filter((x) => x !== undefined && x !== null);
if (others.length) lines.push(`Other processes used ${fmt(Math.min(...others))}–${fmt(Math.max(...others))} % of a core during the measured rounds (medians per phase): above ~10 % the machine was not quiet.`);
lines.push('');
const small = Math.min(t?.smallPut?.median / s?.smallPut?.median, t?.smallGet?.median / s?.smallGet?.median);
const largeShare = t?.largePut?.median / disk?.medianMBps;
lines.push('Targets (issue 15):');
lines.push(`- small objects ≥ 5× s3rver: PUT ${ratio(t?.smallPut?.median, s?.smallPut?.median)}, GET ${ratio(t?.smallGet?.median, s?.smallGet?.median)} — ${small >= 5 ? 'met' : 'MISSED'}`);
lines.push(`- large uploads ≥ 80 % of fsynced disk bandwidth: ${fmt(t?.largePut?.median, 1)} / ${fmt(disk?.medianMBps, 1)} MB/s = ${fmt(largeShare * 100, 0)} % — ${largeShare >= 0.8 ? 'met' : 'MISSED'}`);
lines.push(`- list of 1,000 keys ≤ 20 ms: median ${fmt(t?.list?.medianMs, 1)} ms through the SDK (${t?.list?.medianMs <= 20 ? 'met' : 'MISSED'}), ${fmt(t?.list?.rawMedianMs, 1)} ms to the last byte of the answer (${t?.list?.rawMedianMs <= 20 ? 'met' : 'MISSED'})`);
for (const [name, r] of [['tributary', t], ['s3rver', s]]) {
  if (!r) lines.push(`- ${name}: no result`);
  else if (!r.ok) lines.push(`- ${name}: problems — ${r.error ?? ''} ${['smallPut', 'smallGet', 'largePut', 'largeGet'].map((k) => r[k]?.failures ? `${k} ${r[k].failures} failed` : '').join(' ')} ${(r.list?.problems ?? []).slice(0, 3).join('; ')}`);
}
console.log(lines.join('\n'));
