/**
 * The init document's sections of the services after the streams, tables and buckets
 * (docs/testing.md): "functions" (CreateFunction with EventSourceMappings), "deliveryStreams"
 * (CreateDeliveryStream) and "applications" (CreateApplication, optionally started). All of them
 * exist, settled, when the server is ready; a reset and a restart of an embedded data directory
 * apply the file again without failing or duplicating; a bad entry stops the start with the
 * service's error, named by entry.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { DescribeDeliveryStreamCommand, FirehoseClient, ListDeliveryStreamsCommand, ListTagsForDeliveryStreamCommand, PutRecordCommand } from "@aws-sdk/client-firehose";
import { DescribeApplicationCommand, KinesisAnalyticsClient, ListApplicationsCommand } from "@aws-sdk/client-kinesis-analytics";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetTablesCommand, GlueClient } from "@aws-sdk/client-glue";
import { startServer, StartError, type InitDocument, type TributaryServer } from "../../src/index.js";
import { zipOf } from "../helpers/zip.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const roleArn = "arn:aws:iam::000000000000:role/service";
const handler = "exports.handler = async (event) => ({ records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) });";
const zip = zipOf({ "index.js": handler });

function clients(server: TributaryServer) {
  const config = { endpoint: server.url, region: server.region, credentials };
  return {
    lambda: new LambdaClient(config),
    firehose: new FirehoseClient(config),
    analytics: new KinesisAnalyticsClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    glue: new GlueClient(config),
  };
}

/** A document with one of everything: a function reading a stream, delivery streams of both sources, a started application. */
function documentWith(zipPath: string): InitDocument {
  const streamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
  return {
    streams: [{ StreamName: "orders", ShardCount: 1 }],
    buckets: [{ Bucket: "landing" }],
    functions: [
      {
        FunctionName: "enrich",
        Runtime: "nodejs20.x",
        Role: roleArn,
        Handler: "index.handler",
        Code: { ZipFile: zip.toString("base64") },
        EventSourceMappings: [{ EventSourceArn: streamArn, StartingPosition: "LATEST", BatchSize: 10 }],
      },
      { FunctionName: "from-file", Runtime: "nodejs20.x", Role: roleArn, Handler: "index.handler", Code: { ZipFilePath: zipPath } },
    ],
    deliveryStreams: [
      {
        DeliveryStreamName: "to-landing",
        DeliveryStreamType: "DirectPut",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::landing", Prefix: "direct/", BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 } },
        Tags: [{ Key: "team", Value: "data" }],
      },
      {
        DeliveryStreamName: "orders-archive",
        DeliveryStreamType: "KinesisStreamAsSource",
        KinesisStreamSourceConfiguration: { KinesisStreamARN: streamArn, RoleARN: roleArn },
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::landing", Prefix: "orders/" },
      },
    ],
    glueDatabases: [
      {
        DatabaseInput: { Name: "analytics" },
        Tables: [{ TableInput: { Name: "orders", StorageDescriptor: { Columns: [{ Name: "amount", Type: "int" }] } } }],
      },
    ],
    applications: [
      {
        ApplicationName: "order-totals",
        Inputs: [
          {
            NamePrefix: "SOURCE_SQL_STREAM",
            KinesisStreamsInput: { ResourceARN: streamArn, RoleARN: roleArn },
            InputSchema: { RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } }, RecordColumns: [{ Name: "AMOUNT", SqlType: "INTEGER", Mapping: "$.amount" }] },
          },
        ],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisFirehoseOutput: { ResourceARN: "arn:aws:firehose:us-east-1:000000000000:deliverystream/to-landing", RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } }],
        ApplicationCode:
          'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (AMOUNT INTEGER);\nCREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM AMOUNT FROM "SOURCE_SQL_STREAM_001";',
        StartApplication: { InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] },
      },
      { ApplicationName: "idle", ApplicationCode: "" },
    ],
  };
}

