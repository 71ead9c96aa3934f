/**
 * The AWS/Lambda metrics (docs/metrics-reference.md), over the Lambda API's fake Executor:
 * Invocations, Errors, Throttles, Duration and ConcurrentExecutions by FunctionName, by
 * FunctionName and Resource (an alias), by ExecutedVersion, and across the account; and an event
 * source mapping's IteratorAge.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateAliasCommand, CreateEventSourceMappingCommand, InvokeCommand, PublishVersionCommand } from "@aws-sdk/client-lambda";
import type { MetricDimension, MetricsReader, StatisticSet } from "../../src/core/metrics.js";
import { createActive, handlerZip, rawLambda, role, startLambdaServer, type LambdaTestServer } from "../lambda/api-fixtures.js";
import { randomStreamName } from "../helpers/server.js";
import { ok } from "../helpers/wire-assert.js";
import { waitFor } from "../helpers/wait.js";

async function total(metrics: MetricsReader, MetricName: string, Dimensions: readonly MetricDimension[]): Promise<StatisticSet | undefined> {
  const points = await metrics.statistics({ Namespace: "AWS/Lambda", MetricName, Dimensions }, 0, 8.64e15, 60);
  if (points.length === 0) return undefined;
  const sum: StatisticSet = { SampleCount: 0, Sum: 0, Minimum: Infinity, Maximum: -Infinity };
  for (const { stats } of points) {
    sum.SampleCount += stats.SampleCount;
    sum.Sum += stats.Sum;
    sum.Minimum = Math.min(sum.Minimum, stats.Minimum);
    sum.Maximum = Math.max(sum.Maximum, stats.Maximum);
  }
  return sum;
}

const byName = (name: string) => [{ Name: "FunctionName", Value: name }];

describe("metrics > lambda", () => {
  let lambda: LambdaTestServer;
  let metrics: MetricsReader;
  before(async () => {
    lambda = await startLambdaServer();
    metrics = lambda.server.app!.metrics;
  });
  after(() => lambda.stop());

  const create = (FunctionName: string, Variables: Record<string, string> = {}) =>
    createActive(lambda.client, { FunctionName, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: handlerZip }, Environment: { Variables } });

  it("counts invocations, function errors and throttles by FunctionName and across the account", async () => {
    await create("metered");
    await create("failing", { FAKE: "throw" });
    await create("throttled", { FAKE: "throttle" });
    for (let index = 0; index < 3; index++) await lambda.client.send(new InvokeCommand({ FunctionName: "metered", Payload: Buffer.from("{}") }));
    for (let index = 0; index < 2; index++) {
      const answer = await lambda.client.send(new InvokeCommand({ FunctionName: "failing", Payload: Buffer.from("{}") }));
      assert.equal(answer.FunctionError, "Unhandled");
    }
    // Raw, once: the SDK would retry the 429.
    const refused = await rawLambda(lambda.server, "POST", "/2015-03-31/functions/throttled/invocations", "{}");
    assert.equal(refused.status, 429);

    assert.deepEqual(await total(metrics, "Invocations", byName("metered")), { SampleCount: 3, Sum: 3, Minimum: 1, Maximum: 1 });
    assert.deepEqual(await total(metrics, "Errors", byName("metered")), { SampleCount: 3, Sum: 0, Minimum: 0, Maximum: 0 });
    assert.equal((await total(metrics, "Duration", byName("metered")))?.SampleCount, 3);
    assert.deepEqual(await total(metrics, "ConcurrentExecutions", byName("metered")), { SampleCount: 3, Sum: 3, Minimum: 1, Maximum: 1 });
    assert.equal((await total(metrics, "Errors", byName("failing")))?.Sum, 2);
    assert.equal((await total(metrics, "Invocations", byName("failing")))?.Sum, 2);
    // A throttled request is no invocation.
    assert.equal((await total(metrics, "Throttles", byName("throttled")))?.Sum, 1);
    assert.equal(await total(metrics, "Invocations", byName("throttled")), undefined);
    // Unqualified calls: the Resource is the function's name.
    assert.equal((await total(metrics, "Invocations", [...byName("metered"), { Name: "Resource", Value: "metered" }]))?.Sum, 3);
    const account = await total(metrics, "Invocations", []);
    assert.equal(account?.Sum, 5);
    assert.equal((await total(metrics, "Throttles", []))?.Sum, 1);
    const listed = await metrics.listMetrics({ Namespace: "AWS/Lambda", MetricName: "Duration" });
    assert.ok(listed.every(({ unit }) => unit === "Milliseconds"));
  });

  it("names an alias' invocations by Resource and the version that ran by ExecutedVersion", async () => {
    await create("aliased");
    await lambda.client.send(new PublishVersionCommand({ FunctionName: "aliased" }));
    await lambda.client.send(new CreateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: "1" }));
    await lambda.client.send(new InvokeCommand({ FunctionName: "aliased", Qualifier: "live", Payload: Buffer.from("{}") }));
    await lambda.client.send(new InvokeCommand({ FunctionName: "aliased", Payload: Buffer.from("{}") }));

    const resource = [...byName("aliased"), { Name: "Resource", Value: "aliased:live" }];
    assert.equal((await total(metrics, "Invocations", resource))?.Sum, 1);
    assert.equal((await total(metrics, "Invocations", [...resource, { Name: "ExecutedVersion", Value: "1" }]))?.Sum, 1);
    assert.equal((await total(metrics, "Invocations", byName("aliased")))?.Sum, 2);
  });

  it("records an asynchronous event as received, and its age when it runs", async () => {
    await create("queued");
    const answer = await lambda.client.send(new InvokeCommand({ FunctionName: "queued", InvocationType: "Event", Payload: Buffer.from("{}") }));
    assert.equal(answer.StatusCode, 202);
    assert.deepEqual(await total(metrics, "AsyncEventsReceived", byName("queued")), { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 });
    await waitFor("the event's run", async () => (await total(metrics, "Invocations", byName("queued")))?.Sum === 1);
    const age = await total(metrics, "AsyncEventAge", byName("queued"));
    assert.ok(age !== undefined && age.SampleCount === 1 && age.Minimum >= 0);
    assert.equal(await total(metrics, "AsyncEventsDropped", byName("queued")), undefined);
  });

  it("records an event source mapping's IteratorAge for each batch it sends", async () => {
    await create("triggered");
    const stream = randomStreamName("trigger");
    const { server } = lambda;
    await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
    const streamArn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${stream}`;
    await ok(server, "PutRecord", { StreamName: stream, PartitionKey: "k", Data: Buffer.from("{}").toString("base64") });
    await lambda.client.send(new CreateEventSourceMappingCommand({ FunctionName: "triggered", EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 10 }));
    await waitFor("the batch's IteratorAge", async () => (await total(metrics, "IteratorAge", byName("triggered"))) !== undefined, 20_000);
    const age = await total(metrics, "IteratorAge", byName("triggered"));
    assert.ok(age !== undefined && age.Minimum >= 0);
    assert.equal((await total(metrics, "IteratorAge", [...byName("triggered"), { Name: "Resource", Value: "triggered" }]))?.SampleCount, age.SampleCount);
    assert.ok(((await total(metrics, "Invocations", byName("triggered")))?.Sum ?? 0) >= 1);
  });
});
