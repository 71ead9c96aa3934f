/**
 * lambda > event sources > errors: MaximumRetryAttempts, BisectBatchOnFunctionError,
 * ReportBatchItemFailures, MaximumRecordAgeInSeconds and the OnFailure invocation record in S3.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { harness, payloadOf, type Harness } from "./esm-harness.js";
import { waitFor } from "../helpers/wait.js";
import { systemClock, type Clock } from "../../src/util/clock.js";

const dlq = "arn:aws:s3:::esm-dlq";

function onFailureRecords(h: Harness): Record<string, any>[] {
  return h.puts.map((put) => JSON.parse((put.Body as Buffer).toString("utf8")));
}

describe("lambda > event sources > errors", () => {
  let h: Harness;
  before(async () => {
    h = await harness(1);
  });
  after(() => h.stop());

  function reset(): void {
    h.invocations.length = 0;
    h.puts.length = 0;
  }

  it("MaximumRetryAttempts 2: three invocations, then Lambda's invocation record in the OnFailure bucket", async () => {
    reset();
    h.handler = () => ({ functionError: "Unhandled", payload: { errorMessage: "boom" } });
    const mapping = await h.createMapping({ StartingPosition: "LATEST", MaximumRetryAttempts: 2, OnFailureDestination: dlq });
    const sequenceNumbers = await h.put([{ key: "a", n: 1 }, { key: "a", n: 2 }]);
    await waitFor("one OnFailure record", () => h.puts.length >= 1);
    assert.equal(h.invocations.length, 3);
    const put = h.puts[0]!;
    assert.equal(put.Bucket, "esm-dlq");
    assert.match(put.Key, new RegExp(`^aws/lambda/${mapping.UUID}/shardId-000000000000/\\d{4}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}\\.\\d{2}\\.\\d{2}-[0-9a-f-]{36}$`));
    const record = onFailureRecords(h)[0]!;
    assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo", "payload"]);
    assert.equal(record.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(record.requestContext.approximateInvokeCount, 3);
    assert.equal(record.requestContext.functionArn, h.fn.functionArn);
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.equal(record.KinesisBatchInfo.startSequenceNumber, sequenceNumbers[0]);
    assert.equal(record.KinesisBatchInfo.endSequenceNumber, sequenceNumbers[1]);
    assert.equal(record.KinesisBatchInfo.batchSize, 2);
    assert.equal(record.KinesisBatchInfo.streamArn, h.streamArn);
    assert.equal(JSON.parse(record.payload).Records.length, 2);
    await waitFor("LastProcessingResult PROBLEM", async () => (await h.manager.mappings.get(mapping.accountId, mapping.UUID))?.LastProcessingResult === "PROBLEM: Function call failed");
    // The discarded batch is checkpointed: the shard goes on.
    h.handler = () => ({});
    await h.put([{ key: "a", n: 3 }]);
    await waitFor("the next record", () => h.delivered().some((each) => payloadOf(each).n === 3));
    await remove(h, mapping.UUID);
  });

  it("BisectBatchOnFunctionError: a poison record lands alone in the OnFailure bucket, everything else is processed", async () => {
    reset();
    const processed = new Set<number>();
    h.handler = (event) => {
      if (event.Records.some((record) => payloadOf(record).n === 37)) return { functionError: "Unhandled" };
      for (const record of event.Records) processed.add(payloadOf(record).n);
      return {};
    };
    const mapping = await h.createMapping({ StartingPosition: "LATEST", BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, OnFailureDestination: dlq, BatchSize: 100 });
    await h.put(Array.from({ length: 100 }, (_, n) => ({ key: `k${n % 5}`, n })));
    await waitFor("everything but the poison", () => processed.size === 99 && h.puts.length === 1);
    const record = onFailureRecords(h)[0]!;
    assert.equal(record.KinesisBatchInfo.batchSize, 1);
    assert.equal(payloadOf(JSON.parse(record.payload).Records[0]).n, 37);
    assert.ok(!processed.has(37));
    await remove(h, mapping.UUID);
  });

  it("ReportBatchItemFailures: the batch is retried from the lowest failed item only", async () => {
    reset();
    let failed = false;
    h.handler = (event) => {
      const index = event.Records.findIndex((record) => payloadOf(record).n === 5);
      if (!failed && index >= 0) {
        failed = true;
        return { payload: { batchItemFailures: [{ itemIdentifier: event.Records[7]!.kinesis.sequenceNumber }, { itemIdentifier: event.Records[index]!.kinesis.sequenceNumber }] } };
      }
      return { payload: { batchItemFailures: [] } };
    };
    const mapping = await h.createMapping({ StartingPosition: "LATEST", FunctionResponseTypes: ["ReportBatchItemFailures"], BatchSize: 10 });
    await h.put(Array.from({ length: 10 }, (_, n) => ({ key: "r", n })));
    await waitFor("retried", () => h.invocations.length >= 2);
    assert.deepEqual(h.invocations[0]!.event.Records.map((record) => payloadOf(record).n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(h.invocations[1]!.event.Records.map((record) => payloadOf(record).n), [5, 6, 7, 8, 9]);
    await remove(h, mapping.UUID);
  });

  it("ReportBatchItemFailures: an identifier not in the batch fails the whole batch", async () => {
    reset();
    let answers = 0;
    h.handler = () => (answers++ === 0 ? { payload: { batchItemFailures: [{ itemIdentifier: "123" }] } } : {});
    const mapping = await h.createMapping({ StartingPosition: "LATEST", FunctionResponseTypes: ["ReportBatchItemFailures"] });
    await h.put([{ key: "x", n: 1 }, { key: "x", n: 2 }]);
    await waitFor("retried", () => h.invocations.length >= 2);
    assert.equal(h.invocations[1]!.event.Records.length, 2);
    await remove(h, mapping.UUID);
  });

  it("MaximumRecordAgeInSeconds: records older go to OnFailure without an invocation", async () => {
    reset();
    h.handler = () => ({});
    const mapping = await h.createMapping({ StartingPosition: "LATEST", MaximumRecordAgeInSeconds: 60, OnFailureDestination: dlq });
    // The engine's clock runs two minutes ahead of the server's: every record is past the age.
    await h.manager.stop();
    const ahead: Clock = { ...systemClock, nowMs: () => systemClock.nowMs() + 120_000 };
    const aged = await harnessClockSwap(h, ahead);
    await aged.put([{ key: "old", n: 1 }]);
    await waitFor("OnFailure", () => aged.puts.length >= 1);
    assert.equal(aged.invocations.length, 0);
    assert.equal(onFailureRecords(aged)[0]!.requestContext.condition, "RecordAgeExceeded");
    assert.equal(onFailureRecords(aged)[0]!.requestContext.approximateInvokeCount, 0);
    await aged.manager.stop();
    h.startManager();
    await h.manager.start();
    await remove(h, mapping.UUID);
  });
});

/** The same harness (server, stream, tables) with a manager on another clock. */
async function harnessClockSwap(h: Harness, clock: Clock): Promise<Harness> {
  const swapped = Object.create(h) as Harness;
  Object.defineProperty(swapped, "clock", { value: clock });
  swapped.startManager();
  await swapped.manager.start();
  return swapped;
}

async function remove(h: Harness, uuid: string): Promise<void> {
  h.handler = () => ({});
  await h.manager.mappings.modify("000000000000", uuid, (record) => ({ ...record, State: "Deleting" }));
  h.manager.changed("000000000000", uuid);
  await h.manager.settled();
}