/** Everything the document names exists once, settled. */
async function assertProvisioned(server: TributaryServer): Promise<void> {
  const { lambda, firehose, analytics, glue } = clients(server);
  const tables = await glue.send(new GetTablesCommand({ DatabaseName: "analytics" }));
  assert.deepEqual(tables.TableList?.map((table) => [table.Name, table.StorageDescriptor?.Columns?.map((column) => column.Name)]), [["orders", ["amount"]]]);
  const functions = await lambda.send(new ListFunctionsCommand({}));
  assert.deepEqual(functions.Functions?.map((fn) => fn.FunctionName).sort(), ["enrich", "from-file"]);
  for (const name of ["enrich", "from-file"]) {
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(configuration.State, "Active", name);
    assert.equal(configuration.CodeSha256, createHash("sha256").update(zip).digest("base64"), name);
  }
  const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "enrich" }));
  assert.equal(mappings.EventSourceMappings?.length, 1);
  assert.equal(mappings.EventSourceMappings?.[0]?.State, "Enabled");
  assert.equal(mappings.EventSourceMappings?.[0]?.BatchSize, 10);
  const streams = await firehose.send(new ListDeliveryStreamsCommand({}));
  assert.deepEqual([...(streams.DeliveryStreamNames ?? [])].sort(), ["orders-archive", "to-landing"]);
  for (const name of ["orders-archive", "to-landing"]) {
    const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    assert.equal(described.DeliveryStreamDescription?.DeliveryStreamStatus, "ACTIVE", name);
  }
  const tags = await firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "to-landing" }));
  assert.deepEqual(tags.Tags, [{ Key: "team", Value: "data" }]);
  const applications = await analytics.send(new ListApplicationsCommand({}));
  assert.deepEqual(applications.ApplicationSummaries?.map((summary) => [summary.ApplicationName, summary.ApplicationStatus]), [
    ["idle", "READY"],
    ["order-totals", "RUNNING"],
  ]);
}

