// bench/firehose/report.mjs OUT — medians per variant of bench/firehose/run.sh's rounds, as a
// Markdown table, with the targets (≥ 50 MB/s acknowledged durable, delivered keeping up,
// RSS ≤ 250 MB).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
const byVariant = new Map();
for (const file of readdirSync(out).filter((name) => /^\w+-r\d+\.json$/.test(name)).sort()) {
  const lines = readFileSync(join(out, file), 'utf8').split('\n').filter((line) => line.trim());
  let result;
  try { result = JSON.parse(lines[lines.length - 1]); } catch { continue; }
  if (result.ok === false) continue;
  const variant = file.replace(/-r\d+\.json$/, '');
  if (!byVariant.has(variant)) byVariant.set(variant, []);
  byVariant.get(variant).push(result);
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return '-';
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 100) / 100;
};

const columns = [
  ['acked rec/s', 'ackedRecordsPerSec'], ['acked MB/s', 'ackedMBps'], ['delivered MB/s', 'deliveredInWindowMBps'], ['delivered / acked', 'deliveredShare'], ['backlog at stop MB', 'backlogAtStopMB'],
  ['PutRecordBatch p50 ms', (r) => r.putRecordBatchMs?.p50], ['RSS max MB', 'rssMBMax'], ['server CPU µs/record', 'serverCpuUsPerRecord'], ['server CPU ms/MB', 'serverCpuMsPerMB'], ['server CPU ms/MB until delivered', 'serverCpuMsPerMBDelivered'],
  ['server cores', 'serverCores'], ['others cores', 'othersCores'], ['objects', 'objects'], ['all delivered', (r) => (r.allDelivered ? 1 : 0)],
];
console.log(`# Firehose ingest (${out})\n`);
console.log(`| variant | rounds | ${columns.map(([name]) => name).join(' | ')} |`);
console.log(`|---|---|${columns.map(() => '---').join('|')}|`);
for (const [variant, results] of byVariant) {
  const cells = columns.map(([, pick]) => median(results.map((r) => (typeof pick === 'function' ? pick(r) : r[pick]))));
  console.log(`| ${variant} (${results[0].settings.sizeMB} MB / ${results[0].settings.intervalSeconds} s) | ${results.length} | ${cells.join(' | ')} |`);
}
console.log('\nTargets: acked ≥ 50 MB/s durable; delivered MB/s ≈ acked (backlog at stop ≤ a buffer and the flushes in flight); RSS ≤ 250 MB. "all delivered" is 1 when every acknowledged record was found in the objects. "server CPU ms/MB" is over the write window; "until delivered" runs on until the last record was delivered (ingest and delivery together: the figure to compare on a loaded machine).');
