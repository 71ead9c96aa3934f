// bench/observability/report.mjs OUT — the observability section's report (bench/observability/run.sh):
// per config, the median write throughput with metrics and access log off and on, their ratio, and
// whether "on" is within 5 % of "off" (issue 19's target); the access lines the "on" runs wrote.
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

console.log("# Observability overhead (issue 19)\n");
console.log("Config | off: records/s (median) | on: records/s (median) | on / off | within 5 % | server CPU µs/record off → on | others' CPU % off / on | access lines (on)");
console.log("--- | --- | --- | --- | --- | --- | --- | ---");
for (const [config, { off, on }] of [...runs].sort()) {
  const offRate = median(off.map((run) => run.recordsPerSec));
  const onRate = median(on.map((run) => run.recordsPerSec));
  const ratio = offRate && onRate ? onRate / offRate : undefined;
  const verdict = ratio === undefined ? "-" : ratio >= targetRatio ? "yes" : "NO";
  const cpu = (runs) => median(runs.map((run) => run.cpuUsPerRecord))?.toFixed(2) ?? "-";
  const others = (runs) => median(runs.map((run) => run.othersPct))?.toFixed(0) ?? "-";
  console.log(`${config} | ${offRate ?? "-"} (${off.length} runs) | ${onRate ?? "-"} (${on.length} runs) | ${ratio === undefined ? "-" : ratio.toFixed(3)} | ${verdict} | ${cpu(off)} → ${cpu(on)} | ${others(off)} / ${others(on)} | ${median(on.map((run) => run.accessLines)) ?? "-"}`);
}
console.log("\nOthers' CPU %: what other processes used of the machine during the write phase (kbench's othersPct); a run with much more is not comparable.");
console.log("Each round runs both variants on fresh servers, alternating which goes first; off = --metrics off --access-log=false, on = --metrics on --access-log=true with /metrics scraped, both at --log-level info.");
