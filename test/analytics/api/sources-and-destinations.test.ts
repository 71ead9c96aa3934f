/**
 * A running application's other sources and destinations: a Kinesis input resharded while it
 * runs, a DirectPut delivery stream as input and another as output (read back from its S3
 * destination), a reference table from an S3 object joined to the stream, and Lambda functions as
 * input preprocessor (Ok, Dropped, ProcessingFailed → error_stream) and as output.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutRecordsCommand, UpdateShardCountCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateApplicationCommand, DescribeApplicationCommand, StartApplicationCommand, type KinesisAnalyticsClient } from "@aws-sdk/client-kinesis-analytics";
import { exampleCredentials, kinesisClient, type TestServer } from "../../helpers/server.js";
import { createActiveStream, waitUntilActive } from "../../helpers/streams.js";
import { waitFor } from "../../helpers/wait.js";
import { zipOf } from "../../helpers/zip.js";
import { createActive, role as lambdaRole } from "../../lambda/api-fixtures.js";
import { analyticsClient, kinesisInput, readStreamText, roleArn, startAnalyticsServer, streamArnOf } from "./fixtures.js";

let server: TestServer;
let client: KinesisAnalyticsClient;
let kinesis: KinesisClient;
let s3: S3Client;
let firehose: FirehoseClient;
let lambda: LambdaClient;
const dir = mkdtempSync(join(tmpdir(), "analytics-destinations-"));
before(async () => {
  server = await startAnalyticsServer();
  client = analyticsClient(server);
  kinesis = kinesisClient(server);
  const options = { endpoint: server.url, region: server.region, credentials: exampleCredentials };
  s3 = new S3Client({ ...options, forcePathStyle: true });
  firehose = new FirehoseClient(options);
  lambda = new LambdaClient(options);
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const passAll = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001";`;
const toStream = (stream: string, name = "DESTINATION_SQL_STREAM") => ({ Name: name, KinesisStreamsOutput: { ResourceARN: streamArnOf(server, stream), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" as const } });
const put = (stream: string, tickers: string[]) =>
  kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: tickers.map((ticker, index) => ({ PartitionKey: `${ticker}-${index}`, Data: Buffer.from(JSON.stringify({ ticker, price: 1 })) })) }));
const tickersIn = async (stream: string) => (await readStreamText(kinesis, stream)).map((text) => (JSON.parse(text) as { TICKER: string }).TICKER).sort();
describe("sources and destinations", () => {
  it("follows its input stream through a reshard: records of parents and children all go through", async () => {
    await createActiveStream(kinesis, "reshard-in", 1);
    await createActiveStream(kinesis, "reshard-out", 1);
    await client.send(new CreateApplicationCommand({ ApplicationName: "reshard", Inputs: [kinesisInput(streamArnOf(server, "reshard-in"))], Outputs: [toStream("reshard-out")], ApplicationCode: passAll }));
    await client.send(new StartApplicationCommand({ ApplicationName: "reshard", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    await put("reshard-in", ["A1", "A2", "A3"]);
    await kinesis.send(new UpdateShardCountCommand({ StreamName: "reshard-in", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
    await waitUntilActive(kinesis, "reshard-in");
    await put("reshard-in", ["B1", "B2", "B3", "B4"]);
    await waitFor("seven rows", async () => (await readStreamText(kinesis, "reshard-out")).length >= 7);
    assert.deepEqual(await tickersIn("reshard-out"), ["A1", "A2", "A3", "B1", "B2", "B3", "B4"]);
  });

  it("reads a DirectPut delivery stream and writes another, delivered to S3", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "analytics-out" }));
    const s3Destination = (prefix: string) => ({ RoleARN: roleArn, BucketARN: "arn:aws:s3:::analytics-out", Prefix: prefix, BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } });
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "fh-in", DeliveryStreamType: "DirectPut", ExtendedS3DestinationConfiguration: s3Destination("in/") }));
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "fh-out", DeliveryStreamType: "DirectPut", ExtendedS3DestinationConfiguration: s3Destination("out/") }));
    const fhArn = (name: string) => `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/${name}`;
    const base = kinesisInput(streamArnOf(server, "unused"));
    const { KinesisStreamsInput: _stream, ...rest } = base;
    await client.send(
      new CreateApplicationCommand({
        ApplicationName: "fh",
        Inputs: [{ ...rest, KinesisFirehoseInput: { ResourceARN: fhArn("fh-in"), RoleARN: roleArn } }],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisFirehoseOutput: { ResourceARN: fhArn("fh-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "CSV" } }],
        ApplicationCode: passAll,
      }),
    );
    await client.send(new StartApplicationCommand({ ApplicationName: "fh", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } }] }));
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "fh-in", Records: ["X", "Y"].map((ticker) => ({ Data: Buffer.from(JSON.stringify({ ticker, price: 2.5 })) })) }));
    const delivered = async () => {
      const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: "analytics-out", Prefix: "out/" }))).Contents ?? []).map((object) => object.Key!);
      const texts = await Promise.all(keys.map(async (Key) => (await (await s3.send(new GetObjectCommand({ Bucket: "analytics-out", Key }))).Body!.transformToString()) as string));
      return texts.join("");
    };
    await waitFor("rows delivered to S3", async () => (await delivered()).includes("Y,2.5"), 20_000);
    assert.equal(await delivered(), "X,2.5Y,2.5");
  });

  it("joins the stream to a reference table read from S3", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "reference" }));
    await s3.send(new PutObjectCommand({ Bucket: "reference", Key: "companies.csv", Body: "AMZN,Amazon\nMSFT,Microsoft\n" }));
    await createActiveStream(kinesis, "ref-in", 1);
    await createActiveStream(kinesis, "ref-out", 1);
    await client.send(new CreateApplicationCommand({ ApplicationName: "ref", Inputs: [kinesisInput(streamArnOf(server, "ref-in"))], Outputs: [toStream("ref-out")] }));
    const { ApplicationDetail } = await client.send(new DescribeApplicationCommand({ ApplicationName: "ref" }));
    const { AddApplicationReferenceDataSourceCommand, UpdateApplicationCommand } = await import("@aws-sdk/client-kinesis-analytics");
    await client.send(
      new AddApplicationReferenceDataSourceCommand({
        ApplicationName: "ref",
        CurrentApplicationVersionId: ApplicationDetail!.ApplicationVersionId!,
        ReferenceDataSource: {
          TableName: "CompanyName",
          S3ReferenceDataSource: { BucketARN: "arn:aws:s3:::reference", FileKey: "companies.csv", ReferenceRoleARN: roleArn },
          ReferenceSchema: {
            RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "," } } },
            RecordColumns: [
              { Name: "Ticker", SqlType: "VARCHAR(8)" },
              { Name: "Company", SqlType: "VARCHAR(20)" },
            ],
          },
        },
      }),
    );
    await client.send(
      new UpdateApplicationCommand({
        ApplicationName: "ref",
        CurrentApplicationVersionId: ApplicationDetail!.ApplicationVersionId! + 1,
        ApplicationUpdate: {
          ApplicationCodeUpdate: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), COMPANY VARCHAR(20));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "SOURCE_SQL_STREAM_001".TICKER, "c"."Company" FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c" ON "SOURCE_SQL_STREAM_001".TICKER = "c"."Ticker";`,
        },
      }),
    );
    await client.send(new StartApplicationCommand({ ApplicationName: "ref", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    // The table is loaded before the application takes its first record.
    await put("ref-in", ["AMZN", "NOPE"]);
    await waitFor("two joined rows", async () => (await readStreamText(kinesis, "ref-out")).length >= 2);
    const rows = (await readStreamText(kinesis, "ref-out")).map((text) => JSON.parse(text) as { TICKER: string; COMPANY: string | null }).sort((a, b) => a.TICKER.localeCompare(b.TICKER));
    assert.deepEqual(rows, [
      { TICKER: "AMZN", COMPANY: "Amazon" },
      { TICKER: "NOPE", COMPANY: null },
    ]);
  });

  it("preprocesses records with a function (Ok, Dropped, ProcessingFailed) and writes rows to an output function", async () => {
    const outFile = join(dir, "delivered.jsonl");
    const preprocess = `export const handler = async (event) => ({ records: event.records.map((record) => {
  const value = JSON.parse(Buffer.from(record.data, "base64").toString());
  if (value.ticker === "DROP") return { recordId: record.recordId, result: "Dropped", data: record.data };
  if (value.ticker === "FAIL") return { recordId: record.recordId, result: "ProcessingFailed", data: record.data };
  return { recordId: record.recordId, result: "Ok", data: Buffer.from(JSON.stringify({ ticker: value.ticker.toLowerCase(), price: value.price * 10 })).toString("base64") };
}) });\n`;
    const deliver = `import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  for (const record of event.records) appendFileSync(process.env.OUT_FILE, Buffer.from(record.data, "base64").toString() + "\\n");
  return { records: event.records.map((record) => ({ recordId: record.recordId, result: "Ok" })) };
};\n`;
    await createActive(lambda, { FunctionName: "pre", Runtime: "nodejs20.x", Handler: "index.handler", Role: lambdaRole, Code: { ZipFile: zipOf({ "index.mjs": preprocess }) } });
    await createActive(lambda, { FunctionName: "deliver", Runtime: "nodejs20.x", Handler: "index.handler", Role: lambdaRole, Environment: { Variables: { OUT_FILE: outFile } }, Code: { ZipFile: zipOf({ "index.mjs": deliver }) } });
    await createActiveStream(kinesis, "lambda-in", 1);
    await createActiveStream(kinesis, "lambda-errors", 1);
    const fnArn = (name: string) => `arn:aws:lambda:${server.region}:${server.accountId}:function:${name}`;
    await client.send(
      new CreateApplicationCommand({
        ApplicationName: "lambdas",
        Inputs: [{ ...kinesisInput(streamArnOf(server, "lambda-in")), InputProcessingConfiguration: { InputLambdaProcessor: { ResourceARN: fnArn("pre"), RoleARN: roleArn } } }],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", LambdaOutput: { ResourceARN: fnArn("deliver"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } }, toStream("lambda-errors", "error_stream")],
        ApplicationCode: passAll,
      }),
    );
    await put("lambda-in", ["KEEP", "DROP", "FAIL", "ALSO"]);
    await client.send(new StartApplicationCommand({ ApplicationName: "lambdas", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    await waitFor("two rows delivered", () => existsSync(outFile) && readFileSync(outFile, "utf8").trim().split("\n").length >= 2, 30_000);
    assert.deepEqual(readFileSync(outFile, "utf8").trim().split("\n").sort(), ['{"TICKER":"also","PRICE":10.0}', '{"TICKER":"keep","PRICE":10.0}']);
    await waitFor("the failed record in error_stream", async () => (await readStreamText(kinesis, "lambda-errors")).length >= 1);
    const [error] = (await readStreamText(kinesis, "lambda-errors")).map((text) => JSON.parse(text) as Record<string, unknown>);
    assert.equal(error!.ERROR_NAME, "Lambda_processing_failure");
    assert.equal(Buffer.from(error!.DATA_ROW as string, "hex").toString(), JSON.stringify({ ticker: "FAIL", price: 1 }));
  });
});
