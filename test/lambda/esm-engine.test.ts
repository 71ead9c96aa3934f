/**
 * lambda > event sources > engine: the event Lambda sends, batching, starting positions, state
 * transitions, LastProcessingResult, throttles and restarts from checkpoints — the manager with a
 * fake Executor over a real server's streams.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { harness, payloadOf, roleArn, type Harness } from "./esm-harness.js";
import { waitFor } from "../helpers/wait.js";

describe("lambda > event sources > engine", () => {
  let h: Harness;
  before(async () => {
    h = await harness(1);
  });
  after(() => h.stop());

  it("sends Lambda's Kinesis event, member for member, and moves the mapping to Enabled", async () => {
    h.invocations.length = 0;
    const [sequenceNumber] = await h.put([{ key: "pk-1", data: Buffer.from("hello") }]);
    const mapping = await h.createMapping();
    await waitFor("one invocation", () => h.invocations.length >= 1);
    const raw = h.invocations[0]!.raw.toString("utf8");
    const arrival = h.invocations[0]!.event.Records[0]!.kinesis.approximateArrivalTimestamp;
    assert.ok(Number.isFinite(arrival) && arrival > 1.6e9 && arrival < 1e11, "epoch seconds");
    assert.equal(
      raw,
      `{"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"pk-1","sequenceNumber":"${sequenceNumber}","data":"aGVsbG8=","approximateArrivalTimestamp":${arrival}},` +
        `"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000000:${sequenceNumber}","eventName":"aws:kinesis:record",` +
        `"invokeIdentityArn":"${roleArn}","awsRegion":"us-east-1","eventSourceARN":"${h.streamArn}"}]}`,
    );
    await waitFor("State Enabled, LastProcessingResult OK", async () => {
      const stored = await h.manager.mappings.get(mapping.accountId, mapping.UUID);
      return stored?.State === "Enabled" && stored.LastProcessingResult === "OK";
    });
    await deleteMapping(h, mapping.UUID);
  });

  it("cuts batches at BatchSize and delivers every record once, in order", async () => {
    h.invocations.length = 0;
    const sequenceNumbers = await h.put(Array.from({ length: 250 }, (_, n) => ({ key: `k${n % 7}`, n })));
    const mapping = await h.createMapping({ BatchSize: 40, StartingPosition: "AT_TIMESTAMP", StartingPositionTimestampMs: Date.now() - 60_000 });
    await waitFor("all delivered", () => h.delivered().length >= 250 + 1);
    const delivered = h.delivered().map((record) => record.kinesis.sequenceNumber);
    assert.ok(h.invocations.every((invocation) => invocation.event.Records.length <= 40));
    // The first test's record comes first (AT_TIMESTAMP a minute back), then these, in order.
    assert.deepEqual(delivered.slice(-250), sequenceNumbers);
    await deleteMapping(h, mapping.UUID);
  });

  it("LATEST starts at the mapping's creation: earlier records are not sent", async () => {
    h.invocations.length = 0;
    await h.put([{ key: "before", n: 1 }]);
    const mapping = await h.createMapping({ StartingPosition: "LATEST" });
    const [after] = await h.put([{ key: "after", n: 2 }]);
    await waitFor("the later record", () => h.delivered().length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(h.delivered().map((record) => record.kinesis.sequenceNumber), [after]);
    await deleteMapping(h, mapping.UUID);
  });

  it("a throttled invocation is retried and not counted as an attempt", async () => {
    h.invocations.length = 0;
    h.puts.length = 0;
    let throttles = 0;
    h.handler = () => (throttles++ < 3 ? "throttle" : {});
    const mapping = await h.createMapping({ StartingPosition: "LATEST", MaximumRetryAttempts: 0, OnFailureDestination: "arn:aws:s3:::dlq" });
    await h.put([{ key: "t", n: 1 }]);
    await waitFor("delivered after the throttles", () => h.invocations.length >= 1);
    assert.equal(throttles, 4);
    assert.equal(h.puts.length, 0);
    h.handler = () => ({});
    await deleteMapping(h, mapping.UUID);
  });

  it("a disabled mapping reads nothing and settles in Disabled; enabling it resumes from the checkpoint", async () => {
    h.invocations.length = 0;
    const mapping = await h.createMapping({ StartingPosition: "LATEST", Enabled: false });
    assert.equal((await h.manager.mappings.get(mapping.accountId, mapping.UUID))?.State, "Disabled");
    const sequenceNumbers = await h.put([{ key: "d", n: 1 }, { key: "d", n: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(h.invocations.length, 0);
    await h.manager.mappings.modify(mapping.accountId, mapping.UUID, (record) => ({ ...record, Enabled: true, State: "Enabling" }));
    h.manager.changed(mapping.accountId, mapping.UUID);
    await waitFor("delivered once enabled", () => h.delivered().length >= 2);
    assert.deepEqual(h.delivered().map((record) => record.kinesis.sequenceNumber), sequenceNumbers);
    assert.equal((await h.manager.mappings.get(mapping.accountId, mapping.UUID))?.State, "Enabled");
    await deleteMapping(h, mapping.UUID);
  });

  it("a restarted manager resumes after the last checkpointed record (nothing skipped)", async () => {
    h.invocations.length = 0;
    const mapping = await h.createMapping({ StartingPosition: "LATEST", BatchSize: 10 });
    const first = await h.put(Array.from({ length: 30 }, (_, n) => ({ key: "r", n })));
    await waitFor("first part delivered", () => h.delivered().length >= 30);
    await h.manager.stop();
    const second = await h.put(Array.from({ length: 30 }, (_, n) => ({ key: "r", n: 30 + n })));
    h.startManager();
    await h.manager.start();
    await waitFor("second part delivered", () => h.delivered().length >= 60);
    assert.deepEqual(h.delivered().map((record) => record.kinesis.sequenceNumber), [...first, ...second]);
    assert.deepEqual(h.delivered().map((record) => payloadOf(record).n), Array.from({ length: 60 }, (_, n) => n));
    await deleteMapping(h, mapping.UUID);
  });

  it("FilterCriteria pass exactly the matching records (the rest count as processed)", async () => {
    h.invocations.length = 0;
    const mapping = await h.createMapping({ StartingPosition: "LATEST", FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { n: [{ numeric: [">=", 10] }] } }) }, { Pattern: JSON.stringify({ partitionKey: ["vip"] }) }] } });
    await h.put([
      ...Array.from({ length: 20 }, (_, n) => ({ key: "f", n })),
      { key: "vip", n: 1 },
      { key: "bin", data: Buffer.from([0xff, 0x00]) },
    ]);
    await waitFor("the matching records", () => h.delivered().length >= 11);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(h.delivered().map((record) => `${record.kinesis.partitionKey}:${payloadOf(record).n}`), [...Array.from({ length: 10 }, (_, n) => `f:${n + 10}`), "vip:1"]);
    await deleteMapping(h, mapping.UUID);
  });

  it("MaximumBatchingWindowInSeconds gathers records that trickle in into one batch", async () => {
    h.invocations.length = 0;
    const mapping = await h.createMapping({ StartingPosition: "LATEST", MaximumBatchingWindowInSeconds: 1 });
    for (let n = 0; n < 5; n += 1) {
      await h.put([{ key: "w", n }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor("delivered", () => h.delivered().length >= 5, 5_000);
    assert.equal(h.invocations.length, 1);
    await deleteMapping(h, mapping.UUID);
  });
});

async function deleteMapping(h: Harness, uuid: string): Promise<void> {
  await h.manager.mappings.modify("000000000000", uuid, (record) => ({ ...record, State: "Deleting" }));
  h.manager.changed("000000000000", uuid);
  await h.manager.settled();
  assert.equal(await h.manager.mappings.get("000000000000", uuid), undefined);
}
