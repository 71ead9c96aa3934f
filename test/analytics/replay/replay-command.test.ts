import { it } from "node:test";
import assert from "node:assert/strict";
import { analytics, at, jsonl, of, stockConfig } from "./harness.js";

const run = (code: string, records: unknown[], config = stockConfig(), extra: string[] = [], files: Record<string, string> = {}) =>
  analytics(["run", "--code", "app.sql", "--config", "app.json", "--records", "records.jsonl", ...extra], { "app.sql": code, "app.json": config, "records.jsonl": jsonl(records), ...files });

const stock = (arrival: number, TICKER_SYMBOL: string, PRICE: number, partitionKey = "pk", SECTOR = "TECHNOLOGY", CHANGE = 0.5) => ({
  arrival,
  partitionKey,
  data: { TICKER_SYMBOL, SECTOR, CHANGE, PRICE },
});

it("the developer guide's tumbling window on ROWTIME: one row per ticker per minute, at the window's end", async () => {
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), MIN_PRICE REAL, MAX_PRICE REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM TICKER_SYMBOL, MIN(PRICE), MAX(PRICE)
        FROM "SOURCE_SQL_STREAM_001"
        GROUP BY TICKER_SYMBOL,
            STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;
  const result = await run(code, [
    stock(at(0, 5), "AMZN", 740.5),
    stock(at(0, 20), "QXZ", 84.5),
    stock(at(0, 40), "AMZN", 738),
    stock(at(1, 10), "AMZN", 741.25),
    stock(at(2, 30), "QXZ", 85),
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(of(result.lines, "DESTINATION_SQL_STREAM"), [
    { ROWTIME: "2018-11-01 01:01:00.000", TICKER: "AMZN", MIN_PRICE: 738.0, MAX_PRICE: 740.5 },
    { ROWTIME: "2018-11-01 01:01:00.000", TICKER: "QXZ", MIN_PRICE: 84.5, MAX_PRICE: 84.5 },
    { ROWTIME: "2018-11-01 01:02:00.000", TICKER: "AMZN", MIN_PRICE: 741.25, MAX_PRICE: 741.25 },
    { ROWTIME: "2018-11-01 01:03:00.000", TICKER: "QXZ", MIN_PRICE: 85.0, MAX_PRICE: 85.0 },
  ]);
  // Windows close as time passes: the first minute's rows come before the record that closed it.
  const streams = result.lines.map((line) => `${String(line.stream)}@${String(line.ROWTIME)}`);
  assert.deepEqual(streams.slice(3, 6), ["DESTINATION_SQL_STREAM@2018-11-01 01:01:00.000", "DESTINATION_SQL_STREAM@2018-11-01 01:01:00.000", "SOURCE_SQL_STREAM_001@2018-11-01 01:01:10.000"]);
});

it("the input stream's rows carry the schema's columns and the ones the service adds for a Kinesis source", async () => {
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 100;`;
  const result = await run(code, [
    { ...stock(at(0, 1), "AMZN", 740.5, "key-1"), approximateArrival: at(0, 0, 999), sequenceNumber: "123", shardId: "shardId-000000000007" },
    stock(at(0, 2), "QXZ", 84.5, "key-2"),
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(result.lines, [
    {
      stream: "SOURCE_SQL_STREAM_001",
      ROWTIME: "2018-11-01 01:00:01.000",
      TICKER_SYMBOL: "AMZN",
      SECTOR: "TECHNOLOGY",
      CHANGE: 0.5,
      PRICE: 740.5,
      APPROXIMATE_ARRIVAL_TIME: "2018-11-01 01:00:00.999",
      PARTITION_KEY: "key-1",
      SEQUENCE_NUMBER: "123",
      SHARD_ID: "shardId-000000000007",
    },
    { stream: "DESTINATION_SQL_STREAM", ROWTIME: "2018-11-01 01:00:01.000", TICKER_SYMBOL: "AMZN", PRICE: 740.5 },
    {
      stream: "SOURCE_SQL_STREAM_001",
      ROWTIME: "2018-11-01 01:00:02.000",
      TICKER_SYMBOL: "QXZ",
      SECTOR: "TECHNOLOGY",
      CHANGE: 0.5,
      PRICE: 84.5,
      APPROXIMATE_ARRIVAL_TIME: "2018-11-01 01:00:02.000",
      PARTITION_KEY: "key-2",
      SEQUENCE_NUMBER: "49590000000000000000000000000000000000000000000000000000",
      SHARD_ID: "shardId-000000000000",
    },
  ]);
});

it("error_stream: a record that does not convert, and the developer guide's divide by zero", async () => {
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(16), change REAL, ProblemColumn REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, sector, change, (price / 0) as ProblemColumn
FROM "SOURCE_SQL_STREAM_001"
WHERE sector SIMILAR TO '%TECH%';`;
  const bad = { arrival: at(0, 1), partitionKey: "pk", data: { TICKER_SYMBOL: "AMZN", SECTOR: "TECHNOLOGY", CHANGE: "up", PRICE: 1 } };
  const result = await run(code, [bad, stock(at(0, 2), "AMZN", 740.5), stock(at(0, 3), "QXZ", 84.5, "pk", "HEALTHCARE")]);
  assert.equal(result.status, 0, result.stderr);
  const errors = of(result.lines, "error_stream");
  assert.equal(errors.length, 2);
  assert.deepEqual(errors[0], {
    ROWTIME: "2018-11-01 01:00:01.000",
    ERROR_TIME: "2018-11-01 01:00:01.000",
    ERROR_LEVEL: "WARNING",
    ERROR_NAME: "Coercion error",
    MESSAGE: 'For input string: "up"',
    DATA_ROWTIME: "2018-11-01 01:00:01.000",
    DATA_ROW: Buffer.from(JSON.stringify(bad.data)).toString("hex").toUpperCase(),
    PUMP_NAME: "null",
  });
  assert.equal(errors[1]!.ERROR_NAME, "Divide by zero");
  assert.equal(errors[1]!.PUMP_NAME, "STREAM_PUMP");
  assert.equal(errors[1]!.ROWTIME, "2018-11-01 01:00:02.000");
  assert.deepEqual(of(result.lines, "DESTINATION_SQL_STREAM"), []);
});

it("a reference data source read from --object: the developer guide's CompanyName join", async () => {
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" varchar(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
   SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
   FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" as "c"
   ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";`;
  const config = stockConfig({
    ReferenceDataSources: [
      {
        TableName: "CompanyName",
        S3ReferenceDataSource: { BucketARN: "arn:aws:s3:::reference-bucket", FileKey: "data/TickerReference.csv", ReferenceRoleARN: "arn:aws:iam::000000000000:role/s3" },
        ReferenceSchema: {
          RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "," } } },
          RecordEncoding: "UTF-8",
          RecordColumns: [{ Name: "Ticker", SqlType: "VARCHAR(4)" }, { Name: "Company", SqlType: "VARCHAR(16)" }],
        },
      },
    ],
  });
  const object = "Ticker, Company\nAMZN,Amazon\nASD, SomeCompanyA\nMMB, SomeCompanyB\nWAS,  SomeCompanyC\n";
  const records = [stock(at(0, 1), "AMZN", 740.5), stock(at(0, 2), "QXZ", 84.5)];
  const result = await run(code, records, config, ["--object", "s3://reference-bucket/data/TickerReference.csv=ticker.csv"], { "ticker.csv": object });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(of(result.lines, "DESTINATION_SQL_STREAM"), [
    { ROWTIME: "2018-11-01 01:00:01.000", TICKER_SYMBOL: "AMZN", Company: "Amazon", SECTOR: "TECHNOLOGY", CHANGE: 0.5, PRICE: 740.5 },
    { ROWTIME: "2018-11-01 01:00:02.000", TICKER_SYMBOL: "QXZ", Company: null, SECTOR: "TECHNOLOGY", CHANGE: 0.5, PRICE: 84.5 },
  ]);
  const missing = await run(code, records, config);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, "tributary analytics run: app.json: ReferenceDataSources[0]: no --object s3://reference-bucket/data/TickerReference.csv=FILE gives the reference data\n");
});

