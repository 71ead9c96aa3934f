/**
 * Stream triggers end to end, only through public clients: a real Node function (created with
 * @aws-sdk/client-lambda from a zip), event source mappings on 4-shard streams under load
 * (@aws-sdk/client-kinesis producers), OnFailure records read back with @aws-sdk/client-s3.
 * ParallelizationFactor 10 keeps every key's order; a poison record with
 * BisectBatchOnFunctionError lands alone in the OnFailure bucket; ReportBatchItemFailures retries
 * only from the failed item; filters pass exactly the matching records.
 * (Record age, tumbling windows and resharding: lambda-triggers-time.test.ts.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { S3Client } from "@aws-sdk/client-s3";
import { waitFor } from "../helpers/wait.js";
import {
  assertEveryKeyInOrder, createMapping, createStream, firstSeenByKey, onFailureRecords, Producer, startTriggerWorld, TriggerSink,
  type KinesisEvent, type SeenRecord, type TriggerWorld,
} from "./lambda-triggers-fixture.js";

const functionName = "trigger-recorder";
const bucket = "trigger-e2e-dlq";

describe("e2e > lambda > stream triggers", () => {
  let world: TriggerWorld;
  let kinesis: KinesisClient;
  let lambda: LambdaClient;
  let s3: S3Client;
  const sink = new TriggerSink();

  before(async () => {
    world = await startTriggerWorld(sink, functionName, { bucket });
    ({ kinesis, lambda, s3 } = world);
  });
  after(() => world.stop());

  it("ParallelizationFactor 10 on 4 loaded shards: every record once, every key in put order, batches of a shard concurrently", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-pf", 4);
    sink.on(streamArn, async () => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      return {};
    });
    await createMapping(lambda, { FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", ParallelizationFactor: 10, BatchSize: 25 });
    const producer = new Producer(kinesis, streamName, { writers: 8, keysPerWriter: 25, recordsPerRequest: 100 });
    await producer.run(8);
    await waitFor("every record delivered", () => sink.succeeded(streamArn).length >= producer.ackedTotal, 30_000, 50);
    const records = sink.succeeded(streamArn);
    assert.equal(records.length, 6400);
    assert.equal(new Set(records.map((record) => record.sequenceNumber)).size, records.length, "no record twice");
    assertEveryKeyInOrder(producer.acked, records);
    assert.ok(sink.of(streamArn).every((delivery) => delivery.records.length <= 25));
    assert.ok((sink.runningMax.get(streamArn) ?? 0) > 4, `batches at once: ${sink.runningMax.get(streamArn)} (more than one per shard)`);
  });

  it("BisectBatchOnFunctionError: a poison record lands alone in the OnFailure bucket, everything else is processed once", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-bisect", 4);
    const isPoison = (record: SeenRecord) => record.data.includes("poison");
    sink.on(streamArn, (_event, records) => (records.some(isPoison) ? { error: "poison" } : {}));
    const uuid = await createMapping(lambda, {
      FunctionName: functionName,
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: `arn:aws:s3:::${bucket}` } },
    });
    const poisonKey = "w2-k3";
    const producer = new Producer(kinesis, streamName, {
      writers: 4,
      keysPerWriter: 10,
      recordsPerRequest: 100,
      data: (key, n) => JSON.stringify(key === poisonKey && n === 17 ? { n, poison: true } : { n }),
    });
    await producer.run(5);
    await waitFor("everything but the poison processed", () => sink.succeeded(streamArn).length >= producer.ackedTotal - 1, 30_000, 50);
    await waitFor("the OnFailure record", async () => (await onFailureRecords(s3, bucket, uuid)).length >= 1, 10_000, 50);

    const failures = await onFailureRecords(s3, bucket, uuid);
    assert.equal(failures.length, 1);
    const [{ record }] = failures as [(typeof failures)[0]];
    assert.equal(record.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(record.requestContext.approximateInvokeCount, 2);
    assert.equal(record.responseContext.functionError, "Unhandled");
    assert.equal(record.KinesisBatchInfo.batchSize, 1);
    assert.equal(record.KinesisBatchInfo.streamArn, streamArn);
    const event = JSON.parse(record.payload) as KinesisEvent;
    assert.equal(event.Records.length, 1);
    assert.deepEqual(JSON.parse(Buffer.from(event.Records[0]!.kinesis.data, "base64").toString("utf8")), { n: 17, poison: true });
    assert.equal(event.Records[0]!.kinesis.sequenceNumber, record.KinesisBatchInfo.startSequenceNumber);
    assert.equal(record.KinesisBatchInfo.endSequenceNumber, record.KinesisBatchInfo.startSequenceNumber);

    const records = sink.succeeded(streamArn);
    assert.equal(records.length, producer.ackedTotal - 1);
    assert.equal(new Set(records.map((each) => each.sequenceNumber)).size, records.length, "each record processed once");
    assert.ok(!records.some(isPoison));
    const byKey = firstSeenByKey(records);
    for (const [key, count] of producer.acked) {
      const expected = Array.from({ length: count }, (_, n) => n).filter((n) => !(key === poisonKey && n === 17));
      assert.deepEqual(byKey.get(key), expected, key);
    }
  });

  it("ReportBatchItemFailures: a batch is retried only from the lowest failed item", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-items", 4);
    const failedOnce = new Set<string>();
    sink.on(streamArn, (_event, records) => {
      // Each writer's key k0 fails its records 5 and 40 once (the batch reports both; the lowest counts).
      const failing = records.filter((record) => record.key.endsWith("-k0") && (record.n === 5 || record.n === 40) && !failedOnce.has(record.sequenceNumber));
      for (const record of failing) failedOnce.add(record.sequenceNumber);
      return { result: { batchItemFailures: failing.reverse().map((record) => ({ itemIdentifier: record.sequenceNumber })) } };
    });
    await createMapping(lambda, { FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 100, FunctionResponseTypes: ["ReportBatchItemFailures"] });
    const producer = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 5, recordsPerRequest: 100, data: (_key, n) => JSON.stringify({ n }) });
    await producer.run(5);
    await waitFor("every record processed", () => new Set(sink.of(streamArn).flatMap((d) => d.records.map((r) => r.sequenceNumber))).size >= producer.ackedTotal, 30_000, 50);
    await waitFor("every failed record retried", () => {
      const times = new Map<string, number>();
      for (const record of sink.of(streamArn).flatMap((delivery) => delivery.records)) times.set(record.sequenceNumber, (times.get(record.sequenceNumber) ?? 0) + 1);
      return [...failedOnce].every((sequenceNumber) => (times.get(sequenceNumber) ?? 0) >= 2);
    }, 10_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const deliveries = sink.of(streamArn);
    const times = new Map<string, number>();
    for (const record of deliveries.flatMap((delivery) => delivery.records)) times.set(record.sequenceNumber, (times.get(record.sequenceNumber) ?? 0) + 1);
    let expectedRepeats = 0;
    let failingBatches = 0;
    for (const [index, delivery] of deliveries.entries()) {
      const failures = (delivery.answer.result as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures;
      if (failures.length === 0) continue;
      failingBatches += 1;
      const lowest = Math.min(...failures.map((failure) => delivery.records.findIndex((record) => record.sequenceNumber === failure.itemIdentifier)));
      for (const record of delivery.records.slice(0, lowest)) assert.equal(times.get(record.sequenceNumber), 1, "a record before the failed item is not retried");
      // The shard's next invocation is the retry: it starts at the failed item, with the rest of the batch.
      const shardId = delivery.records[0]!.shardId;
      const retry = deliveries.slice(index + 1).find((later) => later.records[0]?.shardId === shardId)!;
      assert.deepEqual(retry.records.map((record) => record.sequenceNumber), delivery.records.slice(lowest).map((record) => record.sequenceNumber));
      expectedRepeats += delivery.records.length - lowest;
    }
    assert.ok(failingBatches >= 4, `failing batches: ${failingBatches}`);
    assert.equal(deliveries.reduce((sum, delivery) => sum + delivery.records.length, 0), producer.ackedTotal + expectedRepeats);
    assertEveryKeyInOrder(producer.acked, deliveries.flatMap((delivery) => delivery.records));
  });

  it("FilterCriteria: exactly the matching records reach the function, in order per key", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-filter", 4);
    sink.on(streamArn, () => ({}));
    const kinds = ["order", "refund", "vip-order", "other", "not json"];
    const dataOf = (key: string, n: number): string => {
      const kind = kinds[n % kinds.length]!;
      return kind === "not json" ? `plain text ${key} ${n}` : JSON.stringify({ n, kind, amount: (n * 37) % 250, ...(n % 3 === 0 ? { tag: "x" } : {}) });
    };
    const matches = (n: number): boolean => {
      const kind = kinds[n % kinds.length]!;
      const amount = (n * 37) % 250;
      return (kind === "order" && amount > 100) || kind.startsWith("vip-") || (kind === "other" && n % 3 === 0);
    };
    await createMapping(lambda, {
      FunctionName: functionName,
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ data: { kind: ["order"], amount: [{ numeric: [">", 100] }] } }) },
          { Pattern: JSON.stringify({ data: { kind: [{ prefix: "vip-" }] } }) },
          { Pattern: JSON.stringify({ data: { kind: ["other"], tag: [{ exists: true }] } }) },
        ],
      },
    });
    const producer = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 5, recordsPerRequest: 100, data: dataOf });
    await producer.run(5);
    const expected = new Map<string, number[]>();
    for (const [key, count] of producer.acked) expected.set(key, Array.from({ length: count }, (_, n) => n).filter(matches));
    const expectedTotal = [...expected.values()].reduce((sum, list) => sum + list.length, 0);
    await waitFor("the matching records", () => sink.succeeded(streamArn).length >= expectedTotal, 30_000, 50);
    // Anything that should not have passed would arrive with the rest: give stragglers a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const records = sink.succeeded(streamArn);
    assert.equal(records.length, expectedTotal);
    assert.ok(expectedTotal > 500 && expectedTotal < producer.ackedTotal / 2, `matching: ${expectedTotal}`);
    assert.deepEqual(firstSeenByKey(records), expected);
  });
});
