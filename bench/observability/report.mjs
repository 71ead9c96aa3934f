// bench/observability/report.mjs OUT — the observability section's report (bench/observability/run.sh):
// per config, the median write throughput with metrics and access log off and on, and whether "on"
// is within 5 % of "off" (issue 19's target); the access lines the "on" runs wrote.
//
// The verdict is the median of the per-round ratios (each round runs "on" and "off" back to back):
// on a shared VM one run's throughput swings by ±15 % with the host's load, and what drifts over
// minutes cancels within a round. The mean of those ratios is given with its 95 % confidence
// interval, so a reader sees whether the rounds were enough to decide; the ratio of the two medians
// is shown as well.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
const targetRatio = 0.95;
const runs = new Map(); // `${config}` -> { off: [...], on: [...] }
for (const file of readdirSync(out)) {
  const match = /^(off|on)-([ABC])-r(\d+)\.json$/.exec(file);
  if (match === null) continue;
  const [, variant, config, round] = match;
  const lines = readFileSync(join(out, file), "utf8").split("\n").filter((line) => line.trim());
  let result = {};
  try {
    result = JSON.parse(lines.at(-1));
  } catch {}
  const accessFile = join(out, `${variant}-${config}-r${round}.access-lines`);
  const accessLines = existsSync(accessFile) ? Number(readFileSync(accessFile, "utf8").trim() || 0) : undefined;
  const entry = runs.get(config) ?? { off: [], on: [] };
  const write = result.write ?? {};
  // Server CPU per acknowledged record: less swayed than throughput by other work on a shared machine.
  const cpuUsPerRecord = write.server?.cpuSec !== undefined && write.ackedRecords > 0 ? (write.server.cpuSec * 1e6) / write.ackedRecords : undefined;
  entry[variant].push({ round: Number(round), recordsPerSec: write.recordsPerSec, cpuUsPerRecord, othersPct: write.client?.othersPct, accessLines, ok: result.ok !== false });
  runs.set(config, entry);
}

const median = (values) => {
  const sorted = values.filter((value) => typeof value === "number").sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Two-sided 95 % t quantiles by degrees of freedom (1–30); 1.96 beyond. */
const t95 = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04];

/** The mean of `values` and the half-width of its 95 % confidence interval (undefined below two values). */
function meanWithInterval(values) {
  const n = values.length;
  if (n < 2) return undefined;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { mean, halfWidth: (t95[n - 2] ?? 1.96) * Math.sqrt(variance / n) };
}

console.log("# Observability overhead (issue 19)\n");
console.log("Config | rounds | on / off (median of rounds) | within 5 % | on / off (mean, 95 % interval) | off: records/s (median) | on: records/s (median) | ratio of medians | server CPU µs/record off → on | others' CPU % off / on | access lines (on)");
console.log("--- | --- | --- | --- | --- | --- | --- | --- | --- | --- | ---");
for (const [config, { off, on }] of [...runs].sort()) {
  const offRate = median(off.map((run) => run.recordsPerSec));
  const onRate = median(on.map((run) => run.recordsPerSec));
  const ratioOfMedians = offRate && onRate ? onRate / offRate : undefined;
  const ratios = [];
  for (const offRun of off) {
    const onRun = on.find((run) => run.round === offRun.round);
    if (onRun?.recordsPerSec > 0 && offRun.recordsPerSec > 0) ratios.push(onRun.recordsPerSec / offRun.recordsPerSec);
  }
  const ratio = median(ratios);
  const interval = meanWithInterval(ratios);
  const verdict = ratio === undefined ? "-" : ratio >= targetRatio ? "yes" : "NO";
  const cpu = (runs) => median(runs.map((run) => run.cpuUsPerRecord))?.toFixed(2) ?? "-";
  const others = (runs) => median(runs.map((run) => run.othersPct))?.toFixed(0) ?? "-";
  const mean = interval === undefined ? "-" : `${interval.mean.toFixed(3)} ± ${interval.halfWidth.toFixed(3)}`;
  console.log(`${config} | ${ratios.length} | ${ratio === undefined ? "-" : ratio.toFixed(3)} | ${verdict} | ${mean} | ${offRate ?? "-"} | ${onRate ?? "-"} | ${ratioOfMedians === undefined ? "-" : ratioOfMedians.toFixed(3)} | ${cpu(off)} → ${cpu(on)} | ${others(off)} / ${others(on)} | ${median(on.map((run) => run.accessLines)) ?? "-"}`);
}
console.log("\nOthers' CPU %: what other processes used of the machine during the write phase (kbench's othersPct); a run with much more is not comparable.");
console.log("Each round runs both variants on fresh servers, back to back, alternating which goes first; the verdict is the median of the rounds' ratios; off = --metrics off --access-log=false, on = --metrics on --access-log=true with /metrics scraped, both at --log-level info.");