describe("server > init > functions, delivery streams and applications", () => {
  it("server > init > services > every section exists when the server is ready, again after a reset and after a restart, never twice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-init-services-"));
    const zipPath = join(dir, "function.zip");
    writeFileSync(zipPath, zip);
    const dataDir = join(dir, "data");
    const init = documentWith(zipPath);
    try {
      let server = await startServer({ storage: "embedded", dataDir, fsync: "never", init });
      await assertProvisioned(server);
      const { firehose, s3 } = clients(server);
      await firehose.send(new PutRecordCommand({ DeliveryStreamName: "to-landing", Record: { Data: Buffer.from("hello\n") } }));
      await server.reset();
      await assertProvisioned(server);
      await server.close();
      server = await startServer({ storage: "embedded", dataDir, fsync: "never", init });
      await assertProvisioned(server);
      // The delivery stream made by init delivers: the record sent after the reset's re-creation reaches the bucket.
      const again = clients(server);
      await again.firehose.send(new PutRecordCommand({ DeliveryStreamName: "to-landing", Record: { Data: Buffer.from("after restart\n") } }));
      let keys: string[] = [];
      for (let attempt = 0; attempt < 200 && keys.length === 0; attempt++) {
        keys = ((await again.s3.send(new ListObjectsV2Command({ Bucket: "landing", Prefix: "direct/" }))).Contents ?? []).map((object) => object.Key!);
        if (keys.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(keys.length > 0, "the init-made delivery stream delivered to the init-made bucket");
      s3.destroy();
      await server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("server > init > services > a function whose zip changed gets the new code at the next start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-init-code-"));
    const zipPath = join(dir, "function.zip");
    const dataDir = join(dir, "data");
    const entry = (path: string) => ({ functions: [{ FunctionName: "f", Runtime: "nodejs20.x", Role: roleArn, Handler: "index.handler", Code: { ZipFilePath: path } }] });
    try {
      writeFileSync(zipPath, zip);
      let server = await startServer({ storage: "embedded", dataDir, fsync: "never", init: entry(zipPath) });
      await server.close();
      const rebuilt = zipOf({ "index.js": "exports.handler = async () => 'v2';" });
      writeFileSync(zipPath, rebuilt);
      server = await startServer({ storage: "embedded", dataDir, fsync: "never", init: entry(zipPath) });
      const configuration = await clients(server).lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "f" }));
      assert.equal(configuration.CodeSha256, createHash("sha256").update(rebuilt).digest("base64"));
      await server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("server > init > services > a bad entry stops the start with the service's own error, named by entry", async () => {
    const cases: Array<[InitDocument, string]> = [
      [
        { functions: [{ FunctionName: "f", Role: roleArn, Handler: "index.handler", Code: { ZipFile: zip.toString("base64") } }] },
        "init: functions[0] (CreateFunction): InvalidParameterValueException: Runtime and Handler are mandatory parameters for functions created with deployment packages.",
      ],
      [
        { functions: [{ FunctionName: "f", Runtime: "nodejs20.x", Role: roleArn, Handler: "index.handler", Code: { ZipFilePath: "/nonexistent/f.zip" } }] },
        "init: functions[0] (CreateFunction): cannot read Code.ZipFilePath /nonexistent/f.zip: ENOENT: no such file or directory, open '/nonexistent/f.zip'",
      ],
      [
        {
          functions: [
            {
              FunctionName: "f",
              Runtime: "nodejs20.x",
              Role: roleArn,
              Handler: "index.handler",
              Code: { ZipFile: zip.toString("base64") },
              EventSourceMappings: [{ EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/missing", StartingPosition: "LATEST" }],
            },
          ],
        },
        "init: functions[0].EventSourceMappings[0] (CreateEventSourceMapping): InvalidParameterValueException: Stream not found: arn:aws:kinesis:us-east-1:000000000000:stream/missing",
      ],
      [
        { deliveryStreams: [{ DeliveryStreamName: "bad name!", S3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::landing" } }] },
        "init: deliveryStreams[0] (CreateDeliveryStream): ValidationException: 1 validation error detected: Value 'bad name!' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      ],
      [
        { deliveryStreams: [{ DeliveryStreamName: "x", ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::landing", BufferingHints: { SizeInMBs: 200 } } }] },
        "init: deliveryStreams[0] (CreateDeliveryStream): ValidationException: 1 validation error detected: Value '200' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128",
      ],
      [
        { applications: [{ ApplicationName: "a", ApplicationCode: "SELECT garbage" }] },
        'init: applications[0] (CreateApplication): CodeValidationException: Encountered "<EOF>" at line 1, column 15. Was expecting one of: "FROM", ","',
      ],
      [
        { applications: [{ ApplicationName: "a", StartApplication: {} }] },
        "init: applications[0].StartApplication (StartApplication): InvalidApplicationConfigurationException: Application a has no input configured; add an input before starting it.",
      ],
      [{ applications: [{ ApplicationName: "a", StartApplication: true }] } as never, "init: applications[0].StartApplication must be an object: a StartApplication request without ApplicationName"],
      [{ functions: [{ FunctionName: "f", EventSourceMappings: {} }] } as never, "init: functions[0].EventSourceMappings must be a list of CreateEventSourceMapping requests"],
      [{ glueDatabases: [{ DatabaseInput: { Name: "d" }, Tables: [{ TableInput: {} }] }] } as never, "init: glueDatabases[0].Tables[0] (CreateTable): ValidationException: 1 validation error detected: Value null at 'tableInput.name' failed to satisfy constraint: Member must not be null"],
      [{ widgets: [] } as never, 'unknown key "widgets": this server provisions "streams", "tables", "buckets", "functions", "deliveryStreams", "glueDatabases" and "applications"'],
    ];
    for (const [init, expected] of cases) {
      await assert.rejects(startServer({ init }), (error: Error) => {
        assert.ok(error instanceof StartError, String(error));
        assert.ok(error.message === expected || error.message.endsWith(`: ${expected}`), `${error.message}\nshould be\n${expected}`);
        return true;
      });
    }
  });
});
