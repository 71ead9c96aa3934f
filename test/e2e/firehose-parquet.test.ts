/**
 * A Kinesis stream as the source, JSON records converted to Apache Parquet with the schema of a
 * Glue table, delivered to the built-in S3 store — all through public clients
 * (@aws-sdk/client-kinesis, client-glue, client-firehose, client-s3) — and the files read by two
 * independent readers: DuckDB (its C++ reader: column types) and hyparquet (rows). Every record
 * put is a row with the right values; a record that does not convert lands under the error prefix
 * as a format-conversion-failed error record.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from "@aws-sdk/client-glue";
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { parquetReadObjects } from "hyparquet";
import { exampleCredentials, kinesisClient, type TestServer } from "../helpers/server.js";
import { errorOf } from "../firehose/fixtures.js";
import { firehoseClient, getObjectBytes, jsonLines, roleArn, s3Client, startFirehoseServer, waitActive, waitForKeys } from "./firehose-e2e-fixture.js";

let server: TestServer;
let kinesis: KinesisClient;
const dir = mkdtempSync(join(tmpdir(), "firehose-parquet-"));
before(async () => {
  server = await startFirehoseServer({ firehose: { createDelayMs: 0 } });
  kinesis = kinesisClient(server);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const columns = [
  { Name: "id", Type: "bigint" },
  { Name: "name", Type: "string" },
  { Name: "score", Type: "double" },
  { Name: "active", Type: "boolean" },
  { Name: "price", Type: "decimal(10,2)" },
  { Name: "seen", Type: "timestamp" },
  { Name: "tags", Type: "array<string>" },
  { Name: "address", Type: "struct<city:string,zip:int>" },
];

async function duckdb(path: string): Promise<{ types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const types = Object.fromEntries(described.getRowObjectsJson().map((row) => [String(row.column_name), String(row.column_type)]));
    const read = await connection.runAndReadAll(`SELECT id, name, score, active, CAST(price AS VARCHAR) AS price, CAST(seen AS VARCHAR) AS seen, tags, address FROM read_parquet('${path}') ORDER BY id`);
    return { types, rows: read.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

it("refuses conversion with a buffer under 64 MiB with Firehose's InvalidArgumentException", async () => {
  const error = await errorOf(
    firehoseClient(server).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "parquet-small",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::parquet-e2e",
          BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 },
          DataFormatConversionConfiguration: {
            Enabled: true,
            SchemaConfiguration: { DatabaseName: "analytics", TableName: "events", RoleARN: roleArn },
            InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
          },
        },
      }),
    ),
  );
  // AWS's text, as terraform-provider-aws's acceptance tests record it.
  assert.deepEqual(error, { name: "InvalidArgumentException", message: "BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.", status: 400 });
});

it("converts a Kinesis stream's JSON records to Parquet by a Glue table: rows and types as DuckDB and hyparquet read them", async () => {
  const glue = new GlueClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials, maxAttempts: 1 });
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "analytics" } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: "analytics",
      TableInput: { Name: "events", StorageDescriptor: { Columns: columns, Location: "s3://parquet-e2e/events/" }, TableType: "EXTERNAL_TABLE" },
    }),
  );
  await kinesis.send(new CreateStreamCommand({ StreamName: "events-source", ShardCount: 2 }));
  const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "events-source" }))).StreamDescriptionSummary!.StreamARN!;

  const firehose = firehoseClient(server);
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "to-parquet",
      DeliveryStreamType: "KinesisStreamAsSource",
      KinesisStreamSourceConfiguration: { KinesisStreamARN: streamArn, RoleARN: roleArn },
      ExtendedS3DestinationConfiguration: {
        RoleARN: roleArn,
        BucketARN: "arn:aws:s3:::parquet-e2e",
        Prefix: "events/",
        ErrorOutputPrefix: "failed/!{firehose:error-output-type}/",
        // Conversion needs SizeInMBs ≥ 64; the 1 s interval flushes long before.
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 1 },
        DataFormatConversionConfiguration: {
          Enabled: true,
          SchemaConfiguration: { DatabaseName: "analytics", TableName: "events", RoleARN: roleArn, Region: server.region, VersionId: "LATEST" },
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: "SNAPPY" } } },
        },
      },
    }),
  );
  await waitActive(firehose, "to-parquet");
  const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "to-parquet" }));
  assert.equal(described.DeliveryStreamDescription!.Destinations![0]!.ExtendedS3DestinationDescription!.DataFormatConversionConfiguration!.Enabled, true);

  const events = Array.from({ length: 60 }, (_, n) => ({
    id: n,
    name: `user-${n}`,
    score: n / 4,
    active: n % 3 === 0,
    price: `${n}.${String(n % 100).padStart(2, "0")}`,
    seen: `2024-05-17 13:${String(n % 60).padStart(2, "0")}:07`,
    tags: n % 5 === 0 ? [] : [`t${n % 5}`, "all"],
    address: { city: `city-${n % 4}`, zip: 10_000 + n },
  }));
  const bad = '{"id": "not a number", "name": "broken"}';
  const put = await kinesis.send(
    new PutRecordsCommand({
      StreamName: "events-source",
      Records: [...events.map((event) => ({ Data: Buffer.from(JSON.stringify(event)), PartitionKey: `k${event.id}` })), { Data: Buffer.from(bad), PartitionKey: "bad" }],
    }),
  );
  assert.equal(put.FailedRecordCount, 0);

  const s3 = s3Client(server);
  let rows: Record<string, unknown>[] = [];
  const keys = await waitForKeys(s3, "parquet-e2e", "events/", (found) => found.length > 0, 30_000);
  // Both shards' records may be in one object or several: read until all rows are there.
  const files: string[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    const now = await waitForKeys(s3, "parquet-e2e", "events/", (found) => found.length >= keys.length);
    files.length = 0;
    rows = [];
    for (const [index, key] of now.entries()) {
      assert.match(key, /^events\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/to-parquet-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}(\.parquet)?$/);
      const bytes = await getObjectBytes(s3, "parquet-e2e", key);
      assert.equal(bytes.subarray(0, 4).toString(), "PAR1");
      const path = join(dir, `part-${index}.parquet`);
      writeFileSync(path, bytes);
      files.push(path);
      const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      rows.push(...((await parquetReadObjects({ file: arrayBuffer })) as Record<string, unknown>[]));
    }
    if (rows.length >= events.length) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(rows.length, events.length, "one row per convertible record, none twice");
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  for (const [n, row] of rows.entries()) {
    const event = events[n]!;
    assert.equal(row.id, BigInt(event.id));
    assert.equal(row.name, event.name);
    assert.equal(row.score, event.score);
    assert.equal(row.active, event.active);
    assert.equal(Number(row.price), Number(event.price));
    assert.ok(row.seen instanceof Date, `seen is a timestamp: ${String(row.seen)}`);
    assert.equal((row.seen as Date).toISOString(), `${event.seen.replace(" ", "T")}.000Z`);
    assert.deepEqual(row.tags, event.tags);
    assert.deepEqual(row.address, event.address);
  }

  const duck = await duckdb(files[0]!);
  assert.deepEqual(duck.types, {
    id: "BIGINT",
    name: "VARCHAR",
    score: "DOUBLE",
    active: "BOOLEAN",
    price: "DECIMAL(10,2)",
    seen: "TIMESTAMP",
    tags: "VARCHAR[]",
    address: "STRUCT(city VARCHAR, zip INTEGER)",
  });
  const duckRows = (await Promise.all(files.map(duckdb))).flatMap((read) => read.rows).sort((a, b) => Number(a.id) - Number(b.id));
  assert.deepEqual(
    duckRows.map((row) => [row.id, row.price, row.seen]),
    events.map((event) => [String(event.id), Number(event.price).toFixed(2), event.seen]),
  );

  // The record that does not fit the schema: a format-conversion-failed error record with its data.
  const failedKeys = await waitForKeys(s3, "parquet-e2e", "failed/", (found) => found.length > 0, 20_000);
  assert.ok(failedKeys.every((key) => key.startsWith("failed/format-conversion-failed/")), failedKeys.join(", "));
  const errors = (await Promise.all(failedKeys.map(async (key) => jsonLines((await getObjectBytes(s3, "parquet-e2e", key)).toString())))).flat();
  assert.equal(errors.length, 1);
  assert.equal(Buffer.from(errors[0].rawData, "base64").toString(), bad);
  // Format conversion failures carry lastErrorCode/lastErrorMessage and the table (Firehose's guide).
  assert.equal(typeof errors[0].lastErrorCode, "string");
  assert.equal(typeof errors[0].lastErrorMessage, "string");
  assert.equal(errors[0].dataCatalogTable?.databaseName, "analytics");
  assert.equal(errors[0].dataCatalogTable?.tableName, "events");
});
