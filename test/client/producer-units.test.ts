/**
 * The producer's pure parts, without a server: batch selection (ordering, budgets, backoff,
 * aggregation grouping), the shard budget, the shard map and the jittered backoff.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashPartitionKey } from "../../src/core/hash-key.js";
import { SeededRandom } from "../../src/util/random.js";
import { jitteredBackoffMs } from "../../src/client/retry.js";
import { selectBatch, type Pending, type SelectionContext, type SelectionLimits } from "../../src/client/producer/batch-select.js";
import { ShardBudget } from "../../src/client/producer/rate-limiter.js";
import { ShardMap } from "../../src/client/producer/shard-map.js";
import { deaggregate } from "../../src/client/kpl/index.js";

let seq = 0;
function pending(PartitionKey: string, dataBytes = 10, overrides: Partial<Pending> = {}): Pending {
  return {
    seq: seq++,
    entry: { PartitionKey, Data: Buffer.alloc(dataBytes, 1) },
    sizeBytes: dataBytes + Buffer.byteLength(PartitionKey),
    hashKey: hashPartitionKey(PartitionKey),
    dueMs: 0,
    notBeforeMs: 0,
    attempts: 0,
    resolve: () => {},
    reject: () => {},
    ...overrides,
  };
}

const plain: SelectionLimits = { batchRecordsMax: 500, batchBytesMax: 5 * 1024 * 1024, aggregate: false, aggregationBytesMax: 51_200, ordered: false };

function context(overrides: Partial<Omit<SelectionContext, "limits">> & { limits?: Partial<SelectionLimits> } = {}): SelectionContext {
  return {
    nowMs: 1000,
    keysInFlight: new Map(),
    shardFor: () => undefined,
    budgetFor: () => undefined,
    ...overrides,
    limits: { ...plain, ...overrides.limits },
  };
}

const keysOf = (records: readonly Pending[]) => records.map((record) => record.entry.PartitionKey);

describe("client > producer > batch selection", () => {
  it("takes records oldest first up to the entry count and byte limits", () => {
    const queue = Array.from({ length: 7 }, (_, i) => pending(`k${i}`, 99));
    const byCount = selectBatch(queue, context({ limits: { batchRecordsMax: 3 } }));
    assert.deepEqual(byCount.entries.map((entry) => entry.entry.PartitionKey), ["k0", "k1", "k2"]);
    assert.deepEqual(keysOf(byCount.remaining), ["k3", "k4", "k5", "k6"]);
    const byBytes = selectBatch(queue, context({ limits: { batchBytesMax: 250 } }));
    assert.equal(byBytes.entries.length, 2);
  });

  it("ordered: one entry per key per batch, and none for a key in flight", () => {
    const queue = [pending("a"), pending("a"), pending("b"), pending("c"), pending("b")];
    const selection = selectBatch(queue, context({ limits: { ordered: true }, keysInFlight: new Map([["c", 1]]) }));
    assert.deepEqual(selection.entries.map((entry) => entry.entry.PartitionKey), ["a", "b"]);
    assert.deepEqual(keysOf(selection.remaining), ["a", "c", "b"]);
  });

  it("unordered: several entries of one key may share a batch", () => {
    const selection = selectBatch([pending("a"), pending("a")], context());
    assert.equal(selection.entries.length, 2);
  });

  it("ordered: a record waiting out its backoff holds back the later records of its key, not other keys", () => {
    const queue = [pending("a", 10, { notBeforeMs: 1500, dueMs: 1500 }), pending("a"), pending("b")];
    const ordered = selectBatch(queue, context({ limits: { ordered: true } }));
    assert.deepEqual(ordered.entries.map((entry) => entry.entry.PartitionKey), ["b"]);
    assert.equal(ordered.wakeAtMs, 1500);
    const unordered = selectBatch(queue, context());
    assert.deepEqual(unordered.entries.map((entry) => entry.entry.PartitionKey), ["a", "b"]);
  });

  it("skips records whose shard has no budget left and says when to come back", () => {
    const budget = new ShardBudget(2, 1_000_000, 1000);
    const queue = [pending("x"), pending("y"), pending("z")];
    const selection = selectBatch(queue, context({ shardFor: () => "shard-0", budgetFor: () => budget }));
    assert.equal(selection.entries.length, 2);
    assert.deepEqual(keysOf(selection.remaining), ["z"]);
    assert.equal(selection.wakeAtMs, 1000 + 500);
  });

  it("aggregates per predicted shard, so no aggregate spans two shards", () => {
    const queue = ["a", "b", "c", "d", "e", "f"].map((key) => pending(key));
    const shardOf = (hashKey: bigint) => (hashKey < 1n << 127n ? "low" : "high");
    const selection = selectBatch(queue, context({ limits: { aggregate: true }, shardFor: shardOf }));
    for (const entry of selection.entries) {
      const shards = new Set(entry.members.map((member) => shardOf(member.hashKey)));
      assert.equal(shards.size, 1);
      assert.equal(entry.predictedShardId, [...shards][0]);
      const users = deaggregate({ SequenceNumber: "1", PartitionKey: entry.entry.PartitionKey, Data: entry.entry.Data });
      assert.deepEqual(users.map((user) => user.PartitionKey), keysOf(entry.members));
    }
    assert.equal(selection.entries.reduce((sum, entry) => sum + entry.members.length, 0), queue.length);
  });

  it("ordered with aggregation: a key's records share one aggregate and never spill into a second in the same batch", () => {
    const queue = [pending("a", 600), pending("a", 600), pending("b", 10)];
    const selection = selectBatch(queue, context({ limits: { aggregate: true, ordered: true, aggregationBytesMax: 1000 }, shardFor: () => "s" }));
    assert.deepEqual(selection.entries.map((entry) => keysOf(entry.members)), [["a", "b"]]);
    assert.deepEqual(keysOf(selection.remaining), ["a"]);
  });
});

describe("client > producer > shard budget", () => {
  it("holds one second of records and bytes and refills at the rate", () => {
    const budget = new ShardBudget(1000, 1024, 0);
    assert.ok(budget.canTake(1000, 1024, 0));
    budget.take(1000, 1024, 0);
    assert.equal(budget.canTake(1, 1, 0), false);
    assert.equal(budget.msUntil(1, 1, 0), 1);
    assert.equal(budget.msUntil(1, 512, 0), 500);
    assert.ok(budget.canTake(1, 512, 500));
  });

  it("lets a record larger than a second's bytes through a full bucket", () => {
    const budget = new ShardBudget(1000, 100, 0);
    assert.ok(budget.canTake(1, 500, 0));
    budget.take(1, 500, 0);
    assert.equal(budget.canTake(1, 1, 1000), false);
    assert.ok(budget.canTake(1, 500, 5000));
  });
});

describe("client > producer > shard map", () => {
  it("finds the open shard whose range holds a hash key", () => {
    const map = new ShardMap([
      { ShardId: "s2", startingHashKey: 200n, endingHashKey: 299n },
      { ShardId: "s0", startingHashKey: 0n, endingHashKey: 99n },
      { ShardId: "s1", startingHashKey: 100n, endingHashKey: 199n },
    ]);
    assert.equal(map.shardFor(0n), "s0");
    assert.equal(map.shardFor(150n), "s1");
    assert.equal(map.shardFor(299n), "s2");
    assert.equal(map.shardFor(300n), undefined);
  });
});

describe("client > producer > backoff", () => {
  it("draws full jitter under an exponentially growing, capped ceiling (seeded)", () => {
    const random = new SeededRandom(11);
    for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [10, 5000]] as const) {
      const delays = Array.from({ length: 200 }, () => jitteredBackoffMs(attempt, random, 100, 5000));
      assert.ok(delays.every((delay) => delay >= 0 && delay < ceiling), `attempt ${attempt}`);
      assert.ok(Math.max(...delays) > ceiling * 0.8, `attempt ${attempt} spreads over its window`);
      assert.ok(new Set(delays).size > 50, `attempt ${attempt} is jittered`);
    }
  });
});
