/**
 * Micro-benchmark of the anomaly-detection table functions alone (no engine, no I/O): the developer
 * guide's blood-pressure stream (two INTEGER columns and a label) through RANDOM_CUT_FOREST and
 * RANDOM_CUT_FOREST_WITH_EXPLANATION at the reference's defaults (100 trees × 256 samples,
 * timeDecay 100000, shingle 1), and HOTSPOTS(1000, 0.2, 17) on the guide's hotspot stream for
 * comparison. The forest is warmed up (samplers full, output ready) before the timed rows. Reports
 * rows per second of process CPU time — the machine may be loaded, so CPU time, not wall time, is
 * the figure — and the load average while it ran.
 *
 *   npx tsx bench/analytics/rcf.ts [rows=20000] [warmup=5000]
 */
import { loadavg } from "node:os";
import { tableFunctions } from "../../src/analytics/sql/functions/analytic/index.js";
import type { Column, Row, SqlValue } from "../../src/analytics/sql/types.js";

const rowCount = Number(process.argv[2] ?? 20_000);
const warmupCount = Number(process.argv[3] ?? 5_000);

/** mulberry32: seeded data, so every run times the same rows. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bloodPressure(count: number): Row[] {
  const random = uniform(1);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  return Array.from({ length: count }, (): Row => {
    const pick = random();
    if (pick < 0.005) return [between(50, 80), between(30, 50), "LOW"];
    if (pick > 0.995) return [between(130, 200), between(90, 150), "HIGH"];
    return [between(90, 120), between(60, 80), "NORMAL"];
  });
}

function hotspotPoints(count: number): Row[] {
  const random = uniform(2);
  let hx = 0;
  let hy = 0;
  return Array.from({ length: count }, (_, i): Row => {
    if (i % 1000 === 0) [hx, hy] = [random() * 9, random() * 9];
    return random() < 0.2 ? [hx + random(), hy + random(), "Y"] : [random() * 10, random() * 10, "N"];
  });
}

function measure(name: string, input: Column[], args: SqlValue[], rows: Row[]): void {
  const fn = tableFunctions.find((candidate) => candidate.name === name)!;
  const resolved = fn.resolve(input, args, args.map(() => ({ name: "INTEGER" })), 42);
  if (!resolved.ok) throw new Error(resolved.message);
  const instance = resolved.value.create();
  let emitted = 0;
  const emit = () => emitted++;
  for (let i = 0; i < warmupCount; i++) instance.push(rows[i]!, i, emit);
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  for (let i = warmupCount; i < rows.length; i++) instance.push(rows[i]!, i, emit);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = Number(process.hrtime.bigint() - wallBefore) / 1e6;
  const timed = rows.length - warmupCount;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (emitted !== rows.length) throw new Error(`${name}: ${emitted} rows out for ${rows.length} in`);
  console.log(
    `${name.padEnd(36)} ${timed} rows: ${((timed / cpuMs) * 1000).toFixed(0).padStart(7)} rows/s of CPU (${((cpuMs * 1000) / timed).toFixed(1)} µs/row), ` +
      `${((timed / wallMs) * 1000).toFixed(0)} rows/s wall`,
  );
}

const vitals: Column[] = [
  { name: "Systolic", type: { name: "INTEGER" } },
  { name: "Diastolic", type: { name: "INTEGER" } },
  { name: "BloodPressureLevel", type: { name: "VARCHAR", precision: 20 } },
];
const plane: Column[] = [
  { name: "x", type: { name: "DOUBLE" } },
  { name: "y", type: { name: "DOUBLE" } },
  { name: "is_hot", type: { name: "VARCHAR", precision: 4 } },
];

const loadBefore = loadavg()[0]!;
const readings = bloodPressure(warmupCount + rowCount);
measure("RANDOM_CUT_FOREST", vitals, [100, 256, 100000, 1], readings);
measure("RANDOM_CUT_FOREST_WITH_EXPLANATION", vitals, [100, 256, 100000, 1, true], readings);
measure("HOTSPOTS", plane, [1000, 0.2, 17], hotspotPoints(warmupCount + rowCount));
console.log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after, on ${process.arch} with Node ${process.version}`);
