#!/usr/bin/env node
// bench/report.mjs — medians and ratios from one bench/run.sh results directory, as markdown.
//
// usage: node bench/report.mjs bench/results/<timestamp> [--json]
//
// Reads <endpoint>-<config>-r<rep>.json (kbench's result: its last line), the matching .probe.json
// (start-to-ready) and .disk-bytes (data dir size after the run), plus machine.json and settings.json.
// Prints, per config, one table with a column per endpoint (the median over repetitions) and the
// ratios tributary ÷ peer; then every run, so outliers stay visible. --json prints the medians instead
// (and they are always written to summary.json beside the results).
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) {
  process.stderr.write('usage: node bench/report.mjs RESULTS_DIR [--json]\n');
  process.exit(1);
}
const asJson = process.argv.includes('--json');

const endpointOrder = ['tributary', 'kinesalite-mem', 'kinesalite-leveldb', 'kinesis-local-mem', 'kinesis-local-persist', 'ack-only', 'read-ceiling'];
const ratioPeers = ['kinesalite-mem', 'kinesalite-leveldb', 'kinesis-local-mem', 'ack-only', 'read-ceiling'];
// The ceilings are ceilings of one thing each: ack-only of writing (and single-call latency),
// read-ceiling of reading; other ratios against them would mean nothing.
const ratioMetricsOf = { 'ack-only': ['writeRecPerSec', 'writeMBps', 'putRecordP50Ms', 'putRecordP99Ms'], 'read-ceiling': ['readRecPerSec'] };
const configNames = {
  A: 'A — 4 shards, 100 B records, PutRecords ×500, 4 writers',
  B: 'B — 4 shards, 1000 B records, PutRecords ×100, 4 writers',
  C: 'C — 1 shard, 100 B records, PutRecord, 8 writers',
};

// Size of the data dir after the run over the payload acknowledged in it (write + latency phases).
function diskPerPayload(r) {
  const payloadBytes = ((r.write?.ackedRecords ?? 0) + (r.latency?.succeeded ?? 0)) * (r.kbenchConfig?.recordBytes ?? 0);
  return r.diskBytes == null || !payloadBytes ? undefined : r.diskBytes / payloadBytes;
}

// Each metric: how to read it from one run, how to print it, and whether higher is better.
const metrics = [
  { key: 'writeRecPerSec', label: 'write records/s', get: (r) => r.write?.recordsPerSec, digits: 0, higherBetter: true },
  { key: 'writeMBps', label: 'write MB/s (payload)', get: (r) => r.write?.payloadMBps, digits: 2, higherBetter: true },
  { key: 'readRecPerSec', label: 'read catch-up records/s', get: (r) => r.read?.recordsPerSec, digits: 0, higherBetter: true },
  { key: 'putRecordP50Ms', label: 'PutRecord latency p50 ms', get: (r) => r.latency?.latencyMs?.p50, digits: 2, higherBetter: false },
  { key: 'putRecordP99Ms', label: 'PutRecord latency p99 ms', get: (r) => r.latency?.latencyMs?.p99, digits: 2, higherBetter: false },
  { key: 'serverRssMBAfterRead', label: 'server RSS after read MB', get: (r) => r.server?.rssMBAfterRead ?? r.server?.rssMBEnd, digits: 0, higherBetter: false },
  { key: 'readyMs', label: 'start-to-ready ms', get: (r) => r.probe?.readyMs, digits: 0, higherBetter: false },
  { key: 'serverCpuPctWrite', label: 'server CPU % during write', get: (r) => r.write?.server?.cpuPct, digits: 0, info: true },
  { key: 'clientCpuPctWrite', label: 'client CPU % during write', get: (r) => r.write?.client?.cpuPct, digits: 0, info: true },
  { key: 'diskMB', label: 'data on disk after run MB', get: (r) => (r.diskBytes == null ? undefined : r.diskBytes / 1e6), digits: 1, info: true },
  { key: 'diskPerPayload', label: 'disk bytes ÷ payload bytes', get: diskPerPayload, digits: 2, info: true },
];

