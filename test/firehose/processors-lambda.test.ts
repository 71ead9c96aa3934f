import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FunctionInvokeOutcome, FunctionInvoker } from "../../src/storage/function-invoker.js";
import type { PipelineRecord } from "../../src/firehose/delivery/contracts.js";
import { createProcessors, type ProcessorDeps } from "../../src/firehose/processors/index.js";
import { lambdaMessages } from "../../src/firehose/processors/lambda-processor.js";
import { systemClock, type Clock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const functionArn = "arn:aws:lambda:us-east-1:000000000000:function:transform";
const deliveryStreamArn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/s";

interface Call {
  accountId: string;
  functionArn: string;
  event: { invocationId: string; deliveryStreamArn: string; region: string; sourceKinesisStreamArn?: string; records: { recordId: string; approximateArrivalTimestamp: number; data: string; kinesisRecordMetadata?: Record<string, unknown> }[] };
}

/** A FunctionInvoker answering from a script: each call gets the next answer (the last one repeats). */
function fakeInvoker(answer: (call: Call, index: number) => FunctionInvokeOutcome): { invoker: FunctionInvoker; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    invoker: {
      async invoke(accountId, arn, payload) {
        const call = { accountId, functionArn: arn, event: JSON.parse(payload.toString()) };
        calls.push(call);
        return answer(call, calls.length - 1);
      },
    },
  };
}

const answerWith = (records: unknown[]): FunctionInvokeOutcome => ({ ok: true, payload: Buffer.from(JSON.stringify({ records })), executedVersion: "$LATEST" });
const okAll = (call: Call) => answerWith(call.event.records.map((r) => ({ recordId: r.recordId, result: "Ok", data: Buffer.from(Buffer.from(r.data, "base64").toString().toUpperCase()).toString("base64") })));

function sleepingClock(): { clock: Clock; sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, clock: { ...systemClock, sleep: async (ms: number) => void sleeps.push(ms) } };
}

function deps(invoker: FunctionInvoker, clock: Clock = systemClock, extra: Partial<ProcessorDeps> = {}): ProcessorDeps {
  return { accountId: "000000000000", region: "us-east-1", deliveryStreamArn, functionInvoker: invoker, clock, random: new SeededRandom(7), logger: silentLogger, ...extra };
}

function lambdaConfig(...parameters: [string, string][]) {
  return { Enabled: true, Processors: [{ Type: "Lambda", Parameters: [["LambdaArn", functionArn], ...parameters].map(([ParameterName, ParameterValue]) => ({ ParameterName: ParameterName!, ParameterValue: ParameterValue! })) }] };
}

function records(...texts: string[]): PipelineRecord[] {
  return texts.map((text, i) => ({ recordId: `id-${i}`, data: Buffer.from(text), approximateArrivalTimestampMs: 1_700_000_000_000 + i }));
}

