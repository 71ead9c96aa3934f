/**
 * Firehose's processors end to end, through public clients only:
 * - Dynamic partitioning by a JQ query: DirectPut JSON records → MetadataExtraction
 *   (`{customer: .customer, year: .year}`, JQ-1.6) → GZIP objects under
 *   `orders/customer=!{partitionKeyFromQuery:customer}/year=!{partitionKeyFromQuery:year}/`, read
 *   back with `aws s3 cp --recursive` and gunzip: every record once, in its own partition; a record
 *   that is not JSON under the error prefix as partitioning-failed.
 * - A Lambda transformation: a real Node.js function created with @aws-sdk/client-lambda answers
 *   Ok (transformed), Dropped or ProcessingFailed per record; the failed ones land under the error
 *   prefix as processing-failed error records with their raw data, the dropped ones nowhere, the
 *   rest delivered transformed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { exampleCredentials, type TestServer } from "../helpers/server.js";
import { zipOf } from "../helpers/zip.js";
import { errorOf } from "../firehose/fixtures.js";
import { requireAwsCliV2 } from "./external-clients.js";
import { awsCli, firehoseClient, getObjectBytes, jsonLines, listKeys, roleArn, s3Client, startFirehoseServer, waitActive, waitForKeys } from "./firehose-e2e-fixture.js";

let server: TestServer;
let client: FirehoseClient;
const dir = mkdtempSync(join(tmpdir(), "firehose-transform-"));
before(async () => {
  await requireAwsCliV2();
  server = await startFirehoseServer({ firehose: { createDelayMs: 0 } });
  client = firehoseClient(server);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("dynamic partitioning by a JQ query", () => {
  it("refuses a buffer under 64 MiB with Firehose's InvalidArgumentException", async () => {
    const error = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "partitioned-small",
          ExtendedS3DestinationConfiguration: {
            RoleARN: roleArn,
            BucketARN: "arn:aws:s3:::partitions-e2e",
            Prefix: "p/!{partitionKeyFromQuery:customer}/",
            ErrorOutputPrefix: "errors/",
            BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 0 },
            DynamicPartitioningConfiguration: { Enabled: true },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{customer: .customer}" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }],
            },
          },
        }),
      ),
    );
    // AWS's text, as terraform-provider-aws and aws-cdk record it.
    assert.deepEqual(error, { name: "InvalidArgumentException", message: "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.", status: 400 });
  });

  it("delivers every record, GZIP, into the partition its JQ keys name; a record that is not JSON to the error prefix", async () => {
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "partitioned",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::partitions-e2e",
          Prefix: "orders/customer=!{partitionKeyFromQuery:customer}/year=!{partitionKeyFromQuery:year}/",
          ErrorOutputPrefix: "errors/!{firehose:error-output-type}/",
          CompressionFormat: "GZIP",
          // Dynamic partitioning needs SizeInMBs ≥ 64; the 1 s interval flushes each partition.
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 1 },
          DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 60 } },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: "MetadataExtraction",
                Parameters: [
                  { ParameterName: "MetadataExtractionQuery", ParameterValue: "{customer: .customer, year: .placed[0:4]}" },
                  { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" },
                ],
              },
              { Type: "AppendDelimiterToRecord", Parameters: [{ ParameterName: "Delimiter", ParameterValue: "\\n" }] },
            ],
          },
        },
      }),
    );
    await waitActive(client, "partitioned");
    const customers = ["ada", "bob", "cyd"];
    const orders = Array.from({ length: 90 }, (_, n) => ({ id: n, customer: customers[n % 3]!, placed: `${2022 + (n % 2)}-05-17`, total: n }));
    const notJson = "this is not json";
    for (let from = 0; from < orders.length; from += 30) {
      const records = orders.slice(from, from + 30).map((order) => ({ Data: Buffer.from(JSON.stringify(order)) }));
      if (from === 30) records.push({ Data: Buffer.from(notJson) });
      const put = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "partitioned", Records: records }));
      assert.equal(put.FailedPutCount, 0);
    }

    const s3 = s3Client(server);
    // Six partitions (3 customers × 2 years) and the error output.
    await waitForKeys(s3, "partitions-e2e", "orders/", (keys) => new Set(keys.map((key) => key.split("/").slice(0, 3).join("/"))).size === 6, 30_000);
    await waitForKeys(s3, "partitions-e2e", "errors/", (keys) => keys.length > 0, 30_000);
    // Let any buffer still open close (1 s), so that the read below sees every object.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const local = join(dir, "partitions");
    const copied = await awsCli(server, ["s3", "cp", "s3://partitions-e2e/", local, "--recursive"]);
    assert.equal(copied.code, 0, copied.stderr);
    const delivered: { partition: string; order: (typeof orders)[number] }[] = [];
    for (const file of filesUnder(join(local, "orders"))) {
      const key = `orders/${relative(join(local, "orders"), file)}`;
      const match = /^orders\/(customer=[a-z]+\/year=\d{4})\/partitioned-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/.exec(key);
      assert.ok(match, `key ${key}`);
      for (const order of jsonLines(gunzipSync(readFileSync(file)).toString())) delivered.push({ partition: match[1]!, order });
    }
    assert.equal(delivered.length, orders.length, "every record once");
    for (const { partition, order } of delivered) assert.equal(partition, `customer=${order.customer}/year=${order.placed.slice(0, 4)}`);
    assert.deepEqual(delivered.map(({ order }) => order.id).sort((a, b) => a - b), orders.map((order) => order.id));

    const errorFiles = filesUnder(join(local, "errors"));
    assert.ok(errorFiles.every((file) => relative(local, file).startsWith("errors/partitioning-failed/")), errorFiles.join(", "));
    const errors = errorFiles.flatMap((file) => jsonLines(readFileSync(file).toString()));
    assert.equal(errors.length, 1);
    assert.equal(Buffer.from(errors[0].rawData, "base64").toString(), notJson);
    assert.equal(errors[0].errorCode, "DynamicPartitioning.MetadataExtractionFailed");
  });
});

describe("Lambda processor parameters", () => {
  it("accepts BufferIntervalInSeconds 0, as Firehose's guide allows (\"ranges between 0 and 900 seconds\")", async () => {
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "lambda-zero-interval",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::transform-e2e-zero",
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [{ Type: "Lambda", Parameters: [{ ParameterName: "LambdaArn", ParameterValue: `arn:aws:lambda:${server.region}:${server.accountId}:function:any` }, { ParameterName: "BufferIntervalInSeconds", ParameterValue: "0" }] }],
          },
        },
      }),
    );
  });
});

// Firehose's transformation contract: every recordId answered, with Ok (new data), Dropped or ProcessingFailed.
const transform = `
export const handler = async (event) => ({
  records: event.records.map((record) => {
    const order = JSON.parse(Buffer.from(record.data, "base64").toString());
    if (order.id % 5 === 0) return { recordId: record.recordId, result: "Dropped", data: record.data };
    if (order.id % 7 === 0) return { recordId: record.recordId, result: "ProcessingFailed", data: record.data };
    const out = { id: order.id, label: "order-" + order.id, stream: event.deliveryStreamArn, invocation: event.invocationId.length > 0 };
    return { recordId: record.recordId, result: "Ok", data: Buffer.from(JSON.stringify(out) + "\\n").toString("base64") };
  }),
});
`;

describe("a Lambda transformation", () => {
  it("delivers the Ok records transformed, drops the Dropped ones, and writes the failed ones as processing-failed error records", async () => {
    const lambda = new LambdaClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials, maxAttempts: 1 });
    const created = await lambda.send(
      new CreateFunctionCommand({ FunctionName: "firehose-transform", Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/lambda-e2e", Timeout: 30, Code: { ZipFile: zipOf({ "index.mjs": transform }) } }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: "firehose-transform" });

    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "transformed",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::transform-e2e",
          Prefix: "out/",
          ErrorOutputPrefix: "failed/!{firehose:error-output-type}/",
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: "Lambda",
                Parameters: [
                  { ParameterName: "LambdaArn", ParameterValue: created.FunctionArn! },
                  { ParameterName: "NumberOfRetries", ParameterValue: "0" },
                  { ParameterName: "BufferSizeInMBs", ParameterValue: "1" },
                ],
              },
            ],
          },
        },
      }),
    );
    await waitActive(client, "transformed");
    const orders = Array.from({ length: 70 }, (_, n) => ({ id: n + 1 }));
    const put = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "transformed", Records: orders.map((order) => ({ Data: Buffer.from(JSON.stringify(order)) })) }));
    assert.equal(put.FailedPutCount, 0);

    const dropped = orders.filter((order) => order.id % 5 === 0);
    const failed = orders.filter((order) => order.id % 5 !== 0 && order.id % 7 === 0);
    const kept = orders.filter((order) => order.id % 5 !== 0 && order.id % 7 !== 0);
    const s3 = s3Client(server);
    const readAll = async (prefix: string) => (await Promise.all((await listKeys(s3, "transform-e2e", prefix)).map(async (key) => jsonLines((await getObjectBytes(s3, "transform-e2e", key)).toString())))).flat();
    let delivered: any[] = [];
    await waitForKeys(s3, "transform-e2e", "out/", () => true, 1);
    for (let attempt = 0; attempt < 300 && delivered.length < kept.length; attempt++) {
      delivered = await readAll("out/");
      if (delivered.length < kept.length) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const streamArn = `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/transformed`;
    assert.deepEqual(
      delivered.sort((a, b) => a.id - b.id),
      kept.map((order) => ({ id: order.id, label: `order-${order.id}`, stream: streamArn, invocation: true })),
    );

    await waitForKeys(s3, "transform-e2e", "failed/", (keys) => keys.length > 0, 20_000);
    let errors: any[] = [];
    for (let attempt = 0; attempt < 100 && errors.length < failed.length; attempt++) {
      errors = await readAll("failed/");
      if (errors.length < failed.length) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok((await listKeys(s3, "transform-e2e", "failed/")).every((key) => key.startsWith("failed/processing-failed/")));
    assert.deepEqual(errors.map((error) => JSON.parse(Buffer.from(error.rawData, "base64").toString()).id).sort((a, b) => a - b), failed.map((order) => order.id));
    for (const error of errors) {
      assert.equal(error.errorCode, "Lambda.ProcessingFailedStatus");
      assert.equal(typeof error.errorMessage, "string");
      // The service writes lambdaARN, although the docs print lambdaArn (src/firehose/output/error-record.ts).
      assert.equal(error.lambdaARN, created.FunctionArn);
      assert.equal(typeof error.attemptsMade, "number");
      assert.equal(typeof error.arrivalTimestamp, "number");
    }
    // Dropped records are nowhere: not delivered, not in the error output.
    const everywhere = [...delivered.map((record) => record.id), ...errors.map((error) => JSON.parse(Buffer.from(error.rawData, "base64").toString()).id)];
    for (const order of dropped) assert.ok(!everywhere.includes(order.id), `dropped ${order.id} appears`);
    assert.equal((await listKeys(s3, "transform-e2e")).filter((key) => !key.startsWith("out/") && !key.startsWith("failed/")).length, 0);
  });
});