it("InputParallelism: records spread over SOURCE_SQL_STREAM_001 and _002 by partition key, or named", async () => {
  const config = JSON.parse(stockConfig()) as { Inputs: { InputParallelism: { Count: number } }[] };
  config.Inputs[0]!.InputParallelism.Count = 2;
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), stream_no INTEGER);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol, 1 FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol, 2 FROM "SOURCE_SQL_STREAM_002";`;
  // MD5("a") begins 0c…, in the lower half of the hash key range; MD5("b") begins 92…, in the upper.
  const result = await run(code, [stock(at(0, 1), "A", 1, "a"), stock(at(0, 2), "B", 1, "b"), { ...stock(at(0, 3), "C", 1, "a"), stream: "SOURCE_SQL_STREAM_002" }], JSON.stringify(config));
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    of(result.lines, "DESTINATION_SQL_STREAM").map((line) => `${String(line.TICKER)}${String(line.STREAM_NO)}`),
    ["A1", "B2", "C2"],
  );
  assert.deepEqual(
    result.lines.filter((line) => String(line.stream).startsWith("SOURCE")).map((line) => `${String(line.stream)} ${String(line.SHARD_ID)}`),
    ["SOURCE_SQL_STREAM_001 shardId-000000000000", "SOURCE_SQL_STREAM_002 shardId-000000000001", "SOURCE_SQL_STREAM_002 shardId-000000000001"],
  );
});

it("a compile error exits 1 with the line and column; nothing is printed", async () => {
  const result = await run("CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (a INTEGER);\nCREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n  SELECT STREAM a FROM", [stock(at(0, 1), "A", 1)]);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, 'tributary analytics run: app.sql: Encountered "<EOF>" at line 3, column 23. Was expecting a stream or table name\n');
  const semantic = await run('CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (a INTEGER);\nCREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"\n  SELECT STREAM no_such_column FROM "SOURCE_SQL_STREAM_001";', []);
  assert.equal(semantic.status, 1);
  assert.match(semantic.stderr, /^tributary analytics run: app\.sql: line 3, column 17: .*NO_SUCH_COLUMN/);
});

it("bad records and configuration files are named with what is wrong", async () => {
  const code = 'CREATE OR REPLACE STREAM "D" (a VARCHAR(4));';
  let result = await run(code, [stock(at(0, 2), "A", 1), stock(at(0, 1), "B", 1)]);
  assert.equal(result.status, 1);
  assert.equal(result.stderr, "tributary analytics run: records.jsonl: line 2: arrival 1541034061000 is before the previous record's 1541034062000: records must come in arrival order\n".replace("1541034061000", String(at(0, 1))).replace("1541034062000", String(at(0, 2))));
  result = await analytics(["run", "--code", "app.sql", "--config", "app.json", "--records", "records.jsonl"], { "app.sql": code, "app.json": stockConfig(), "records.jsonl": '{"arrival": 1}\n' });
  assert.equal(result.stderr, 'tributary analytics run: records.jsonl: line 1: "data" is missing\n');
  result = await run(code, [], JSON.stringify({ Inputs: [{ NamePrefix: "S", InputSchema: { RecordFormat: { RecordFormatType: "XML" }, RecordColumns: [] } }] }));
  assert.equal(result.stderr, "tributary analytics run: app.json: Inputs[0].InputSchema.RecordFormat.RecordFormatType must be JSON or CSV\n");
  result = await run(code, [{ ...stock(at(0, 1), "A", 1), stream: "NOPE" }]);
  assert.equal(result.stderr, "tributary analytics run: records.jsonl: line 1: no input stream NOPE (there are SOURCE_SQL_STREAM_001)\n");
  result = await analytics(["run", "--code", "missing.sql", "--config", "app.json", "--records", "records.jsonl"], { "app.json": stockConfig(), "records.jsonl": "" });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /cannot read missing\.sql: ENOENT/);
});

it("records from stdin; usage errors exit 2; --help", async () => {
  const code = `CREATE OR REPLACE STREAM "D" (t VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001";`;
  const piped = await analytics(["run", "--code=app.sql", "--config=app.json", "--records", "-"], { "app.sql": code, "app.json": stockConfig() }, jsonl([stock(at(0, 1), "AMZN", 1)]));
  assert.equal(piped.status, 0, piped.stderr);
  assert.deepEqual(of(piped.lines, "D"), [{ ROWTIME: "2018-11-01 01:00:01.000", T: "AMZN" }]);
  let result = await analytics(["run", "--code", "app.sql"], {});
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^tributary analytics run: --config is required\n\nUsage: tributary analytics run/);
  result = await analytics(["run", "--code", "a", "--config", "b", "--records", "c", "--object", "bucket/key=file"], {});
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--object must be s3:\/\/BUCKET\/KEY=FILE, got bucket\/key=file/);
  result = await analytics(["replay"], {});
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown subcommand 'replay'/);
  result = await analytics(["run", "--help"], {});
  assert.equal(result.status, 0);
  assert.match(result.stdout, /\{"stream": "DESTINATION_SQL_STREAM", "ROWTIME": "YYYY-MM-DD HH:MM:SS.fff", \.\.\.columns\}/);
});
