/**
 * Micro-benchmark of the SQL engine alone (no server, no I/O): the developer guide's
 * filter-and-project application over the demo stock stream, rows pushed in batches of 500 as
 * the runtime pushes a GetRecords page. Reports input rows per second of process CPU time (the
 * machine may be loaded, so CPU time, not wall time, is the figure) and per wall second.
 * Target (issue 18): ≥ 200,000 input rows/s for a filter-and-project application.
 *
 *   npx tsx bench/analytics/engine-filter.ts [rows=2000000] [batch=500]
 */
import { compileApplication } from "../../src/analytics/engine/compile.js";
import { defaultFunctionRegistry } from "../../src/analytics/sql/functions/registry.js";
import type { Row } from "../../src/analytics/sql/types.js";

const rowCount = Number(process.argv[2] ?? 2_000_000);
const batchSize = Number(process.argv[3] ?? 500);

const code = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE, change_pct DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, sector, change, price, change / price * 100
  FROM "SOURCE_SQL_STREAM_001"
  WHERE sector SIMILAR TO '%TECH%' AND price > 10;`;

const result = compileApplication({
  code,
  inputs: [
    {
      name: "SOURCE_SQL_STREAM_001",
      columns: [
        { name: "TICKER_SYMBOL", type: { name: "VARCHAR", precision: 4 } },
        { name: "SECTOR", type: { name: "VARCHAR", precision: 16 } },
        { name: "CHANGE", type: { name: "REAL" } },
        { name: "PRICE", type: { name: "REAL" } },
        { name: "APPROXIMATE_ARRIVAL_TIME", type: { name: "TIMESTAMP", precision: 3 } },
        { name: "PARTITION_KEY", type: { name: "VARCHAR", precision: 512 } },
      ],
    },
  ],
  references: [],
  functions: defaultFunctionRegistry(),
  seed: 1,
});
if (!result.ok) throw result.error;

let outputRows = 0;
let errorRows = 0;
const app = result.application.start(
  (stream) => {
    if (stream === "DESTINATION_SQL_STREAM") outputRows++;
    else if (stream === "error_stream") errorRows++;
  },
  { nowMs: () => 1_700_000_000_000 },
);

const tickers = ["AMZN", "MSFT", "INTC", "JNJ", "XOM", "BAC", "TBV", "QXZ"];
const sectors = ["TECHNOLOGY", "HEALTHCARE", "ENERGY", "FINANCIAL", "FINTECH"];
// Rows are made before timing: the engine's cost is measured, not the generator's.
const batches: { rows: Row[]; rowtimes: number[] }[] = [];
for (let start = 0; start < rowCount; start += batchSize) {
  const rows: Row[] = [];
  const rowtimes: number[] = [];
  for (let i = start; i < Math.min(rowCount, start + batchSize); i++) {
    rows.push([tickers[i % tickers.length] as string, sectors[i % sectors.length] as string, (i % 7) - 3, 5 + (i % 200), 1_700_000_000_000 + i, `pk-${i % 16}`]);
    rowtimes.push(1_700_000_000_000 + i);
  }
  batches.push({ rows, rowtimes });
}

const cpuBefore = process.cpuUsage();
const wallBefore = process.hrtime.bigint();
for (const batch of batches) app.push("SOURCE_SQL_STREAM_001", batch.rows, batch.rowtimes);
app.advance(Infinity);
const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

console.log(
  JSON.stringify({
    inputRows: rowCount,
    outputRows,
    errorRows,
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    wallSeconds: Number(wallSeconds.toFixed(3)),
    rowsPerCpuSecond: Math.round(rowCount / cpuSeconds),
    rowsPerWallSecond: Math.round(rowCount / wallSeconds),
    cpuNsPerRow: Math.round((cpuSeconds * 1e9) / rowCount),
  }),
);
