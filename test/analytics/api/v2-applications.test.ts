/**
 * The v2 API (KinesisAnalytics_20180523) for SQL applications through
 * @aws-sdk/client-kinesis-analytics-v2: create with SqlApplicationConfiguration and PLAINTEXT code,
 * describe, list with NextToken, the Add/Delete actions' answers, update by version or
 * ConditionalToken, start with SqlRunConfigurations and run end to end, stop, delete, and what the
 * two APIs say of each other's applications.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import {
  AddApplicationOutputCommand,
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DescribeApplicationCommand,
  KinesisAnalyticsV2Client,
  ListApplicationsCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  UpdateApplicationCommand,
} from "@aws-sdk/client-kinesis-analytics-v2";
import { DescribeApplicationCommand as DescribeV1 } from "@aws-sdk/client-kinesis-analytics";
import { exampleCredentials, kinesisClient, type TestServer } from "../../helpers/server.js";
import { createActiveStream } from "../../helpers/streams.js";
import { waitFor } from "../../helpers/wait.js";
import { analyticsClient, errorOf, readStreamText, roleArn, startAnalyticsServer, streamArnOf } from "./fixtures.js";

let server: TestServer;
let client: KinesisAnalyticsV2Client;
let kinesis: KinesisClient;
before(async () => {
  server = await startAnalyticsServer();
  client = new KinesisAnalyticsV2Client({ endpoint: server.url, region: server.region, credentials: exampleCredentials, maxAttempts: 1 });
  kinesis = kinesisClient(server);
});
after(() => server.stop());

const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 10;`;

const input = () => ({
  NamePrefix: "SOURCE_SQL_STREAM",
  KinesisStreamsInput: { ResourceARN: streamArnOf(server, "v2-in") },
  InputSchema: {
    RecordFormat: { RecordFormatType: "JSON" as const, MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
    RecordColumns: [
      { Name: "TICKER", Mapping: "$.ticker", SqlType: "VARCHAR(8)" },
      { Name: "PRICE", Mapping: "$.price", SqlType: "DOUBLE" },
    ],
  },
});
const describeV2 = async (name: string) => (await client.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail!;

describe("the v2 API for SQL applications", () => {
  it("creates a SQL-1_0 application and describes it in v2's shape", async () => {
    await createActiveStream(kinesis, "v2-in", 1);
    await createActiveStream(kinesis, "v2-out", 1);
    const { ApplicationDetail: created } = await client.send(
      new CreateApplicationCommand({
        ApplicationName: "v2app",
        RuntimeEnvironment: "SQL-1_0",
        ServiceExecutionRole: roleArn,
        ApplicationConfiguration: {
          SqlApplicationConfiguration: { Inputs: [input()] },
          ApplicationCodeConfiguration: { CodeContentType: "PLAINTEXT", CodeContent: { TextContent: code } },
        },
      }),
    );
    assert.equal(created!.ApplicationStatus, "READY");
    assert.equal(created!.ApplicationVersionId, 1);
    assert.equal(created!.RuntimeEnvironment, "SQL-1_0");
    const detail = await describeV2("v2app");
    const sql = detail.ApplicationConfigurationDescription!.SqlApplicationConfigurationDescription!;
    assert.equal(sql.InputDescriptions![0]!.InputId, "1.1");
    assert.deepEqual(sql.InputDescriptions![0]!.InAppStreamNames, ["SOURCE_SQL_STREAM_001"]);
    assert.equal(detail.ApplicationConfigurationDescription!.ApplicationCodeConfigurationDescription!.CodeContentDescription!.TextContent, code);
    assert.equal(detail.ServiceExecutionRole, roleArn);
  });

  it("refuses other runtimes, and v1 calls on a v2 application", async () => {
    const flink = await errorOf(client.send(new CreateApplicationCommand({ ApplicationName: "flink", RuntimeEnvironment: "FLINK-1_18", ServiceExecutionRole: roleArn })));
    assert.equal(flink.name, "UnsupportedOperationException");
    const v1 = await errorOf(analyticsClient(server).send(new DescribeV1({ ApplicationName: "v2app" })));
    assert.deepEqual(v1, {
      name: "UnsupportedOperationException",
      message: "v2app was created/updated by kinesisanalyticsv2 SDK. Please use kinesisanalyticsv2 SDK to make changes to v2app.",
      status: 400,
    });
  });

  it("adds an output and updates the code, by version id and by ConditionalToken", async () => {
    const added = await client.send(
      new AddApplicationOutputCommand({
        ApplicationName: "v2app",
        CurrentApplicationVersionId: 1,
        Output: { Name: "DESTINATION_SQL_STREAM", KinesisStreamsOutput: { ResourceARN: streamArnOf(server, "v2-out") }, DestinationSchema: { RecordFormatType: "JSON" } },
      }),
    );
    assert.equal(added.ApplicationVersionId, 2);
    assert.equal(added.OutputDescriptions![0]!.OutputId, "2.1");
    const { ConditionalToken } = await describeV2("v2app");
    const updated = await client.send(
      new UpdateApplicationCommand({ ApplicationName: "v2app", ConditionalToken, ApplicationConfigurationUpdate: { ApplicationCodeConfigurationUpdate: { CodeContentUpdate: { TextContentUpdate: code.replace("> 10", "> 20") } } } }),
    );
    assert.equal(updated.ApplicationDetail!.ApplicationVersionId, 3);
    const stale = await errorOf(client.send(new UpdateApplicationCommand({ ApplicationName: "v2app", ConditionalToken, ApplicationConfigurationUpdate: { ApplicationCodeConfigurationUpdate: { CodeContentUpdate: { TextContentUpdate: code } } } })));
    assert.equal(stale.name, "ConcurrentModificationException");
    const badCode = await errorOf(client.send(new UpdateApplicationCommand({ ApplicationName: "v2app", CurrentApplicationVersionId: 3, ApplicationConfigurationUpdate: { ApplicationCodeConfigurationUpdate: { CodeContentUpdate: { TextContentUpdate: "SELECT STREAM NOPE FROM \"SOURCE_SQL_STREAM_001\";" } } } })));
    assert.equal(badCode.name, "CodeValidationException");
  });

  it("starts with SqlRunConfigurations and runs: records in, rows out", async () => {
    await client.send(new StartApplicationCommand({ ApplicationName: "v2app", RunConfiguration: { SqlRunConfigurations: [{ InputId: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } }] } }));
    await waitFor("RUNNING", async () => (await describeV2("v2app")).ApplicationStatus === "RUNNING");
    await kinesis.send(new PutRecordsCommand({ StreamName: "v2-in", Records: [{ ticker: "LOW", price: 15 }, { ticker: "HIGH", price: 25 }].map((record) => ({ PartitionKey: record.ticker, Data: Buffer.from(JSON.stringify(record)) })) }));
    await waitFor("a row out", async () => (await readStreamText(kinesis, "v2-out")).length >= 1);
    assert.deepEqual(await readStreamText(kinesis, "v2-out"), ['{"TICKER":"HIGH","PRICE":25.0}']);
    await client.send(new StopApplicationCommand({ ApplicationName: "v2app" }));
    await waitFor("READY", async () => (await describeV2("v2app")).ApplicationStatus === "READY");
  });

  it("lists with Limit and NextToken, and deletes with CreateTimestamp", async () => {
    for (const name of ["v2b", "v2c"]) await client.send(new CreateApplicationCommand({ ApplicationName: name, RuntimeEnvironment: "SQL-1_0", ServiceExecutionRole: roleArn }));
    const first = await client.send(new ListApplicationsCommand({ Limit: 2 }));
    assert.deepEqual(first.ApplicationSummaries!.map((summary) => summary.ApplicationName), ["v2app", "v2b"]);
    assert.equal(first.ApplicationSummaries![0]!.RuntimeEnvironment, "SQL-1_0");
    const rest = await client.send(new ListApplicationsCommand({ Limit: 2, NextToken: first.NextToken }));
    assert.deepEqual(rest.ApplicationSummaries!.map((summary) => summary.ApplicationName), ["v2c"]);
    assert.equal(rest.NextToken, undefined);
    const { CreateTimestamp } = await describeV2("v2c");
    await client.send(new DeleteApplicationCommand({ ApplicationName: "v2c", CreateTimestamp }));
    assert.equal((await errorOf(client.send(new DescribeApplicationCommand({ ApplicationName: "v2c" })))).name, "ResourceNotFoundException");
  });
});
