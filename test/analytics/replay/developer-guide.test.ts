/**
 * The developer guide's worked examples with the input and result tables it shows, run through
 * `tributary analytics run` (stagger-window-concepts: the same four trades by a tumbling window and
 * by a stagger window).
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { analytics, jsonl, of } from "./harness.js";

const config = JSON.stringify({
  Inputs: [
    {
      NamePrefix: "SOURCE_SQL_STREAM",
      KinesisStreamsInput: { ResourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/trades", RoleARN: "arn:aws:iam::000000000000:role/analytics" },
      InputSchema: {
        RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
        RecordEncoding: "UTF-8",
        RecordColumns: [
          { Name: "EVENT_TIME", SqlType: "TIMESTAMP", Mapping: "$.EVENT_TIME" },
          { Name: "TICKER_SYMBOL", SqlType: "VARCHAR(4)", Mapping: "$.TICKER_SYMBOL" },
        ],
      },
    },
  ],
});

const time = (clock: string) => Date.parse(`2018-11-01T${clock}Z`);

/** The guide's four trades: ROWTIME (arrival) and EVENT_TIME. */
const trades = jsonl(
  [
    ["11:00:20", "11:00:10"],
    ["11:00:30", "11:00:20"],
    ["11:01:05", "11:00:55"],
    ["11:01:15", "11:01:05"],
  ].map(([arrival, event]) => ({ arrival: time(arrival!), partitionKey: "AMZN", data: { EVENT_TIME: `2018-11-01 ${event}`, TICKER_SYMBOL: "AMZN" } })),
);

const run = (code: string) => analytics(["run", "--code", "app.sql", "--config", "app.json", "--records", "records.jsonl"], { "app.sql": code, "app.json": config, "records.jsonl": trades });

it("partial results with a tumbling window: three rows, the third trade counted in the second window", async () => {
  const result = await run(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    TICKER_SYMBOL VARCHAR(4),
    EVENT_TIME timestamp,
    TICKER_COUNT     DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS TICKER_COUNT
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);`);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(of(result.lines, "DESTINATION_SQL_STREAM"), [
    { ROWTIME: "2018-11-01 11:01:00.000", TICKER_SYMBOL: "AMZN", EVENT_TIME: "2018-11-01 11:00:00.000", TICKER_COUNT: 2.0 },
    { ROWTIME: "2018-11-01 11:02:00.000", TICKER_SYMBOL: "AMZN", EVENT_TIME: "2018-11-01 11:00:00.000", TICKER_COUNT: 1.0 },
    { ROWTIME: "2018-11-01 11:02:00.000", TICKER_SYMBOL: "AMZN", EVENT_TIME: "2018-11-01 11:01:00.000", TICKER_COUNT: 1.0 },
  ]);
});

it("complete results with a stagger window: a window per key, opened by its first record", async () => {
  const result = await run(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol    VARCHAR(4),
    event_time       TIMESTAMP,
    ticker_count     DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
            PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(of(result.lines, "DESTINATION_SQL_STREAM"), [
    { ROWTIME: "2018-11-01 11:01:20.000", TICKER_SYMBOL: "AMZN", EVENT_TIME: "2018-11-01 11:00:00.000", TICKER_COUNT: 3.0 },
    { ROWTIME: "2018-11-01 11:02:15.000", TICKER_SYMBOL: "AMZN", EVENT_TIME: "2018-11-01 11:01:00.000", TICKER_COUNT: 1.0 },
  ]);
});

it("the reference's windowed aggregation on WEATHERSTREAM: MIN and MAX over RANGE INTERVAL '1' DAY PRECEDING", async () => {
  const weather = [
    ["2018-11-01 01:00", "Denver", 29],
    ["2018-11-01 01:00", "Anchorage", 2],
    ["2018-11-01 06:00", "Miami", 65],
    ["2018-11-01 07:00", "Denver", 32],
    ["2018-11-01 09:00", "Anchorage", 9],
    ["2018-11-01 13:00", "Denver", 50],
    ["2018-11-01 17:00", "Anchorage", 10],
    ["2018-11-01 18:00", "Miami", 71],
    ["2018-11-01 19:00", "Denver", 43],
    ["2018-11-02 01:00", "Anchorage", 4],
    ["2018-11-02 01:00", "Denver", 39],
    ["2018-11-02 07:00", "Denver", 46],
    ["2018-11-02 09:00", "Anchorage", 3],
    ["2018-11-02 13:00", "Denver", 56],
    ["2018-11-02 17:00", "Anchorage", 2],
    ["2018-11-02 19:00", "Denver", 50],
    ["2018-11-03 01:00", "Denver", 36],
    ["2018-11-03 01:00", "Anchorage", 1],
  ] as const;
  const weatherConfig = JSON.stringify({
    Inputs: [
      {
        NamePrefix: "WEATHERSTREAM",
        KinesisStreamsInput: { ResourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/weather", RoleARN: "arn:aws:iam::000000000000:role/analytics" },
        InputSchema: {
          RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "," } } },
          RecordEncoding: "UTF-8",
          RecordColumns: [{ Name: "CITY", SqlType: "VARCHAR(16)" }, { Name: "TEMP", SqlType: "INTEGER" }],
        },
      },
    ],
  });
  const records = jsonl(weather.map(([when, city, temp]) => ({ arrival: Date.parse(`${when.replace(" ", "T")}:00Z`), partitionKey: city, data: `${city},${temp}` })));
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (WMIN_TEMP INTEGER, WMAX_TEMP INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
 SELECT STREAM
        MIN(TEMP) OVER W1 AS WMIN_TEMP,
        MAX(TEMP) OVER W1 AS WMAX_TEMP
 FROM WEATHERSTREAM_001
 WINDOW W1 AS (
    RANGE INTERVAL '1' DAY PRECEDING
);`;
  const result = await analytics(["run", "--code", "app.sql", "--config", "app.json", "--records", "records.jsonl"], { "app.sql": code, "app.json": weatherConfig, "records.jsonl": records });
  assert.equal(result.status, 0, result.stderr);
  const rows = of(result.lines, "DESTINATION_SQL_STREAM").map((row) => `${String(row.ROWTIME)} ${String(row.WMIN_TEMP)} ${String(row.WMAX_TEMP)}`);
  assert.equal(rows.length, weather.length);
  // The rows the reference's result table shows for the first day.
  assert.deepEqual(rows.slice(0, 9), [
    "2018-11-01 01:00:00.000 29 29",
    "2018-11-01 01:00:00.000 2 29",
    "2018-11-01 06:00:00.000 2 65",
    "2018-11-01 07:00:00.000 2 65",
    "2018-11-01 09:00:00.000 2 65",
    "2018-11-01 13:00:00.000 2 65",
    "2018-11-01 17:00:00.000 2 65",
    "2018-11-01 18:00:00.000 2 71",
    "2018-11-01 19:00:00.000 2 71",
  ]);
});

