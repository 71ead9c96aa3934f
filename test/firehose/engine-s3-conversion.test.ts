/**
 * Format conversion in the S3 destination, through the whole server: a Glue table made with
 * @aws-sdk/client-glue, a DirectPut stream with DataFormatConversionConfiguration (OpenX JSON →
 * Parquet), records put with the Firehose SDK; the `.parquet` object read back by hyparquet with
 * its rows and types, the record that does not fit the schema in format-conversion-failed with
 * the table in its error record, and a later UpdateTable (VersionId LATEST) followed at the next
 * flush. Also the Create checks: ORC, a compression wrapper, a missing SchemaConfiguration.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { CreateDatabaseCommand, CreateTableCommand, GlueClient, UpdateTableCommand } from "@aws-sdk/client-glue";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { exampleCredentials, type TestServer } from "../helpers/server.js";
import { errorOf, firehoseClient, roleArn, s3Client, startFirehoseServer, waitActive } from "./fixtures.js";

let server: TestServer;
let client: FirehoseClient;
let s3: S3Client;
let glue: GlueClient;
before(async () => {
  server = await startFirehoseServer();
  client = firehoseClient(server);
  s3 = s3Client(server);
  glue = new GlueClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials });
});
after(() => server.stop());

async function objects(bucket: string): Promise<Map<string, Buffer>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => ({ Contents: [] }));
  const out = new Map<string, Buffer>();
  for (const object of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
    out.set(object.Key!, Buffer.from(await got.Body!.transformToByteArray()));
  }
  return out;
}

async function eventually(bucket: string, done: (found: Map<string, Buffer>) => boolean): Promise<Map<string, Buffer>> {
  for (let i = 0; i < 500; i++) {
    const found = await objects(bucket);
    if (done(found)) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${bucket}: condition never met`);
}

const arrayBufferOf = (file: Buffer): ArrayBuffer => file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;

const storage = (columns: { Name: string; Type: string }[]) => ({
  Columns: columns,
  Location: "s3://converted-bucket/",
  InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
});

const conversion = {
  Enabled: true,
  SchemaConfiguration: { RoleARN: roleArn, DatabaseName: "analytics", TableName: "events" },
  InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
  OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: "SNAPPY" as const } } },
};

describe("JSON → Parquet", () => {
  it("writes one .parquet object per flush with the table's types; a record that does not fit goes to format-conversion-failed", async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "analytics" } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: "analytics",
        TableInput: {
          Name: "events",
          TableType: "EXTERNAL_TABLE",
          StorageDescriptor: storage([
            { Name: "id", Type: "bigint" },
            { Name: "name", Type: "string" },
            { Name: "price", Type: "double" },
            { Name: "tags", Type: "array<string>" },
          ]),
        },
      }),
    );
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "to-parquet",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::converted-bucket",
          Prefix: "tables/events/",
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 0 },
          DataFormatConversionConfiguration: conversion,
        },
      }),
    );
    await waitActive(client, "to-parquet");
    const documents = [
      { id: 1, name: "pen", price: 1.5, tags: ["office"] },
      { id: 2, name: "cup", price: 3.25, tags: [] },
      { id: "not a number", name: "broken" },
    ];
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-parquet", Records: documents.map((document) => ({ Data: Buffer.from(JSON.stringify(document)) })) }));
    const found = await eventually("converted-bucket", (map) => map.size >= 2);
    const parquetKey = [...found.keys()].find((key) => key.endsWith(".parquet"))!;
    assert.match(parquetKey, /^tables\/events\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/to-parquet-1-[\d-]+-[0-9a-f-]{36}\.parquet$/);
    const file = found.get(parquetKey)!;
    assert.equal(file.subarray(0, 4).toString(), "PAR1");
    const rows = await parquetReadObjects({ file: arrayBufferOf(file) });
    assert.deepEqual(rows, [
      { id: 1n, name: "pen", price: 1.5, tags: ["office"] },
      { id: 2n, name: "cup", price: 3.25, tags: [] },
    ]);
    const leaves = parquetMetadata(arrayBufferOf(file)).schema.filter((element) => element.type !== undefined);
    assert.deepEqual(
      leaves.map((element) => [element.name, element.type]),
      [
        ["id", "INT64"],
        ["name", "BYTE_ARRAY"],
        ["price", "DOUBLE"],
        ["array_element", "BYTE_ARRAY"],
      ],
    );

    const errorKey = [...found.keys()].find((key) => key !== parquetKey)!;
    assert.match(errorKey, /^tables\/events\/format-conversion-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/to-parquet-1-/);
    const line = JSON.parse(found.get(errorKey)!.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), ["attemptsMade", "arrivalTimestamp", "lastErrorCode", "lastErrorMessage", "attemptEndingTimestamp", "rawData", "dataCatalogTable"]);
    assert.equal(line.lastErrorCode, "DataFormatConversion.MalformedData");
    assert.equal(Buffer.from(String(line.rawData), "base64").toString(), JSON.stringify(documents[2]));
    assert.deepEqual(line.dataCatalogTable, {
      catalogId: server.accountId,
      databaseName: "analytics",
      tableName: "events",
      region: server.region,
      versionId: "LATEST",
      catalogArn: `arn:aws:glue:${server.region}:${server.accountId}:catalog`,
    });

    // VersionId LATEST: the next flush reads the updated table.
    await glue.send(
      new UpdateTableCommand({
        DatabaseName: "analytics",
        TableInput: { Name: "events", TableType: "EXTERNAL_TABLE", StorageDescriptor: storage([{ Name: "id", Type: "bigint" }, { Name: "qty", Type: "int" }]) },
      }),
    );
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-parquet", Records: [{ Data: Buffer.from('{"id":3,"qty":7,"name":"gone"}') }] }));
    const later = await eventually("converted-bucket", (map) => [...map.keys()].filter((key) => key.endsWith(".parquet")).length >= 2);
    const secondKey = [...later.keys()].find((key) => key.endsWith(".parquet") && key !== parquetKey)!;
    assert.deepEqual(await parquetReadObjects({ file: arrayBufferOf(later.get(secondKey)!) }), [{ id: 3n, qty: 7 }]);
  });
});

describe("CreateDeliveryStream checks", () => {
  const create = (name: string, extra: Record<string, unknown>) =>
    errorOf(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::b", ...extra } })));

  it("refuses ORC, a compression wrapper and a missing table", async () => {
    const orc = await create("orc", { DataFormatConversionConfiguration: { ...conversion, OutputFormatConfiguration: { Serializer: { OrcSerDe: {} } } } });
    assert.deepEqual(
      [orc.name, orc.message],
      ["InvalidArgumentException", "OrcSerDe is not supported by this server: ORC output needs an ORC writer, and no maintained one exists for Node.js. Use ParquetSerDe."],
    );
    const gzip = await create("gzip", { CompressionFormat: "GZIP", DataFormatConversionConfiguration: conversion });
    assert.equal(gzip.message, "The S3 destination's compression format must be set to UNCOMPRESSED when data format conversion is enabled");
    const small = await create("small", { BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 }, DataFormatConversionConfiguration: conversion });
    assert.equal(small.message, "BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.");
    const noTable = await create("no-table", { DataFormatConversionConfiguration: { ...conversion, SchemaConfiguration: { RoleARN: roleArn, DatabaseName: "analytics" } } });
    assert.equal(noTable.message, "SchemaConfiguration with DatabaseName and TableName is required when DataFormatConversionConfiguration is enabled.");
    // Disabled conversion is kept, not checked.
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "disabled",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::b", CompressionFormat: "GZIP", DataFormatConversionConfiguration: { ...conversion, Enabled: false } },
      }),
    );
  });
});