describe("firehose > processors > Lambda", () => {
  it("sends Firehose's transformation event and takes the transformed data", async () => {
    const { invoker, calls } = fakeInvoker(okAll);
    const [processor] = createProcessors(lambdaConfig(), deps(invoker));
    const outcome = await processor!.process(records("a", "b"));
    assert.deepEqual(outcome.ok.map((r) => r.data.toString()), ["A", "B"]);
    assert.equal(outcome.droppedCount, 0);
    assert.equal(calls.length, 1);
    const { event } = calls[0]!;
    assert.deepEqual(Object.keys(event), ["invocationId", "deliveryStreamArn", "region", "records"]);
    assert.match(event.invocationId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(event.deliveryStreamArn, deliveryStreamArn);
    assert.equal(event.region, "us-east-1");
    assert.deepEqual(event.records[0], { recordId: "id-0", approximateArrivalTimestamp: 1_700_000_000_000, data: "YQ==" });
    assert.equal(calls[0]!.functionArn, functionArn);
  });

  it("adds sourceKinesisStreamArn and each record's kinesisRecordMetadata for a Kinesis source", async () => {
    const { invoker, calls } = fakeInvoker(okAll);
    const source = "arn:aws:kinesis:us-east-1:000000000000:stream/src";
    const [processor] = createProcessors(lambdaConfig(), deps(invoker, systemClock, { sourceKinesisStreamArn: source }));
    const record: PipelineRecord = { recordId: "r", data: Buffer.from("x"), approximateArrivalTimestampMs: 5, kinesisRecordMetadata: { shardId: "shardId-000000000000", partitionKey: "pk", sequenceNumber: "49590338271490256608559692538361571095921575989136588898", approximateArrivalTimestampMs: 5 } };
    await processor!.process([record]);
    assert.equal(calls[0]!.event.sourceKinesisStreamArn, source);
    assert.deepEqual(calls[0]!.event.records[0]!.kinesisRecordMetadata, { shardId: "shardId-000000000000", partitionKey: "pk", approximateArrivalTimestamp: 5, sequenceNumber: "49590338271490256608559692538361571095921575989136588898", subsequenceNumber: 0 });
  });

  it("counts Dropped, fails ProcessingFailed, missing and duplicated record ids with Firehose's codes and texts", async () => {
    const { invoker } = fakeInvoker((call) => {
      const [a, b, c, d] = call.event.records.map((r) => r.recordId);
      // The docs' sample result output: { "recordId": ..., "result": "Ok", "data": "<Base64 encoded Transformed data>" }
      return answerWith([
        { recordId: a, result: "Ok", data: Buffer.from("kept").toString("base64") },
        { recordId: b, result: "Dropped", data: "" },
        { recordId: c, result: "ProcessingFailed", data: "" },
        { recordId: "not-sent", result: "Ok", data: "" },
        { recordId: d, result: "Ok", data: "" },
        { recordId: d, result: "Ok", data: "" },
      ]);
    });
    const [processor] = createProcessors(lambdaConfig(), deps(invoker));
    const outcome = await processor!.process(records("a", "b", "c", "d", "e"));
    assert.deepEqual(outcome.ok.map((r) => r.data.toString()), ["kept"]);
    assert.equal(outcome.droppedCount, 1);
    assert.deepEqual(
      outcome.failed.map((f) => [f.recordId, f.errorCode, f.errorMessage, f.rawData.toString(), f.errorOutputType, f.lambdaArn]),
      [
        ["id-2", "Lambda.ProcessingFailedStatus", "ProcessingFailed status set for record", "c", "processing-failed", functionArn],
        ["id-3", "Lambda.DuplicatedRecordId", "Multiple records were returned with the same record Id. Ensure that the Lambda function returns a unique record Id for each record.", "d", "processing-failed", functionArn],
        ["id-4", "Lambda.MissingRecordId", "One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.", "e", "processing-failed", functionArn],
      ],
    );
  });

  it("fails Ok without data and an unknown result; a response that is not JSON fails every record", async () => {
    let answer = (call: Call): FunctionInvokeOutcome => answerWith([{ recordId: call.event.records[0]!.recordId, result: "Ok" }, { recordId: call.event.records[1]!.recordId, result: "Fine", data: "" }]);
    const { invoker } = fakeInvoker((call) => answer(call));
    const [processor] = createProcessors(lambdaConfig(), deps(invoker));
    const outcome = await processor!.process(records("a", "b"));
    assert.deepEqual(outcome.failed.map((f) => [f.errorCode, f.errorMessage]), [["Lambda.InvalidReturnFormat", lambdaMessages.nullData], ["Lambda.InvalidReturnFormat", lambdaMessages.invalidResult]]);
    answer = () => ({ ok: true, payload: Buffer.from("not json"), executedVersion: "$LATEST" });
    const broken = await processor!.process(records("a", "b"));
    assert.deepEqual(broken.failed.map((f) => f.errorCode), ["Lambda.JsonProcessingException", "Lambda.JsonProcessingException"]);
  });

  it("retries a function error NumberOfRetries times with fresh invocation ids and the same record ids, then fails with Lambda.FunctionError", async () => {
    const { invoker, calls } = fakeInvoker(() => ({ ok: true, payload: Buffer.from('{"errorType":"Error","errorMessage":"boom"}'), functionError: "Unhandled", executedVersion: "$LATEST" }));
    const { clock, sleeps } = sleepingClock();
    const [processor] = createProcessors(lambdaConfig(), deps(invoker, clock));
    const outcome = await processor!.process(records("a"));
    assert.equal(calls.length, 4, "the default NumberOfRetries is 3");
    assert.equal(new Set(calls.map((c) => c.event.invocationId)).size, 4);
    assert.deepEqual(new Set(calls.map((c) => c.event.records[0]!.recordId)), new Set(["id-0"]));
    assert.deepEqual(sleeps, [1000, 2000, 4000]);
    assert.deepEqual(outcome.failed.map((f) => [f.errorCode, f.errorMessage]), [["Lambda.FunctionError", "The Lambda function was successfully invoked but it returned an error result."]]);

    const once = fakeInvoker(() => ({ ok: true, payload: Buffer.from("{}"), functionError: "Unhandled", executedVersion: "$LATEST" }));
    const [noRetry] = createProcessors(lambdaConfig(["NumberOfRetries", "0"]), deps(once.invoker, clock));
    await noRetry!.process(records("a"));
    assert.equal(once.calls.length, 1);
  });

  it("retries a throttled invocation and succeeds; a function that does not exist is not retried", async () => {
    const throttled = fakeInvoker((call, index) => (index < 2 ? { ok: false, errorCode: "TooManyRequestsException", errorMessage: "Rate Exceeded.", retriable: true } : okAll(call)));
    const { clock } = sleepingClock();
    const [processor] = createProcessors(lambdaConfig(), deps(throttled.invoker, clock));
    const outcome = await processor!.process(records("a"));
    assert.equal(throttled.calls.length, 3);
    assert.deepEqual(outcome.ok.map((r) => r.data.toString()), ["A"]);

    const missing = fakeInvoker(() => ({ ok: false, errorCode: "ResourceNotFoundException", errorMessage: `Function not found: ${functionArn}`, retriable: false }));
    const [gone] = createProcessors(lambdaConfig(), deps(missing.invoker, clock));
    const failed = await gone!.process(records("a"));
    assert.equal(missing.calls.length, 1);
    assert.deepEqual(failed.failed.map((f) => [f.errorCode, f.errorMessage]), [["Lambda.ResourceNotFound", `Function not found: ${functionArn}`]]);
  });

  it("groups records into invocations of at most BufferSizeInMBs of data", async () => {
    const { invoker, calls } = fakeInvoker(okAll);
    const [processor] = createProcessors(lambdaConfig(["BufferSizeInMBs", "0.2"]), deps(invoker));
    const kib100 = "x".repeat(100 * 1024);
    const outcome = await processor!.process(records(kib100, kib100, kib100, kib100, kib100));
    // 0.2 MB = 209,715 bytes: two 100 KiB records per invocation.
    assert.deepEqual(calls.map((c) => c.event.records.length), [2, 2, 1]);
    assert.equal(outcome.ok.length, 5);
  });

  it("takes metadata.partitionKeys as the record's dynamic partition", async () => {
    const { invoker } = fakeInvoker((call) => answerWith(call.event.records.map((r) => ({ recordId: r.recordId, result: "Ok", data: r.data, metadata: { partitionKeys: { customerId: "c1", year: 2024 } } }))));
    const [processor] = createProcessors(lambdaConfig(), deps(invoker));
    const outcome = await processor!.process(records("{}"));
    assert.deepEqual(outcome.ok[0]!.partitionKeys, { customerId: "c1", year: "2024" });
  });
});