it("the developer guide's anomaly detection (RANDOM_CUT_FOREST): injected heart rates score highest", async () => {
  const heartConfig = JSON.stringify({
    Inputs: [
      {
        NamePrefix: "SOURCE_SQL_STREAM",
        KinesisStreamsInput: { ResourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/heart", RoleARN: "arn:aws:iam::000000000000:role/analytics" },
        InputSchema: {
          RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
          RecordEncoding: "UTF-8",
          RecordColumns: [
            { Name: "heartRate", SqlType: "INTEGER", Mapping: "$.heartRate" },
            { Name: "rateType", SqlType: "VARCHAR(20)", Mapping: "$.rateType" },
          ],
        },
      },
    ],
  });
  const code = `CREATE OR REPLACE STREAM "TEMP_STREAM" ("heartRate" INTEGER, "rateType" varchar(20), "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("heartRate" INTEGER, "rateType" varchar(20), "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
   SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
   FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
   SELECT STREAM * FROM "TEMP_STREAM"
   ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;`;
  // The guide's generator: normal rates 60–80, now and then a high one (150–200).
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const high = new Set([700, 900]);
  const records = jsonl(
    Array.from({ length: 1000 }, (_, index) => ({
      arrival: Date.UTC(2018, 10, 1) + index * 100,
      partitionKey: "heart",
      data: high.has(index) ? { heartRate: 150 + Math.floor(next() * 50), rateType: "HIGH" } : { heartRate: 60 + Math.floor(next() * 20), rateType: "NORMAL" },
    })),
  );
  const result = await analytics(["run", "--code", "app.sql", "--config", "app.json", "--records", "records.jsonl"], { "app.sql": code, "app.json": heartConfig, "records.jsonl": records });
  assert.equal(result.status, 0, result.stderr);
  const scored = of(result.lines, "DESTINATION_SQL_STREAM");
  assert.equal(scored.length, 1000);
  // After the forest has seen enough rows, the two injected rows score above every normal one.
  const late = scored.filter((row) => String(row.ROWTIME) >= "2018-11-01 00:01:00.000");
  const best = [...late].sort((a, b) => (b.ANOMALY_SCORE as number) - (a.ANOMALY_SCORE as number)).slice(0, 2);
  assert.deepEqual(best.map((row) => row.rateType), ["HIGH", "HIGH"]);
});
