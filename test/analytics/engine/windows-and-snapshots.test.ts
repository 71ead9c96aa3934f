/**
 * The core with the window planner (windows/): a windowed SELECT in a pump, chained after a
 * filter; and checkpoints — an application snapshotted mid-run (through JSON, as the runtime
 * stores it) and restored into a fresh instance emits exactly what the uninterrupted run emits
 * after that point: no closed window twice, none lost, merges' held rows kept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { start, compileError, ts, type CompileOptions } from "./helpers.js";

const demo = { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL" };

const tumbling = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), TICKER_SYMBOL_COUNT INTEGER);
CREATE OR REPLACE STREAM "TECH" (TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE PUMP "FILTER_PUMP" AS INSERT INTO "TECH"
  SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE SECTOR = 'TECHNOLOGY';
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER_SYMBOL, COUNT(*) AS TICKER_SYMBOL_COUNT
  FROM "TECH"
  GROUP BY TICKER_SYMBOL, STEP("TECH".ROWTIME BY INTERVAL '60' SECOND);`;

type Batch = { push: [string, [string, ...unknown[]][]] } | { advance: string };

const batches: Batch[] = [
  {
    push: [
      "SOURCE_SQL_STREAM_001",
      [
        ["2024-01-01 10:00:05.000", "AMZN", "TECHNOLOGY", 1, 100],
        ["2024-01-01 10:00:20.000", "AMZN", "TECHNOLOGY", 1, 101],
        ["2024-01-01 10:00:30.000", "JNJ", "HEALTHCARE", 1, 50],
        ["2024-01-01 10:00:40.000", "MSFT", "TECHNOLOGY", 1, 300],
      ],
    ],
  },
  { advance: "2024-01-01 10:00:59.000" },
  {
    push: [
      "SOURCE_SQL_STREAM_001",
      [
        ["2024-01-01 10:01:10.000", "AMZN", "TECHNOLOGY", 1, 102],
        ["2024-01-01 10:01:50.000", "MSFT", "TECHNOLOGY", 1, 301],
      ],
    ],
  },
  { advance: "2024-01-01 10:02:00.000" },
  { push: ["SOURCE_SQL_STREAM_001", [["2024-01-01 10:02:30.000", "AMZN", "TECHNOLOGY", 1, 103]]] },
  { advance: "2024-01-01 10:05:00.000" },
];

function replay(code: string, options: CompileOptions, steps: readonly Batch[], cutAfter?: number) {
  let h = start(code, options);
  const outputs: unknown[][] = [];
  steps.forEach((step, i) => {
    const before = h.received.length;
    if ("push" in step) h.push(step.push[0], step.push[1]);
    else h.app.advance(Date.parse(`${step.advance.replace(" ", "T")}Z`));
    outputs.push(...h.received.slice(before).map((entry) => [entry.stream, entry.rowtime, ...entry.row]));
    if (i === cutAfter) {
      const saved: unknown = JSON.parse(JSON.stringify(h.app.snapshot()));
      h = start(code, options);
      h.app.restore(saved);
    }
  });
  return outputs;
}

describe("analytics > engine > windows in pumps", () => {
  it("counts per ticker per minute after a filter pump (the developer guide's tumbling window)", () => {
    const outputs = replay(tumbling, { inputs: demo }, batches).filter((row) => row[0] === "DESTINATION_SQL_STREAM");
    assert.deepEqual(outputs, [
      ["DESTINATION_SQL_STREAM", "2024-01-01 10:01:00.000", "AMZN", 2],
      ["DESTINATION_SQL_STREAM", "2024-01-01 10:01:00.000", "MSFT", 1],
      ["DESTINATION_SQL_STREAM", "2024-01-01 10:02:00.000", "AMZN", 1],
      ["DESTINATION_SQL_STREAM", "2024-01-01 10:02:00.000", "MSFT", 1],
      ["DESTINATION_SQL_STREAM", "2024-01-01 10:03:00.000", "AMZN", 1],
    ]);
  });

  it("without a window planner a windowed query is a compile error", () => {
    const error = compileError(tumbling, { inputs: demo, windows: undefined });
    assert.equal(error.message, "Windowed queries (GROUP BY, aggregates, OVER, STAGGER) are not supported yet");
    assert.deepEqual(error.position, { line: 6, column: 3 });
  });
});

describe("analytics > engine > snapshot and restore", () => {
  it("a restored tumbling window emits each closed window once", () => {
    const whole = replay(tumbling, { inputs: demo }, batches);
    for (let cut = 0; cut < batches.length - 1; cut++) {
      assert.deepEqual(replay(tumbling, { inputs: demo }, batches, cut), whole, `cut after batch ${cut}`);
    }
  });

  it("keeps rows held by UNION ALL and by a stream with several pumps", () => {
    const code = `CREATE STREAM "U" (n INTEGER);
      CREATE STREAM "M" (n INTEGER);
      CREATE PUMP "PU" AS INSERT INTO "U" SELECT STREAM n FROM "A" UNION ALL SELECT STREAM n FROM "B";
      CREATE PUMP "PA" AS INSERT INTO "M" SELECT STREAM n * 10 FROM "A";
      CREATE PUMP "PB" AS INSERT INTO "M" SELECT STREAM n * 10 FROM "B";`;
    const options = { inputs: { A: "N INTEGER", B: "N INTEGER" } };
    const steps: Batch[] = [
      { push: ["A", [["2024-01-01 00:00:01.000", 1], ["2024-01-01 00:00:03.000", 3]]] },
      { push: ["B", [["2024-01-01 00:00:02.000", 2]]] },
      { push: ["B", [["2024-01-01 00:00:04.000", 4]]] },
      { advance: "2024-01-01 00:00:10.000" },
    ];
    const whole = replay(code, options, steps);
    assert.deepEqual(
      whole.filter((row) => row[0] === "U").map((row) => row[2]),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      whole.filter((row) => row[0] === "M").map((row) => row[2]),
      [10, 20, 30, 40],
    );
    for (let cut = 0; cut < steps.length - 1; cut++) assert.deepEqual(replay(code, options, steps, cut), whole, `cut after batch ${cut}`);
  });

  it("keeps a streaming ORDER BY's open batch", () => {
    const code = `CREATE STREAM "O" (sym VARCHAR(4), price DOUBLE);
      CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
        ORDER BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE), price DESC;`;
    const whole = replay(code, { inputs: demo }, batches);
    assert.equal(whole.filter((row) => row[0] === "O").length, 7);
    for (let cut = 0; cut < batches.length - 1; cut++) assert.deepEqual(replay(code, { inputs: demo }, batches, cut), whole, `cut after batch ${cut}`);
  });

  it("keeps the ROWTIME order check across a restore", () => {
    const code = `CREATE STREAM "O" (n INTEGER); CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM n FROM "IN";`;
    const options = { inputs: { IN: "N INTEGER" } };
    const steps: Batch[] = [{ push: ["IN", [["2024-01-01 00:00:05.000", 1]]] }, { push: ["IN", [["2024-01-01 00:00:04.000", 2]]] }];
    const outputs = replay(code, options, steps, 0);
    assert.deepEqual(
      outputs.map((row) => [row[0], row[1]]),
      [
        ["IN", "2024-01-01 00:00:05.000"],
        ["O", "2024-01-01 00:00:05.000"],
        ["error_stream", "2024-01-01 00:00:04.000"],
      ],
    );
  });
});

describe("analytics > engine > inputs merged by ROWTIME", () => {
  it("a stream-to-stream join sees both inputs in one ROWTIME order, whatever the batches", () => {
    const h = start(
      `CREATE STREAM "MATCHED" (order_id INTEGER, ticker VARCHAR(4), order_amount INTEGER, trade_amount INTEGER);
       CREATE PUMP "P" AS INSERT INTO "MATCHED"
         SELECT STREAM o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount
         FROM OrderStream AS o
         JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
         ON o.orderId = t.orderId;`,
      { inputs: { ORDERSTREAM: "ORDERID INTEGER, TICKER VARCHAR(4), AMOUNT INTEGER", TRADESTREAM: "ORDERID INTEGER, AMOUNT INTEGER" } },
    );
    h.push("TRADESTREAM", [
      ["2024-01-01 10:00:10.000", 1, 100],
      ["2024-01-01 10:00:20.000", 2, 200],
    ]);
    h.push("ORDERSTREAM", [
      ["2024-01-01 10:00:15.000", 1, "AMZN", 10],
      ["2024-01-01 10:00:30.000", 2, "MSFT", 20],
    ]);
    h.app.advance(ts("2024-01-01 10:01:00.000"));
    assert.deepEqual(h.rows("MATCHED"), [
      ["2024-01-01 10:00:15.000", 1, "AMZN", 10, 100],
      ["2024-01-01 10:00:30.000", 2, "MSFT", 20, 200],
    ]);
    assert.deepEqual(h.rows("error_stream"), []);
  });
});

describe("analytics > engine > NTH_VALUE FROM FIRST and FROM LAST", () => {
  it("reads the n-th row of a ROWS window from either end (ROWS 3 PRECEDING holds four rows)", () => {
    const h = start(
      `CREATE STREAM "OUT" (v INTEGER, f INTEGER, l INTEGER);
       CREATE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM v, NTH_VALUE(v, 2) FROM FIRST OVER w, NTH_VALUE(v, 2) FROM LAST IGNORE NULLS OVER w
         FROM "IN" WINDOW w AS (ROWS 3 PRECEDING);`,
      { inputs: { IN: "V INTEGER" } },
    );
    h.push("IN", [
      ["2024-01-01 10:00:01.000", 1],
      ["2024-01-01 10:00:02.000", 2],
      ["2024-01-01 10:00:03.000", 3],
      ["2024-01-01 10:00:04.000", 4],
      ["2024-01-01 10:00:05.000", 5],
    ]);
    assert.deepEqual(
      h.rows("OUT").map((row) => row.slice(1)),
      [
        [1, null, null],
        [2, 2, 1],
        [3, 2, 2],
        [4, 2, 3],
        [5, 3, 4],
      ],
    );
  });
});
