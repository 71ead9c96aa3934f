/**
 * lambda > event sources > API: CreateEventSourceMapping, Get, Update, Delete and List through
 * @aws-sdk/client-lambda — defaults, ranges and Lambda's exact errors, State transitions.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
} from "@aws-sdk/client-lambda";
import { CreateStreamCommand, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { exampleCredentials, kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";
import { waitFor } from "../helpers/wait.js";
import { zipOf } from "../helpers/zip.js";

describe("lambda > event sources > API", () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let streamArn: string;
  const functionName = "esm-api-fn";

  before(async () => {
    server = await startTestServer();
    lambda = new LambdaClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials });
    const kinesis = kinesisClient(server);
    const streamName = randomStreamName("esm-api");
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await waitUntilActive(kinesis, streamName);
    streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::000000000000:role/esm-role",
        Handler: "index.handler",
        Code: { ZipFile: zipOf({ "index.js": "exports.handler = async () => ({});" }) },
      }),
    );
  });
  after(() => server.stop());

  async function rejection(input: Partial<CreateEventSourceMappingCommandInput>): Promise<{ name: string; message: string; status: number | undefined }> {
    try {
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "LATEST", ...input } as CreateEventSourceMappingCommandInput));
    } catch (error) {
      const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
    }
    assert.fail("expected a rejection");
  }

  it("creates with Lambda's defaults (202, State Creating), then the mapping is Enabled", async () => {
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "LATEST" }));
    assert.equal(created.$metadata.httpStatusCode, 202);
    assert.equal(created.State, "Creating");
    assert.equal(created.StateTransitionReason, "User action");
    assert.equal(created.BatchSize, 100);
    assert.equal(created.MaximumBatchingWindowInSeconds, 0);
    assert.equal(created.ParallelizationFactor, 1);
    assert.equal(created.MaximumRetryAttempts, -1);
    assert.equal(created.MaximumRecordAgeInSeconds, -1);
    assert.equal(created.BisectBatchOnFunctionError, false);
    assert.equal(created.TumblingWindowInSeconds, 0);
    assert.deepEqual(created.FunctionResponseTypes, []);
    assert.deepEqual(created.DestinationConfig, { OnFailure: {} });
    assert.equal(created.LastProcessingResult, "No records processed");
    assert.equal(created.FunctionArn, `arn:aws:lambda:${server.region}:${server.accountId}:function:${functionName}`);
    assert.equal(created.EventSourceMappingArn, `arn:aws:lambda:${server.region}:${server.accountId}:event-source-mapping:${created.UUID}`);
    assert.ok(created.LastModified instanceof Date);
    await waitFor("Enabled", async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID! }))).State === "Enabled");

    const duplicate = await rejection({});
    assert.deepEqual(duplicate, {
      name: "ResourceConflictException",
      message: `The event source arn (" ${streamArn} ") and function (" ${functionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${created.UUID}`,
      status: 409,
    });

    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID!, BatchSize: 500, Enabled: false, DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::esm-dlq" } } }));
    assert.equal(updated.$metadata.httpStatusCode, 202);
    assert.equal(updated.State, "Disabling");
    assert.equal(updated.BatchSize, 500);
    assert.deepEqual(updated.DestinationConfig, { OnFailure: { Destination: "arn:aws:s3:::esm-dlq" } });
    await waitFor("Disabled", async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID! }))).State === "Disabled");

    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    assert.deepEqual(listed.EventSourceMappings?.map((mapping) => mapping.UUID), [created.UUID]);
    const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: `${streamArn}-other` }));
    assert.deepEqual(bySource.EventSourceMappings, []);

    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID! }));
    assert.equal(deleted.$metadata.httpStatusCode, 202);
    assert.equal(deleted.State, "Deleting");
    await waitFor("gone", async () => {
      try {
        await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID! }));
        return false;
      } catch (error) {
        const e = error as { name: string; message: string; $metadata: { httpStatusCode: number } };
        assert.deepEqual([e.name, e.message, e.$metadata.httpStatusCode], ["ResourceNotFoundException", "The resource you requested does not exist.", 404]);
        return true;
      }
    });
  });

  it("answers Lambda's errors for out-of-range and missing options", async () => {
    const cases: [Partial<CreateEventSourceMappingCommandInput>, string, string][] = [
      [{ BatchSize: 0 }, "ValidationException", "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      [{ BatchSize: 10_001 }, "ValidationException", "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000"],
      [{ ParallelizationFactor: 11 }, "ValidationException", "1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10"],
      [{ MaximumBatchingWindowInSeconds: 301 }, "ValidationException", "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300"],
      [{ MaximumRetryAttempts: -2 }, "ValidationException", "1 validation error detected: Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1"],
      [{ TumblingWindowInSeconds: 901 }, "ValidationException", "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"],
      [{ MaximumRecordAgeInSeconds: 604_801 }, "ValidationException", "1 validation error detected: Value '604801' at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 604800"],
      [{ StartingPosition: "SOMEWHERE" as "LATEST" }, "ValidationException", "1 validation error detected: Value 'SOMEWHERE' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"],
      [{ StartingPosition: undefined }, "InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."],
      [{ StartingPositionTimestamp: new Date() }, "InvalidParameterValueException", "Timestamp only valid with StartingPosition AT_TIMESTAMP"],
      [{ FunctionName: "no-such-function" }, "InvalidParameterValueException", "Function does not exist"],
      [{ EventSourceArn: `${streamArn}-missing` }, "InvalidParameterValueException", `Stream not found: ${streamArn}-missing`],
      [{ FilterCriteria: { Filters: [{ Pattern: "not json" }] } }, "InvalidParameterValueException", "Invalid filter pattern definition."],
    ];
    for (const [input, name, message] of cases) {
      assert.deepEqual(await rejection(input), { name, message, status: 400 }, JSON.stringify(input));
    }
  });

  it("GetEventSourceMapping of an unknown UUID: ResourceNotFoundException", async () => {
    await assert.rejects(lambda.send(new GetEventSourceMappingCommand({ UUID: "00000000-0000-4000-8000-000000000000" })), {
      name: "ResourceNotFoundException",
      message: "The resource you requested does not exist.",
    });
  });
});
