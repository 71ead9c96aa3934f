/**
 * lambda > event sources > shards: ParallelizationFactor keeps each key's order on a loaded
 * 4-shard stream, resharding (SplitShard, MergeShards) mid-run loses and reorders nothing, and
 * tumbling windows hand their state from batch to batch and sum correctly.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListShardsCommand, MergeShardsCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { harness, payloadOf, type Harness, type KinesisEventRecord } from "./esm-harness.js";
import { waitFor } from "../helpers/wait.js";
import { waitUntilActive } from "../helpers/streams.js";

/** Every key's numbers, in the order the function saw them. */
function byKey(records: readonly KinesisEventRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const record of records) {
    const { key, n } = payloadOf(record);
    let list = out.get(key);
    if (list === undefined) out.set(key, (list = []));
    list.push(n);
  }
  return out;
}

/** Each key's numbers rise (repeats allowed only as re-deliveries of a whole suffix, none expected here). */
function assertOrderedPerKey(records: readonly KinesisEventRecord[], count: number): void {
  const keys = byKey(records);
  let total = 0;
  for (const [key, numbers] of keys) {
    for (let index = 1; index < numbers.length; index += 1) assert.ok(numbers[index]! > numbers[index - 1]!, `key ${key} out of order at ${index}: ${numbers.slice(Math.max(0, index - 3), index + 2)}`);
    total += numbers.length;
  }
  assert.equal(total, count);
}

describe("lambda > event sources > shards", () => {
  const harnesses: Harness[] = [];
  after(() => Promise.all(harnesses.map((h) => h.stop())));

  it("ParallelizationFactor 10 on 4 shards: every record once, each key in order, batches running concurrently", async () => {
    const h = await harness(4);
    harnesses.push(h);
    let running = 0;
    let runningMax = 0;
    h.handler = async () => {
      running += 1;
      runningMax = Math.max(runningMax, running);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5)));
      running -= 1;
      return {};
    };
    await h.createMapping({ StartingPosition: "LATEST", ParallelizationFactor: 10, BatchSize: 20 });
    const count = 4000;
    const counters = new Map<string, number>();
    const entries = Array.from({ length: count }, (_, index) => {
      const key = `key-${index % 97}`;
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      return { key, n };
    });
    await h.put(entries);
    await waitFor("all delivered", () => h.delivered().length >= count, 30_000);
    assertOrderedPerKey(h.delivered(), count);
    assert.ok(runningMax > 4, `concurrent batches: ${runningMax}`);
  });

  it("SplitShard and MergeShards mid-run lose and reorder nothing", async () => {
    const h = await harness(2);
    harnesses.push(h);
    h.handler = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return {};
    };
    await h.createMapping({ StartingPosition: "LATEST", BatchSize: 50 });
    const counters = new Map<string, number>();
    const next = (count: number) =>
      Array.from({ length: count }, (_, index) => {
        const key = `key-${index % 31}`;
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        return { key, n };
      });
    await h.put(next(500));
    await h.kinesis.send(new SplitShardCommand({ StreamName: h.streamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (2n ** 126n).toString() }));
    await waitUntilActive(h.kinesis, h.streamName);
    await h.put(next(500));
    const open = ((await h.kinesis.send(new ListShardsCommand({ StreamName: h.streamName }))).Shards ?? []).filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined);
    const sorted = open.sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    await h.kinesis.send(new MergeShardsCommand({ StreamName: h.streamName, ShardToMerge: sorted[0]!.ShardId!, AdjacentShardToMerge: sorted[1]!.ShardId! }));
    await waitUntilActive(h.kinesis, h.streamName);
    await h.put(next(500));
    await waitFor("all delivered", () => h.delivered().length >= 1500, 30_000);
    assertOrderedPerKey(h.delivered(), 1500);
  });

  it("tumbling windows: state handed from batch to batch, a final invocation per window, sums right", async () => {
    const h = await harness(1);
    harnesses.push(h);
    const finals: { state: Record<string, unknown>; start: string }[] = [];
    h.handler = (event) => {
      const state = { ...(event.state as Record<string, number>) };
      if (event.isFinalInvokeForWindow) {
        finals.push({ state, start: event.window!.start });
        return { payload: { state } };
      }
      for (const record of event.Records) state.sum = (state.sum ?? 0) + payloadOf(record).n;
      state.count = (state.count ?? 0) + event.Records.length;
      return { payload: { state } };
    };
    await h.createMapping({ StartingPosition: "LATEST", TumblingWindowInSeconds: 1, BatchSize: 7 });
    let expected = 0;
    for (let round = 0; round < 3; round += 1) {
      const entries = Array.from({ length: 20 }, (_, index) => ({ key: "w", n: round * 100 + index }));
      expected += entries.reduce((sum, entry) => sum + entry.n, 0);
      await h.put(entries);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    await waitFor("every window closed", () => finals.reduce((sum, final) => sum + ((final.state.count as number) ?? 0), 0) >= 60, 10_000);
    assert.equal(finals.reduce((sum, final) => sum + ((final.state.sum as number) ?? 0), 0), expected);
    const first = h.invocations[0]!.event;
    assert.deepEqual(Object.keys(first), ["Records", "window", "state", "shardId", "eventSourceARN", "isFinalInvokeForWindow", "isWindowTerminatedEarly"]);
    assert.equal(first.shardId, "shardId-000000000000");
    assert.match(first.window!.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(new Set(finals.map((final) => final.start)).size, finals.length);
    assert.ok(h.invocations.every((invocation) => invocation.event.Records.length <= 7));
  });
});
