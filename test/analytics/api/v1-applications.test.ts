/**
 * The v1 control plane (KinesisAnalytics_20150814) through @aws-sdk/client-kinesis-analytics:
 * create, describe, list, update with CurrentApplicationVersionId, the Add and Delete actions and
 * their ids, start and stop, delete with CreateTimestamp, tags — and the exact errors. The runtime
 * is off: these tests are about the API alone.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AddApplicationCloudWatchLoggingOptionCommand,
  AddApplicationInputCommand,
  AddApplicationInputProcessingConfigurationCommand,
  AddApplicationOutputCommand,
  AddApplicationReferenceDataSourceCommand,
  CreateApplicationCommand,
  DeleteApplicationCloudWatchLoggingOptionCommand,
  DeleteApplicationCommand,
  DeleteApplicationInputProcessingConfigurationCommand,
  DeleteApplicationOutputCommand,
  DeleteApplicationReferenceDataSourceCommand,
  DescribeApplicationCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationCommand,
  type KinesisAnalyticsClient,
} from "@aws-sdk/client-kinesis-analytics";
import type { TestServer } from "../../helpers/server.js";
import { analyticsClient, errorOf, kinesisInput, roleArn, startAnalyticsServer, streamArnOf } from "./fixtures.js";

let server: TestServer;
let client: KinesisAnalyticsClient;
before(async () => {
  server = await startAnalyticsServer({ analytics: { runtimeEnabled: false } });
  client = analyticsClient(server);
});
after(() => server.stop());

const code = 'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE);\n' + 'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 10;\n';
const describe_ = async (name: string) => (await client.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail!;
const output = (name: string, stream = "out") => ({ Name: name, KinesisStreamsOutput: { ResourceARN: streamArnOf(server, stream), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" as const } });

describe("CreateApplication and DescribeApplication", () => {
  it("creates a READY application at version 1 and describes it with the ids the service gives", async () => {
    const created = await client.send(
      new CreateApplicationCommand({
        ApplicationName: "filter",
        ApplicationDescription: "prices over ten",
        Inputs: [{ ...kinesisInput(streamArnOf(server, "in")), InputParallelism: { Count: 2 } }],
        Outputs: [output("DESTINATION_SQL_STREAM")],
        CloudWatchLoggingOptions: [{ LogStreamARN: "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s", RoleARN: roleArn }],
        ApplicationCode: code,
      }),
    );
    const arn = `arn:aws:kinesisanalytics:${server.region}:${server.accountId}:application/filter`;
    assert.deepEqual(created.ApplicationSummary, { ApplicationName: "filter", ApplicationARN: arn, ApplicationStatus: "READY" });
    const detail = await describe_("filter");
    assert.equal(detail.ApplicationVersionId, 1);
    assert.equal(detail.ApplicationStatus, "READY");
    assert.equal(detail.ApplicationDescription, "prices over ten");
    assert.equal(detail.ApplicationCode, code);
    assert.ok(detail.CreateTimestamp instanceof Date);
    const input = detail.InputDescriptions![0]!;
    assert.equal(input.InputId, "1.1");
    assert.deepEqual(input.InAppStreamNames, ["SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"]);
    assert.deepEqual(input.InputParallelism, { Count: 2 });
    assert.deepEqual(input.KinesisStreamsInputDescription, { ResourceARN: streamArnOf(server, "in"), RoleARN: roleArn });
    assert.equal(input.InputSchema!.RecordColumns!.length, 2);
    assert.equal(detail.OutputDescriptions![0]!.OutputId, "1.1");
    assert.deepEqual(detail.OutputDescriptions![0]!.KinesisStreamsOutputDescription, { ResourceARN: streamArnOf(server, "out"), RoleARN: roleArn });
    assert.equal(detail.CloudWatchLoggingOptionDescriptions![0]!.CloudWatchLoggingOptionId, "1.1");
    assert.deepEqual(detail.ReferenceDataSourceDescriptions, []);
  });

  it("refuses a name in use, code that does not parse (naming its line and column), and a malformed name", async () => {
    assert.deepEqual(await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "filter" }))), {
      name: "ResourceInUseException",
      message: "Application filter already exists.",
      status: 400,
    });
    const bad = await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "bad-code", ApplicationCode: "CREATE STREAM x (a INTEGER);\nSELECT STREAM FROM;" })));
    assert.equal(bad.name, "CodeValidationException");
    assert.match(bad.message, /line 2, column \d+/);
    const malformed = await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "bad name" })));
    assert.equal(malformed.name, "ValidationException");
    assert.match(malformed.message, /applicationName/);
    assert.equal((await errorOf(client.send(new DescribeApplicationCommand({ ApplicationName: "bad-code" })))).name, "ResourceNotFoundException");
  });

  it("refuses an input with two sources or none, and an unknown SqlType", async () => {
    const base = kinesisInput(streamArnOf(server, "in"));
    const both = { ...base, KinesisFirehoseInput: { ResourceARN: `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/d`, RoleARN: roleArn } };
    assert.equal((await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "two", Inputs: [both] })))).name, "InvalidArgumentException");
    const { KinesisStreamsInput: _unused, ...none } = base;
    assert.equal((await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "none", Inputs: [none] })))).name, "InvalidArgumentException");
    const badType = { ...base, InputSchema: { ...base.InputSchema, RecordColumns: [{ Name: "A", Mapping: "$.a", SqlType: "VARCHAR(x)" }] } };
    const error = await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "badtype", Inputs: [badType] })));
    assert.equal(error.name, "InvalidArgumentException");
    assert.match(error.message, /VARCHAR\(x\)/);
  });

  it("answers ResourceNotFoundException for an unknown application", async () => {
    assert.deepEqual(await errorOf(client.send(new DescribeApplicationCommand({ ApplicationName: "nothing" }))), {
      name: "ResourceNotFoundException",
      message: "Application nothing is not found.",
      status: 400,
    });
  });
});

describe("ListApplications", () => {
  it("lists summaries by name, from after ExclusiveStartApplicationName, Limit at a time", async () => {
    for (const name of ["list-a", "list-b", "list-c"]) await client.send(new CreateApplicationCommand({ ApplicationName: name }));
    const first = await client.send(new ListApplicationsCommand({ Limit: 2, ExclusiveStartApplicationName: "filter" }));
    assert.deepEqual(first.ApplicationSummaries!.map((summary) => summary.ApplicationName), ["list-a", "list-b"]);
    assert.equal(first.HasMoreApplications, true);
    const rest = await client.send(new ListApplicationsCommand({ ExclusiveStartApplicationName: "list-b" }));
    assert.deepEqual(rest.ApplicationSummaries!.map((summary) => summary.ApplicationName), ["list-c"]);
    assert.equal(rest.HasMoreApplications, false);
    assert.equal(rest.ApplicationSummaries![0]!.ApplicationStatus, "READY");
  });
});

describe("UpdateApplication and the Add/Delete actions", () => {
  it("checks CurrentApplicationVersionId and increments the version with each change", async () => {
    const stale = await errorOf(client.send(new UpdateApplicationCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 7, ApplicationUpdate: { ApplicationCodeUpdate: code } })));
    assert.equal(stale.name, "ConcurrentModificationException");
    assert.match(stale.message, /7/);
    await client.send(new UpdateApplicationCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 1, ApplicationUpdate: { ApplicationCodeUpdate: code.replace("> 10", "> 20") } }));
    const detail = await describe_("filter");
    assert.equal(detail.ApplicationVersionId, 2);
    assert.match(detail.ApplicationCode!, /> 20/);
    assert.ok(detail.LastUpdateTimestamp instanceof Date);
  });

  it("refuses code that does not parse, keeping the version", async () => {
    const error = await errorOf(client.send(new UpdateApplicationCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 2, ApplicationUpdate: { ApplicationCodeUpdate: "SELECT STREAM * FROM" } })));
    assert.equal(error.name, "CodeValidationException");
    assert.match(error.message, /line 1, column \d+/);
    assert.equal((await describe_("filter")).ApplicationVersionId, 2);
  });

  it("updates an input's parallelism and schema, an output's name, by id; an unknown id is ResourceNotFoundException", async () => {
    await client.send(
      new UpdateApplicationCommand({
        ApplicationName: "filter",
        CurrentApplicationVersionId: 2,
        ApplicationUpdate: { InputUpdates: [{ InputId: "1.1", InputParallelismUpdate: { CountUpdate: 3 } }], OutputUpdates: [{ OutputId: "1.1", NameUpdate: "DESTINATION_SQL_STREAM" }] },
      }),
    );
    const detail = await describe_("filter");
    assert.deepEqual(detail.InputDescriptions![0]!.InAppStreamNames, ["SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002", "SOURCE_SQL_STREAM_003"]);
    const missing = await errorOf(client.send(new UpdateApplicationCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 3, ApplicationUpdate: { OutputUpdates: [{ OutputId: "9.9", NameUpdate: "X" }] } })));
    assert.deepEqual(missing, { name: "ResourceNotFoundException", message: "Output id 9.9 is not found in application filter.", status: 400 });
  });

  it("adds and deletes outputs, with ids of the version that added them, up to three", async () => {
    await client.send(new AddApplicationOutputCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 3, Output: output("DESTINATION_SQL_STREAM", "second") }));
    let detail = await describe_("filter");
    assert.equal(detail.ApplicationVersionId, 4);
    assert.deepEqual(detail.OutputDescriptions!.map((description) => description.OutputId), ["1.1", "4.1"]);
    await client.send(new AddApplicationOutputCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 4, Output: output("DESTINATION_SQL_STREAM", "third") }));
    const fourth = await errorOf(client.send(new AddApplicationOutputCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 5, Output: output("DESTINATION_SQL_STREAM", "fourth") })));
    assert.equal(fourth.name, "LimitExceededException");
    await client.send(new DeleteApplicationOutputCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 5, OutputId: "4.1" }));
    detail = await describe_("filter");
    assert.deepEqual(detail.OutputDescriptions!.map((description) => description.OutputId), ["1.1", "5.1"]);
    assert.equal((await errorOf(client.send(new DeleteApplicationOutputCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 6, OutputId: "4.1" })))).name, "ResourceNotFoundException");
  });

  it("adds an input only where there is none, and the input processing configuration once", async () => {
    const second = await errorOf(client.send(new AddApplicationInputCommand({ ApplicationName: "filter", CurrentApplicationVersionId: 6, Input: kinesisInput(streamArnOf(server, "other"), "OTHER") })));
    assert.equal(second.name, "InvalidArgumentException");
    await client.send(new CreateApplicationCommand({ ApplicationName: "later" }));
    await client.send(new AddApplicationInputCommand({ ApplicationName: "later", CurrentApplicationVersionId: 1, Input: kinesisInput(streamArnOf(server, "in")) }));
    let detail = await describe_("later");
    assert.equal(detail.InputDescriptions![0]!.InputId, "2.1");
    const lambda = { ResourceARN: `arn:aws:lambda:${server.region}:${server.accountId}:function:pre`, RoleARN: roleArn };
    await client.send(new AddApplicationInputProcessingConfigurationCommand({ ApplicationName: "later", CurrentApplicationVersionId: 2, InputId: "2.1", InputProcessingConfiguration: { InputLambdaProcessor: lambda } }));
    detail = await describe_("later");
    assert.deepEqual(detail.InputDescriptions![0]!.InputProcessingConfigurationDescription, { InputLambdaProcessorDescription: lambda });
    const again = await errorOf(client.send(new AddApplicationInputProcessingConfigurationCommand({ ApplicationName: "later", CurrentApplicationVersionId: 3, InputId: "2.1", InputProcessingConfiguration: { InputLambdaProcessor: lambda } })));
    assert.equal(again.name, "InvalidArgumentException");
    await client.send(new DeleteApplicationInputProcessingConfigurationCommand({ ApplicationName: "later", CurrentApplicationVersionId: 3, InputId: "2.1" }));
    detail = await describe_("later");
    assert.equal(detail.InputDescriptions![0]!.InputProcessingConfigurationDescription, undefined);
    assert.equal(detail.ApplicationVersionId, 4);
  });

  it("adds and deletes a reference data source and a CloudWatch logging option", async () => {
    const reference = {
      TableName: "COMPANIES",
      S3ReferenceDataSource: { BucketARN: "arn:aws:s3:::ref", FileKey: "companies.csv", ReferenceRoleARN: roleArn },
      ReferenceSchema: {
        RecordFormat: { RecordFormatType: "CSV" as const, MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "," } } },
        RecordColumns: [
          { Name: "TICKER", SqlType: "VARCHAR(8)" },
          { Name: "COMPANY", SqlType: "VARCHAR(64)" },
        ],
      },
    };
    await client.send(new AddApplicationReferenceDataSourceCommand({ ApplicationName: "later", CurrentApplicationVersionId: 4, ReferenceDataSource: reference }));
    let detail = await describe_("later");
    assert.equal(detail.ReferenceDataSourceDescriptions![0]!.ReferenceId, "5.1");
    assert.deepEqual(detail.ReferenceDataSourceDescriptions![0]!.S3ReferenceDataSourceDescription, reference.S3ReferenceDataSource);
    await client.send(new AddApplicationCloudWatchLoggingOptionCommand({ ApplicationName: "later", CurrentApplicationVersionId: 5, CloudWatchLoggingOption: { LogStreamARN: "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s", RoleARN: roleArn } }));
    detail = await describe_("later");
    assert.equal(detail.CloudWatchLoggingOptionDescriptions![0]!.CloudWatchLoggingOptionId, "6.1");
    await client.send(new DeleteApplicationCloudWatchLoggingOptionCommand({ ApplicationName: "later", CurrentApplicationVersionId: 6, CloudWatchLoggingOptionId: "6.1" }));
    await client.send(new DeleteApplicationReferenceDataSourceCommand({ ApplicationName: "later", CurrentApplicationVersionId: 7, ReferenceId: "5.1" }));
    detail = await describe_("later");
    assert.deepEqual(detail.ReferenceDataSourceDescriptions, []);
    assert.deepEqual(detail.CloudWatchLoggingOptionDescriptions, []);
    assert.equal(detail.ApplicationVersionId, 8);
  });
});

describe("StartApplication, StopApplication and DeleteApplication", () => {
  it("starts a READY application with its inputs' starting positions, and stops it", async () => {
    const missing = await errorOf(client.send(new StartApplicationCommand({ ApplicationName: "filter", InputConfigurations: [{ Id: "7.7", InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } }] })));
    assert.equal(missing.name, "InvalidArgumentException");
    await client.send(new StartApplicationCommand({ ApplicationName: "filter", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    let detail = await describe_("filter");
    assert.equal(detail.ApplicationStatus, "RUNNING");
    assert.deepEqual(detail.InputDescriptions![0]!.InputStartingPositionConfiguration, { InputStartingPosition: "TRIM_HORIZON" });
    const twice = await errorOf(client.send(new StartApplicationCommand({ ApplicationName: "filter", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: {} }] })));
    assert.equal(twice.name, "ResourceInUseException");
    await client.send(new StopApplicationCommand({ ApplicationName: "filter" }));
    detail = await describe_("filter");
    assert.equal(detail.ApplicationStatus, "READY");
    // Stopping a READY application changes nothing.
    await client.send(new StopApplicationCommand({ ApplicationName: "filter" }));
  });

  it("refuses to start an application without an input", async () => {
    assert.equal((await errorOf(client.send(new StartApplicationCommand({ ApplicationName: "list-a", InputConfigurations: [] })))).name, "InvalidApplicationConfigurationException");
  });

  it("deletes only with the application's CreateTimestamp", async () => {
    const { CreateTimestamp } = await describe_("list-c");
    const wrong = await errorOf(client.send(new DeleteApplicationCommand({ ApplicationName: "list-c", CreateTimestamp: new Date(CreateTimestamp!.getTime() - 1000) })));
    assert.equal(wrong.name, "ResourceNotFoundException");
    await client.send(new DeleteApplicationCommand({ ApplicationName: "list-c", CreateTimestamp }));
    assert.equal((await errorOf(client.send(new DescribeApplicationCommand({ ApplicationName: "list-c" })))).name, "ResourceNotFoundException");
    const names = (await client.send(new ListApplicationsCommand({}))).ApplicationSummaries!.map((summary) => summary.ApplicationName);
    assert.ok(!names.includes("list-c"));
    // The name is free again.
    await client.send(new CreateApplicationCommand({ ApplicationName: "list-c" }));
  });
});

describe("TagResource, UntagResource and ListTagsForResource", () => {
  const arnOf = (name: string) => `arn:aws:kinesisanalytics:${server.region}:${server.accountId}:application/${name}`;

  it("keeps tags from creation, adds, replaces and removes them without a new version", async () => {
    await client.send(new CreateApplicationCommand({ ApplicationName: "tagged", Tags: [{ Key: "team", Value: "a" }] }));
    await client.send(new TagResourceCommand({ ResourceARN: arnOf("tagged"), Tags: [{ Key: "team", Value: "b" }, { Key: "env", Value: "test" }] }));
    await client.send(new UntagResourceCommand({ ResourceARN: arnOf("tagged"), TagKeys: ["env"] }));
    const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceARN: arnOf("tagged") }));
    assert.deepEqual(Tags, [{ Key: "team", Value: "b" }]);
    assert.equal((await describe_("tagged")).ApplicationVersionId, 1);
  });

  it("refuses more than 50 tags, reserved keys and unknown applications", async () => {
    const many = Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: "v" }));
    assert.equal((await errorOf(client.send(new TagResourceCommand({ ResourceARN: arnOf("tagged"), Tags: many })))).name, "TooManyTagsException");
    assert.equal((await errorOf(client.send(new TagResourceCommand({ ResourceARN: arnOf("tagged"), Tags: [{ Key: "aws:x", Value: "v" }] })))).name, "InvalidArgumentException");
    const unknown = await errorOf(client.send(new ListTagsForResourceCommand({ ResourceARN: arnOf("nobody") })));
    assert.equal(unknown.name, "ResourceNotFoundException");
  });
});
