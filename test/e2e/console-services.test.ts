/**
 * The console's pages for the services beside Kinesis, in a real browser: a KCL application's
 * lease table as per-shard progress (owner, checkpoint, lag), a Firehose delivery stream's detail
 * and test record, a Lambda function's configuration, test invoke and followed log, and a SQL
 * application's in-application streams and live output rows. Screenshots in test-artifacts/console/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateApplicationCommand, KinesisAnalyticsClient } from "@aws-sdk/client-kinesis-analytics";
import { startServer, type TributaryServer } from "../../src/index.js";
import { launchBrowser, openPage, screenshot } from "../helpers/browser.js";
import { zipOf } from "../helpers/zip.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const roleArn = "arn:aws:iam::000000000000:role/console-test";
const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

let server: TributaryServer;
let browser: Browser;
let kinesis: KinesisClient;

before(async () => {
  server = await startServer({
    limits: "off",
    init: { streams: [{ StreamName: "kcl-source", ShardCount: 2 }, { StreamName: "sql-in", ShardCount: 1 }, { StreamName: "sql-out", ShardCount: 1 }], buckets: [{ Bucket: "console-bucket" }] },
  });
  const config = { endpoint: server.url, region: server.region, credentials };
  kinesis = new KinesisClient(config);
  browser = await launchBrowser();
});

after(async () => {
  kinesis?.destroy();
  await browser?.close();
  await server?.close();
});

describe("e2e > console > services", () => {
  it("e2e > console > services > a KCL lease table shows each shard's owner, checkpoint and lag", async () => {
    const config = { endpoint: server.url, region: server.region, credentials };
    const dynamodb = new DynamoDBClient(config);
    const first = await kinesis.send(new PutRecordCommand({ StreamName: "kcl-source", PartitionKey: "a", Data: Buffer.from("one"), ExplicitHashKey: "0" }));
    await kinesis.send(new PutRecordCommand({ StreamName: "kcl-source", PartitionKey: "a", Data: Buffer.from("two"), ExplicitHashKey: "0" }));
    await dynamodb.send(new CreateTableCommand({ TableName: "orders-app", AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }], KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    const lease = (shardId: string, checkpoint: string, owner: string) => ({
      leaseKey: { S: shardId }, checkpoint: { S: checkpoint }, checkpointSubSequenceNumber: { N: "0" }, leaseCounter: { N: "7" }, leaseOwner: { S: owner }, ownerSwitchesSinceCheckpoint: { N: "0" },
    });
    await dynamodb.send(new PutItemCommand({ TableName: "orders-app", Item: lease("shardId-000000000000", first.SequenceNumber!, "worker-a") }));
    await dynamodb.send(new PutItemCommand({ TableName: "orders-app", Item: lease("shardId-000000000001", "TRIM_HORIZON", "worker-b") }));
    dynamodb.destroy();

    const { page, errors } = await openPage(browser);
    await page.goto(`${server.url}/#/tables`);
    await page.getByRole("link", { name: "orders-app" }).click();
    await page.getByLabel("Stream").selectOption("kcl-source");
    const leases = page.getByRole("table", { name: "Leases" });
    // Shard 0's checkpoint is its first record: one record behind. Shard 1 has none: caught up.
    await leases.getByRole("row", { name: /shardId-000000000000 worker-a \d+ \d+ (ms|s)\b/ }).waitFor();
    await leases.getByRole("row", { name: /shardId-000000000001 worker-b TRIM_HORIZON caught up/ }).waitFor();
    await page.getByText("2 leases, 2 workers, 0 shards finished.").waitFor();
    await screenshot(page, "services-kcl");
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("e2e > console > services > a delivery stream's detail and a test record", async () => {
    const firehose = new FirehoseClient({ endpoint: server.url, region: server.region, credentials });
    await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: "console-delivery",
      ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::console-bucket", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
    }));
    firehose.destroy();
    const { page, errors } = await openPage(browser);
    await page.goto(`${server.url}/#/delivery-streams`);
    await page.getByRole("row", { name: /console-delivery ACTIVE DirectPut S3/ }).waitFor();
    await page.getByRole("link", { name: "console-delivery" }).click();
    await page.getByText("arn:aws:s3:::console-bucket").waitFor();
    await page.getByText("1 MiB or 60 s").waitFor();
    const put = page.getByRole("form", { name: "Put a test record" });
    await put.getByRole("button", { name: "Put record" }).click();
    await put.getByText(/Accepted as \S+/).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('figure.graph[data-metric="Incoming records"]')?.getAttribute("data-sum") ?? 0) >= 1);
    await screenshot(page, "services-firehose");
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("e2e > console > services > a function's test invoke and its followed log", async () => {
    const lambda = new LambdaClient({ endpoint: server.url, region: server.region, credentials });
    const handler = 'export const handler = async (event) => { console.log("console saw", JSON.stringify(event)); return { doubled: event.n * 2 }; };';
    await lambda.send(new CreateFunctionCommand({ FunctionName: "console-fn", Runtime: "nodejs20.x", Role: roleArn, Handler: "index.handler", Code: { ZipFile: zipOf({ "index.mjs": handler }) } }));
    lambda.destroy();
    const { page, errors } = await openPage(browser);
    await page.goto(`${server.url}/#/functions`);
    await page.getByRole("link", { name: "console-fn" }).click();
    await page.getByText("index.handler").waitFor();
    const invoke = page.getByRole("form", { name: "Invoke the function" });
    await invoke.getByLabel("Event (JSON)").fill('{"n": 21}');
    await invoke.getByRole("button", { name: "Invoke" }).click();
    await invoke.getByText('{"doubled":42}').waitFor();
    await invoke.getByText(/console saw \{"n":21\}/).waitFor();
    await page.getByRole("region", { name: "Log" }).getByText(/REPORT RequestId/).waitFor();
    await screenshot(page, "services-function");
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("e2e > console > services > a SQL application's in-application streams and live output rows", async () => {
    const analytics = new KinesisAnalyticsClient({ endpoint: server.url, region: server.region, credentials });
    await analytics.send(new CreateApplicationCommand({
      ApplicationName: "console-sql",
      Inputs: [{
        NamePrefix: "SOURCE_SQL_STREAM",
        KinesisStreamsInput: { ResourceARN: streamArn("sql-in"), RoleARN: roleArn },
        InputSchema: { RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } }, RecordColumns: [{ Name: "V", Mapping: "$.v", SqlType: "BIGINT" }] },
      }],
      Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisStreamsOutput: { ResourceARN: streamArn("sql-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } }],
      ApplicationCode: 'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (DOUBLED BIGINT);\nCREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM V * 2 FROM "SOURCE_SQL_STREAM_001";',
    }));
    analytics.destroy();
    const { page, errors } = await openPage(browser);
    await page.goto(`${server.url}/#/applications`);
    await page.getByRole("row", { name: /console-sql READY/ }).waitFor();
    await page.getByRole("link", { name: "console-sql" }).click();
    await page.getByRole("row", { name: /SOURCE_SQL_STREAM_001 input .*sql-in V BIGINT/ }).waitFor();
    await page.getByRole("row", { name: /DESTINATION_SQL_STREAM output .*sql-out JSON/ }).waitFor();
    await page.getByRole("button", { name: "Start application" }).click();
    await page.getByRole("button", { name: "Stop application" }).waitFor();
    await page.getByText("Waiting for rows written to sql-out").waitFor();
    await kinesis.send(new PutRecordCommand({ StreamName: "sql-in", PartitionKey: "a", Data: Buffer.from('{"v": 21}') }));
    await page.getByRole("table", { name: "Rows of DESTINATION_SQL_STREAM" }).getByText('{"DOUBLED":42}').waitFor({ timeout: 30_000 });
    await page.getByRole("region", { name: "Application" }).getByText("RUNNING", { exact: true }).waitFor();
    await screenshot(page, "services-sql");
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
