/**
 * The consumer's lighter processor forms (src/client/consumer/adapters.ts), driven through the
 * ShardRecordProcessor calls a ShardConsumer makes, with a checkpointer that records its calls.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { recordHandler, shardIterables, type IteratedBatch, type ShardIterable } from "../../src/client/consumer/adapters.js";
import type { ConsumerRecord, RecordProcessorCheckpointer } from "../../src/client/consumer/types.js";

function record(seq: number, sub = 0): ConsumerRecord {
  return { SequenceNumber: String(seq), SubSequenceNumber: sub, PartitionKey: "k", Data: Buffer.from(`r${seq}.${sub}`), aggregated: sub > 0 };
}

function recordingCheckpointer(): RecordProcessorCheckpointer & { calls: (string | undefined)[] } {
  const calls: (string | undefined)[] = [];
  return {
    calls,
    checkpoint(sequenceNumber?: string) {
      calls.push(sequenceNumber);
      return Promise.resolve();
    },
  };
}

it("recordHandler > checkpoints each batch after the handler resolves, and SHARD_END at shard end", async () => {
  const handled: string[][] = [];
  const checkpointer = recordingCheckpointer();
  const processor = recordHandler(({ shardId, records }) => {
    handled.push([shardId, ...records.map((r) => r.SequenceNumber)]);
    // The checkpoint must not have happened yet for this batch.
    assert.equal(checkpointer.calls.length, handled.length - 1);
  })("shardId-000000000001");
  await processor.initialize({ shardId: "shardId-000000000001", extendedSequenceNumber: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 } });
  await processor.processRecords({ records: [record(1), record(2)], checkpointer });
  await processor.processRecords({ records: [], checkpointer });
  await processor.processRecords({ records: [record(3)], checkpointer });
  await processor.shardEnded({ checkpointer });
  assert.deepEqual(handled, [
    ["shardId-000000000001", "1", "2"],
    ["shardId-000000000001", "3"],
  ]);
  // Two batches (the empty one is skipped), then SHARD_END: all without arguments.
  assert.deepEqual(checkpointer.calls, [undefined, undefined, undefined]);
});

it("recordHandler > a handler that throws leaves its batch not checkpointed and the error reaches the caller", async () => {
  const checkpointer = recordingCheckpointer();
  const processor = recordHandler(() => {
    throw new Error("boom");
  })("s");
  await assert.rejects(Promise.resolve(processor.processRecords({ records: [record(1)], checkpointer })), /boom/);
  assert.deepEqual(checkpointer.calls, []);
});

it("shardIterables > each shard is an async iterable of batches; processRecords waits until the loop asks for the next", async () => {
  const { processorFactory, shards } = shardIterables();
  const shardIterator = shards[Symbol.asyncIterator]();
  const processor = processorFactory("shard-a");
  const { value: shard } = (await shardIterator.next()) as IteratorResult<ShardIterable>;
  assert.equal(shard.shardId, "shard-a");
  const checkpointer = recordingCheckpointer();

  let firstDone = false;
  const first = Promise.resolve(processor.processRecords({ records: [record(1)], checkpointer })).then(() => (firstDone = true));
  const batches = shard[Symbol.asyncIterator]();
  const b1 = (await batches.next()) as IteratorResult<IteratedBatch>;
  assert.deepEqual(b1.value.records.map((r: ConsumerRecord) => r.SequenceNumber), ["1"]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(firstDone, false, "processRecords is still waiting while the loop works on the batch");
  await b1.value.checkpoint();
  assert.deepEqual(checkpointer.calls, [undefined]);

  const second = Promise.resolve(processor.processRecords({ records: [record(2, 1)], checkpointer }));
  const b2 = (await batches.next()) as IteratorResult<IteratedBatch>;
  await first;
  assert.equal(firstDone, true, "asking for the next batch finishes the previous processRecords");
  assert.deepEqual(b2.value.records.map((r: ConsumerRecord) => [r.SequenceNumber, r.SubSequenceNumber]), [["2", 1]]);

  // Shard end: once the loop has taken everything, iteration ends and SHARD_END is checkpointed.
  const ended = Promise.resolve(processor.shardEnded({ checkpointer }));
  const end = await batches.next();
  await second;
  await ended;
  assert.equal(end.done, true);
  assert.equal(shard.endReason, "shard-ended");
  assert.deepEqual(checkpointer.calls, [undefined, undefined]);
});

it("shardIterables > lease lost ends the iteration without a checkpoint", async () => {
  const { processorFactory, shards } = shardIterables();
  const processor = processorFactory("shard-b");
  const { value: shard } = (await shards[Symbol.asyncIterator]().next()) as IteratorResult<ShardIterable>;
  const checkpointer = recordingCheckpointer();
  const seen: string[] = [];
  const loop = (async () => {
    for await (const batch of shard) seen.push(...batch.records.map((r: ConsumerRecord) => r.SequenceNumber));
  })();
  await processor.processRecords({ records: [record(7)], checkpointer });
  await processor.leaseLost({});
  await loop;
  assert.deepEqual(seen, ["7"]);
  assert.equal(shard.endReason, "lease-lost");
  assert.deepEqual(checkpointer.calls, []);
});

it("shardIterables > a loop left early does not finish the shard: no SHARD_END checkpoint", async () => {
  const { processorFactory, shards } = shardIterables();
  const processor = processorFactory("shard-c");
  const { value: shard } = (await shards[Symbol.asyncIterator]().next()) as IteratorResult<ShardIterable>;
  const checkpointer = recordingCheckpointer();
  const loop = (async () => {
    for await (const batch of shard) if (batch.records.length > 0) break;
  })();
  await processor.processRecords({ records: [record(1)], checkpointer });
  await loop;
  // Later batches are not handed out, and the shard end is not checkpointed for a loop that left.
  await processor.processRecords({ records: [record(2)], checkpointer });
  await processor.shardEnded({ checkpointer });
  assert.deepEqual(checkpointer.calls, []);
  assert.equal(shard.endReason, undefined);
});
