// bench/analytics/report.mjs OUT — the medians of bench/analytics/run.sh's rounds, as Markdown.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const median = (values) => {
  const sorted = values.filter((value) => typeof value === 'number').sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor(sorted.length / 2)];
};
const results = new Map();
for (const file of readdirSync(dir).filter((name) => /^(filter|aggregate)-r\d+\.json$/.test(name))) {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n').filter((line) => line.trim());
  try {
    const result = JSON.parse(lines.at(-1));
    const list = results.get(result.variant) ?? [];
    list.push(result);
    results.set(result.variant, list);
  } catch {}
}
let machine = {};
try { machine = JSON.parse(readFileSync(join(dir, 'machine.json'), 'utf8')); } catch {}
console.log(`# Analytics (issue 18)\n\n${machine.cpuModel ?? '?'} × ${machine.nproc ?? '?'}, Node ${machine.node ?? '?'}, commit ${machine.gitCommit ?? '?'}, ${machine.date ?? ''}\n`);
console.log('| variant | rounds | rows/s (catching up) | target | server CPU µs/row | server cores | host busy cores | written rec/s | delay p50 ms | delay p99 ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [variant, list] of results) {
  const ok = list.filter((result) => result.ok);
  const live = ok.map((result) => result.live).filter(Boolean);
  console.log(`| ${variant} | ${ok.length}/${list.length} | ${median(ok.map((r) => r.rowsPerSec))} | ${variant === 'filter' ? '≥ 200,000' : '≥ 100,000'} | ${median(ok.map((r) => r.serverCpuUsPerRow))} | ${median(ok.map((r) => r.serverCpuCores))} | ${median(ok.map((r) => r.hostBusyCores))} | ${median(ok.map((r) => r.writeRecordsPerSec))} | ${live.length ? median(live.map((l) => l.delayMsP50)) : '–'} | ${live.length ? median(live.map((l) => l.delayMsP99)) : '–'} |`);
}