function lastJsonLine(file) {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    return JSON.parse(lines[lines.length - 1]);
  } catch { return undefined; }
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const fmt = (x, digits) => (x == null ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

// ---------------------------------------------------------------- load
const runs = [];
for (const name of fs.readdirSync(dir).sort()) {
  const m = /^(.+)-([A-Z])-r(\d+)\.json$/.exec(name);
  if (!m) continue;
  const base = path.join(dir, name.slice(0, -'.json'.length));
  const result = lastJsonLine(path.join(dir, name)) ?? { ok: false, error: 'unparseable result' };
  const probe = lastJsonLine(`${base}.probe.json`);
  let diskBytes;
  try { diskBytes = Number(fs.readFileSync(`${base}.disk-bytes`, 'utf8').trim()); } catch { /* no data dir */ }
  // kbench's own `config` object is kept as kbenchConfig; `cfg` is the matrix letter.
  runs.push({ ...result, kbenchConfig: result.config, endpoint: m[1], cfg: m[2], rep: Number(m[3]), probe, diskBytes });
}
const machine = lastJsonLine(path.join(dir, 'machine.json')) ?? {};
const settings = lastJsonLine(path.join(dir, 'settings.json')) ?? {};

const configs = [...new Set(runs.map((r) => r.cfg))].sort();
const present = new Set(runs.map((r) => r.endpoint));
const endpoints = [...endpointOrder.filter((e) => present.has(e)), ...[...present].filter((e) => !endpointOrder.includes(e)).sort()];

// A run counts towards the medians when kbench finished with exit code 0 (every phase ran and the
// verification found nothing). Failed runs are listed but not averaged in.
const counted = (r) => r.exitCode === 0;

const summary = { dir: path.resolve(dir), machine, settings, configs: {} };
for (const c of configs) {
  summary.configs[c] = {};
  for (const e of endpoints) {
    const mine = runs.filter((r) => r.cfg === c && r.endpoint === e);
    const good = mine.filter(counted);
    const row = { runs: mine.length, ok: good.length };
    for (const m of metrics) row[m.key] = median(good.map(m.get));
    summary.configs[c][e] = row;
  }
}
fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
if (asJson) { console.log(JSON.stringify(summary, null, 2)); process.exit(0); }

// ---------------------------------------------------------------- markdown
const out = [];
const disk = machine.disk ?? {};
out.push(`# Tributary benchmark — ${path.basename(path.resolve(dir))}`, '');
out.push(`- machine: ${machine.nproc ?? '?'} CPUs (${machine.cpuModel ?? '?'}), ${machine.memGiB ?? '?'} GiB RAM, kernel ${machine.kernel ?? '?'}, Node ${machine.node ?? '?'}`);
out.push(`- data disk: ${disk.device ?? '?'} (${disk.fsType ?? '?'}${disk.rotational == null ? '' : `, kernel rotational flag ${disk.rotational ? 1 : 0}`}${disk.model ? `, ${disk.model}` : ''}), ${disk.availGB ?? '?'} GB free of ${disk.sizeGB ?? '?'} GB, at ${disk.dataDir ?? '?'}`);
out.push(`- commit ${machine.gitCommit ?? '?'}, ${machine.date ?? ''}`);
const tributaryFlags = present.has('tributary') ? `; tributary flags: \`${settings.tributaryStorageArgs ?? '?'}\`` : '';
out.push(`- ${settings.reps ?? '?'} repetition(s) × ${settings.seconds ?? '?'} s writes, kbench --client ${settings.client ?? 'raw'}, ${settings.latencyCount ?? '?'} sequential PutRecord calls for latency${tributaryFlags}`);
out.push('- medians over the runs that finished cleanly (kbench exit 0: all phases ran, verification clean); ratios are tributary ÷ peer — above 1 is better for throughput, below 1 is better for latency, RSS and start time', '');

for (const c of configs) {
  const rows = summary.configs[c];
  out.push(`## Config ${configNames[c] ?? c}`, '');
  const peers = ratioPeers.filter((p) => rows[p] && rows.tributary);
  const head = ['metric', ...endpoints, ...peers.map((p) => `tributary ÷ ${p}`)];
  out.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`);
  for (const m of metrics) {
    const cells = endpoints.map((e) => fmt(rows[e][m.key], m.digits));
    const ratios = peers.map((p) => {
      const t = rows.tributary[m.key], v = rows[p][m.key];
      if (ratioMetricsOf[p] && !ratioMetricsOf[p].includes(m.key)) return '';
      return m.info || t == null || v == null || v === 0 ? '' : `${(t / v).toFixed(2)}×`;
    });
    out.push(`| ${m.label}${m.info ? ' (info)' : ''} | ${[...cells, ...ratios].join(' | ')} |`);
  }
  out.push(`| runs counted / run | ${endpoints.map((e) => `${rows[e].ok}/${rows[e].runs}`).join(' | ')}${peers.map(() => ' | ').join('')} |`, '');
}

out.push('## Every run', '');
out.push('| endpoint | cfg | rep | exit | write rec/s | read rec/s | PutRecord p50/p99 ms | verify | lost/dup/corrupt | others CPU % | ready ms | notes |');
out.push('|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|');
for (const r of runs.sort((a, b) => a.cfg.localeCompare(b.cfg) || endpoints.indexOf(a.endpoint) - endpoints.indexOf(b.endpoint) || a.rep - b.rep)) {
  const v = r.verify;
  const notes = [
    r.error && String(r.error),
    ...(r.errors ?? []).slice(0, 3).map((e) => `${e.phase}: ${e.name}${e.message ? ` ${String(e.message).slice(0, 80)}` : ''}`),
    r.write?.throttledEntries ? `throttled ${r.write.throttledEntries}` : '',
    r.probe && !r.probe.ok ? `start: ${r.probe.error?.message ?? 'failed'}` : '',
  ].filter(Boolean).join('; ').replace(/\|/g, '\\|');
  out.push(`| ${r.endpoint} | ${r.cfg} | ${r.rep} | ${r.exitCode ?? '–'} | ${fmt(r.write?.recordsPerSec, 0)} | ${fmt(r.read?.recordsPerSec, 0)} | ${fmt(r.latency?.latencyMs?.p50, 2)}/${fmt(r.latency?.latencyMs?.p99, 2)} | ${v ? (v.ok ? 'OK' : 'FAIL') : '–'} | ${v ? `${v.lost}/${v.duplicates}/${v.corrupt}` : '–'} | ${fmt(r.write?.client?.othersPct, 0)} | ${fmt(r.probe?.readyMs, 0)} | ${notes} |`);
}
out.push('', 'ack-only stores nothing: it has no read phase, and its numbers are the ceiling of the benchmark client itself. read-ceiling keeps records in memory as ready-made JSON: its read phase is the ceiling of the client reading and verifying (its write phase parses every request and is no ceiling). "others CPU %" is CPU used by other processes on the box during the write phase (% of one core); well above 0 means the run was disturbed.');
console.log(out.join('\n'));
