/**
 * The Kinesis Data Analytics v1 API through the AWS CLI v2 (`aws kinesisanalytics …`): create with
 * an input and code, add an output, describe, a stale version as the CLI prints the error, start,
 * stop, list, delete with the CreateTimestamp the CLI sends (whole seconds), and
 * ResourceNotFoundException after.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { requireAwsCliV2 } from "./external-clients.js";
import { awsCliError, awsCliJson } from "./firehose-e2e-fixture.js";
import { roleArn, startAnalyticsServer, streamArnOf } from "../analytics/api/fixtures.js";

let server: TestServer;
before(async () => {
  await requireAwsCliV2();
  server = await startAnalyticsServer();
});
after(() => server?.stop());

describe("e2e > analytics > the AWS CLI", () => {
  const analytics = (...args: string[]) => awsCliJson(server, ["kinesisanalytics", ...args]);

  it("creates, describes, changes, starts, stops and deletes an application", async () => {
    await awsCliJson(server, ["kinesis", "create-stream", "--stream-name", "cli-in", "--shard-count", "1"]);
    const input = {
      NamePrefix: "SOURCE_SQL_STREAM",
      KinesisStreamsInput: { ResourceARN: streamArnOf(server, "cli-in"), RoleARN: roleArn },
      InputSchema: { RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } }, RecordColumns: [{ Name: "A", Mapping: "$.a", SqlType: "INTEGER" }] },
    };
    const created = await analytics("create-application", "--application-name", "cli-app", "--inputs", JSON.stringify([input]), "--application-code", 'CREATE STREAM "D" (A INTEGER); CREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM A FROM "SOURCE_SQL_STREAM_001";');
    assert.equal(created.ApplicationSummary.ApplicationStatus, "READY");
    const output = { Name: "D", KinesisStreamsOutput: { ResourceARN: streamArnOf(server, "cli-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } };
    await analytics("add-application-output", "--application-name", "cli-app", "--current-application-version-id", "1", "--application-output", JSON.stringify(output));
    const { ApplicationDetail: detail } = await analytics("describe-application", "--application-name", "cli-app");
    assert.equal(detail.ApplicationVersionId, 2);
    assert.equal(detail.OutputDescriptions[0].OutputId, "2.1");
    assert.deepEqual(detail.InputDescriptions[0].InAppStreamNames, ["SOURCE_SQL_STREAM_001"]);
    const stale = await awsCliError(server, ["kinesisanalytics", "update-application", "--application-name", "cli-app", "--current-application-version-id", "1", "--application-update", JSON.stringify({ ApplicationCodeUpdate: "" })]);
    assert.equal(stale.code, "ConcurrentModificationException");
    await analytics("start-application", "--application-name", "cli-app", "--input-configurations", JSON.stringify([{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } }]));
    assert.equal((await analytics("describe-application", "--application-name", "cli-app")).ApplicationDetail.ApplicationStatus, "RUNNING");
    await analytics("stop-application", "--application-name", "cli-app");
    const listed = await analytics("list-applications");
    assert.ok(listed.ApplicationSummaries.some((summary: { ApplicationName: string }) => summary.ApplicationName === "cli-app"));
    // The CLI prints timestamps as ISO text and sends them back as given.
    await analytics("delete-application", "--application-name", "cli-app", "--create-timestamp", detail.CreateTimestamp);
    const gone = await awsCliError(server, ["kinesisanalytics", "describe-application", "--application-name", "cli-app"]);
    assert.deepEqual(gone, { code: "ResourceNotFoundException", operation: "DescribeApplication", message: "Application cli-app is not found." });
  });
});
