/**
 * A one-minute tumbling aggregate through the whole SQL engine (compileApplication: parser, planner,
 * expression compiler, windows/, the function library), fed as the runtime feeds it: batches of
 * rows from 4 shards merged into SOURCE_SQL_STREAM_001, time advanced after each batch.
 *
 *   node --import tsx bench/analytics/engine-aggregate.ts [rows] [rounds] [tickers] [rows per second of ROWTIME]
 *
 * Prints one JSON line per round — input rows/s by CPU time and by wall time, and the time
 * advance() takes to close a window and emit its groups (the engine's share of the output delay
 * after a window closes; the runtime adds its advance cadence) — then the medians. The machine is
 * shared with other work: CPU time per row is the figure to compare.
 */
import { compileApplication } from "../../src/analytics/engine/compile.js";
import { defaultFunctionRegistry } from "../../src/analytics/sql/functions/registry.js";
import type { Row } from "../../src/analytics/sql/types.js";

const rowCount = Number(process.argv[2] ?? 2_000_000);
const rounds = Number(process.argv[3] ?? 5);
const tickerCount = Number(process.argv[4] ?? 500);
const shardCount = 4;
const batchRows = 500;
/** Virtual input rate: rows per second of ROWTIME, so a one-minute window holds 120,000 rows. */
const rowsPerSecond = Number(process.argv[5] ?? 2_000);

const code = `
  CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), TRADES BIGINT, VOLUME DOUBLE, LOW DOUBLE, HIGH DOUBLE);
  CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM TICKER, COUNT(*), SUM(PRICE), MIN(PRICE), MAX(PRICE)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;

const compiled = compileApplication({
  code,
  inputs: [
    {
      name: "SOURCE_SQL_STREAM_001",
      columns: [
        { name: "TICKER", type: { name: "VARCHAR", precision: 8 } },
        { name: "PRICE", type: { name: "DOUBLE" } },
        { name: "SHARD_ID", type: { name: "VARCHAR", precision: 64 } },
      ],
    },
  ],
  references: [],
  functions: defaultFunctionRegistry(),
  seed: 1,
});
if (!compiled.ok) throw compiled.error;
const application = compiled.application;

const tickers = Array.from({ length: tickerCount }, (_, i) => `T${i.toString(36).toUpperCase()}`);
const shards = Array.from({ length: shardCount }, (_, i) => `shardId-00000000000${i}`);
const startMs = Date.UTC(2024, 0, 1);

/** Batches as GetRecords would give them: each shard's rows in turn, ROWTIMEs merged in order. */
function batches(): { rows: Row[]; rowtimes: number[] }[] {
  const list: { rows: Row[]; rowtimes: number[] }[] = [];
  let seed = 12345;
  for (let first = 0; first < rowCount; first += batchRows) {
    const rows: Row[] = [];
    const rowtimes: number[] = [];
    for (let i = first; i < Math.min(rowCount, first + batchRows); i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      rows.push([tickers[(seed >>> 8) % tickerCount] as string, 10 + ((seed >>> 4) % 10_000) / 100, shards[i % shardCount] as string]);
      rowtimes.push(startMs + Math.floor((i * 1000) / rowsPerSecond));
    }
    list.push({ rows, rowtimes });
  }
  return list;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const input = batches();
const results: { cpuRowsPerSecond: number; wallRowsPerSecond: number; closeMsP99: number; windows: number }[] = [];
for (let round = 0; round < rounds; round++) {
  let outputRows = 0;
  let counted = 0;
  let lastWindowMs = startMs;
  const closeMs: number[] = [];
  const instance = application.start(
    (stream, row) => {
      if (stream !== "DESTINATION_SQL_STREAM") return;
      outputRows++;
      counted += row[1] as number;
    },
    { nowMs: () => 0 },
  );
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (const batch of input) {
    instance.push("SOURCE_SQL_STREAM_001", batch.rows, batch.rowtimes);
    const watermarkMs = (batch.rowtimes[batch.rowtimes.length - 1] as number) + 1;
    const windowEndMs = Math.floor(watermarkMs / 60_000) * 60_000;
    if (windowEndMs > lastWindowMs) {
      // The runtime's clock tick that passes a window's end: this advance() emits the window.
      lastWindowMs = windowEndMs;
      const before = performance.now();
      instance.advance(windowEndMs);
      closeMs.push(performance.now() - before);
    } else instance.advance(watermarkMs);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  instance.advance(Number.POSITIVE_INFINITY);
  const expectedWindows = Math.ceil(rowCount / rowsPerSecond / 60);
  if (outputRows < expectedWindows || outputRows > expectedWindows * tickerCount) throw new Error(`${outputRows} output rows for ${expectedWindows} windows`);
  if (counted !== rowCount) throw new Error(`the windows counted ${counted} of ${rowCount} rows`);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const result = {
    round,
    rows: rowCount,
    outputRows,
    cpuRowsPerSecond: Math.round(rowCount / (cpuMs / 1000)),
    wallRowsPerSecond: Math.round(rowCount / (wallMs / 1000)),
    cpuNsPerRow: Math.round((cpuMs * 1e6) / rowCount),
    windows: closeMs.length,
    closeMsP50: Number(percentile(closeMs, 50).toFixed(3)),
    closeMsP99: Number(percentile(closeMs, 99).toFixed(3)),
  };
  results.push(result);
  console.log(JSON.stringify(result));
}
const median = (pick: (r: (typeof results)[number]) => number) => percentile(results.map(pick), 50);
console.log(
  JSON.stringify({
    median: true,
    tickers: tickerCount,
    shards: shardCount,
    cpuRowsPerSecond: median((r) => r.cpuRowsPerSecond),
    wallRowsPerSecond: median((r) => r.wallRowsPerSecond),
    closeMsP99: median((r) => r.closeMsP99),
  }),
);
