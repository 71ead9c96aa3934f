/**
 * DiscoverInputSchema through the SDK (a stream's records, an S3 object with a header line, an
 * empty stream), and an application created from the discovered schema and run end to end.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateApplicationCommand, DiscoverInputSchemaCommand, StartApplicationCommand, type KinesisAnalyticsClient } from "@aws-sdk/client-kinesis-analytics";
import { exampleCredentials, kinesisClient, type TestServer } from "../../helpers/server.js";
import { createActiveStream } from "../../helpers/streams.js";
import { waitFor } from "../../helpers/wait.js";
import { analyticsClient, errorOf, readStreamText, roleArn, startAnalyticsServer, streamArnOf } from "./fixtures.js";

let server: TestServer;
let client: KinesisAnalyticsClient;
let kinesis: KinesisClient;
before(async () => {
  server = await startAnalyticsServer();
  client = analyticsClient(server);
  kinesis = kinesisClient(server);
});
after(() => server.stop());

describe("DiscoverInputSchema", () => {
  it("infers a JSON schema from a stream's records and an application runs with it", async () => {
    await createActiveStream(kinesis, "ticks", 1);
    await createActiveStream(kinesis, "ticks-out", 1);
    const ticks = [
      { TICKER_SYMBOL: "QXZ", SECTOR: "HEALTHCARE", CHANGE: -0.05, PRICE: 84.51 },
      { TICKER_SYMBOL: "NFLX", SECTOR: "TECHNOLOGY", CHANGE: 1.5, PRICE: 115.2 },
    ];
    await kinesis.send(new PutRecordsCommand({ StreamName: "ticks", Records: ticks.map((tick) => ({ PartitionKey: tick.TICKER_SYMBOL, Data: Buffer.from(JSON.stringify(tick)) })) }));
    const discovered = await client.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArnOf(server, "ticks"), RoleARN: roleArn, InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }));
    const schema = discovered.InputSchema!;
    assert.equal(schema.RecordFormat!.RecordFormatType, "JSON");
    assert.deepEqual(schema.RecordColumns!.map((column) => [column.Name, column.Mapping]), [
      ["TICKER_SYMBOL", "$.TICKER_SYMBOL"],
      ["SECTOR", "$.SECTOR"],
      ["CHANGE", "$.CHANGE"],
      ["PRICE", "$.PRICE"],
    ]);
    assert.equal(discovered.RawInputRecords!.length, 2);
    assert.equal(discovered.ParsedInputRecords!.length, 2);
    assert.equal(discovered.ParsedInputRecords![0]![0], "QXZ");

    await client.send(
      new CreateApplicationCommand({
        ApplicationName: "discovered",
        Inputs: [{ NamePrefix: "SOURCE_SQL_STREAM", KinesisStreamsInput: { ResourceARN: streamArnOf(server, "ticks"), RoleARN: roleArn }, InputSchema: schema }],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisStreamsOutput: { ResourceARN: streamArnOf(server, "ticks-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "CSV" } }],
        ApplicationCode: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), PRICE REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE SECTOR = 'TECHNOLOGY';`,
      }),
    );
    await client.send(new StartApplicationCommand({ ApplicationName: "discovered", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    await waitFor("the technology row", async () => (await readStreamText(kinesis, "ticks-out")).length >= 1);
    assert.deepEqual(await readStreamText(kinesis, "ticks-out"), ["NFLX,115.2"]);
  });

  it("infers a CSV schema, named by its header line, from an S3 object", async () => {
    const s3 = new S3Client({ endpoint: server.url, region: server.region, credentials: exampleCredentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "reference" }));
    await s3.send(new PutObjectCommand({ Bucket: "reference", Key: "companies.csv", Body: "Ticker,Company\nAMZN,Amazon\nASD,SomeCompanyA\n" }));
    const discovered = await client.send(new DiscoverInputSchemaCommand({ S3Configuration: { BucketARN: "arn:aws:s3:::reference", FileKey: "companies.csv", RoleARN: roleArn } }));
    assert.equal(discovered.InputSchema!.RecordFormat!.RecordFormatType, "CSV");
    assert.deepEqual(discovered.InputSchema!.RecordColumns!.map((column) => column.Name), ["Ticker", "Company"]);
    // As the developer guide's static-data example shows them: the header line among the records.
    assert.deepEqual(discovered.ParsedInputRecords, [
      ["Ticker", "Company"],
      ["AMZN", "Amazon"],
      ["ASD", "SomeCompanyA"],
    ]);
  });

  it("answers UnableToDetectSchemaException for a stream without records, InvalidArgumentException without a source", async () => {
    await createActiveStream(kinesis, "empty", 1);
    const empty = await errorOf(client.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArnOf(server, "empty"), RoleARN: roleArn, InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } })));
    assert.equal(empty.name, "UnableToDetectSchemaException");
    assert.equal((await errorOf(client.send(new DiscoverInputSchemaCommand({})))).name, "InvalidArgumentException");
  });
});
