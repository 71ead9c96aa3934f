/**
 * Read-your-writes across nodes (docs/cluster.md): two apps over one memory engine, node B's
 * catalog copy and shard-log view lagging as a cluster node's may (its watch has not yet
 * delivered node A's writes; its log follower has not yet seen A's last appends).
 *
 * - A stream and a consumer made through A are found through B at once: B answers "not found"
 *   only after its copy has caught up (Catalog.sync, src/streams/catalog-read-through.ts).
 * - A parent shard whose end B's log view has not reached yet: SubscribeToShard through B sends
 *   every record, then ChildShards (the pump seals again, which brings the log's end into view).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand, ResourceNotFoundException, SplitShardCommand, type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { CasOutcome, Catalog, CatalogChange, Expectation, LogStore, ReadLimits, ShardLog, WriteOutcome } from "../../src/storage/types.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";
import { registerConsumer, subscribe } from "../helpers/subscription.js";
import { nodeEngine, SharedSeals } from "./cluster-helpers.js";

/**
 * A catalog whose watchers hear of other writers' changes only at the next `sync` (as a cluster
 * node's copy follows the store a moment later); this handle's own writes are announced as made.
 */
class LaggingCatalog {
  private readonly held: { listener: (change: CatalogChange<object, object>) => void; change: CatalogChange<object, object> }[] = [];
  private ownWrites = 0;
  private announcing = false;
  /** Calls of `sync` so far, and how many found the copy behind. */
  syncs = 0;
  syncsBehind = 0;

  constructor(private readonly inner: Catalog) {}

  view(): Catalog {
    const inner = this.inner;
    const own = <T>(write: () => Promise<T>): Promise<T> => {
      this.release();
      this.ownWrites++;
      return write().finally(() => this.ownWrites--);
    };
    return {
      list: (accountId) => inner.list(accountId),
      get: (accountId, name) => inner.get(accountId, name),
      put: ((accountId: string, name: string, entry: object, expect?: Expectation) =>
        own<WriteOutcome | CasOutcome>(() => (expect === undefined ? inner.put(accountId, name, entry) : inner.put(accountId, name, entry, expect)))) as Catalog["put"],
      remove: ((accountId: string, name: string, expect?: Expectation) =>
        own<WriteOutcome | CasOutcome>(() => (expect === undefined ? inner.remove(accountId, name) : inner.remove(accountId, name, expect)))) as Catalog["remove"],
      accountSettings: (accountId) => inner.accountSettings(accountId),
      putAccountSettings: (accountId, settings) => own(() => inner.putAccountSettings(accountId, settings)),
      secret: () => inner.secret(),
      watch: (listener) => {
        // The present state is announced inside watch: it passes.
        this.announcing = true;
        try {
          return inner.watch((change) => (this.announcing || this.ownWrites > 0 ? listener(change) : this.held.push({ listener, change })));
        } finally {
          this.announcing = false;
        }
      },
      sync: async () => {
        this.syncs++;
        const behind = this.release();
        if (behind) this.syncsBehind++;
        return behind;
      },
    };
  }

  /** Delivers what was held, in order; whether there was any. */
  private release(): boolean {
    const held = this.held.splice(0);
    for (const { listener, change } of held) listener(change);
    return held.length > 0;
  }
}

/** Shard logs whose end, for one shard, this node sees no further than `visibleEnd` until the shard is sealed through it. */
function laggingLogs(logs: LogStore): { logs: LogStore; lag(streamId: string, shardIndex: number, visibleEnd: number): void } {
  const lagging = new Map<string, number>();
  const wrap = (log: ShardLog, key: string): ShardLog => {
    const end = () => Math.min(log.endOffset(), lagging.get(key) ?? Infinity);
    return {
      append: (records, arrivalMs) => log.append(records, arrivalMs),
      // A read stops at the end this node sees, as the NATS engine's reads do.
      read: async (fromOffset: number, limits: ReadLimits) => {
        const visible = end();
        if (fromOffset >= visible) return { records: [], nextOffset: fromOffset };
        return log.read(fromOffset, { ...limits, recordsMax: Math.min(limits.recordsMax, visible - fromOffset) });
      },
      offsetAtTime: (timestampMs) => log.offsetAtTime(timestampMs),
      startOffset: () => log.startOffset(),
      endOffset: end,
      trimBefore: (cutoffMs) => log.trimBefore(cutoffMs),
      watch: (listener) => log.watch(listener),
      seal: async () => {
        const outcome = await log.seal!();
        lagging.delete(key);
        return outcome;
      },
    };
  };
  return {
    logs: { shard: (streamId, shardIndex) => wrap(logs.shard(streamId, shardIndex), `${streamId}/${shardIndex}`), dropStream: (streamId) => logs.dropStream(streamId) },
    lag: (streamId, shardIndex, visibleEnd) => void lagging.set(`${streamId}/${shardIndex}`, visibleEnd),
  };
}

describe("cluster > read-your-writes across nodes", () => {
  const shared = createMemoryEngine(systemRandom);
  const seals = new SharedSeals();
  const laggingCatalog = new LaggingCatalog(shared.catalog);
  let lagLog: (streamId: string, shardIndex: number, visibleEnd: number) => void;
  let a: TestServer;
  let b: TestServer;
  let kinesisA: KinesisClient;
  let kinesisB: KinesisClient;
  before(async () => {
    const nodeA = nodeEngine(shared, seals);
    const nodeB = nodeEngine(shared, seals);
    const logsB = laggingLogs(nodeB.engine.logs);
    lagLog = logsB.lag;
    a = await startTestServer({ storage: nodeA.engine, random: new SeededRandom(1) });
    b = await startTestServer({ storage: { ...nodeB.engine, catalog: laggingCatalog.view(), logs: logsB.logs }, random: new SeededRandom(2) });
    kinesisA = kinesisClient(a);
    kinesisB = kinesisClient(b);
  });
  after(async () => {
    kinesisA.destroy();
    kinesisB.destroy();
    await a.stop();
    await b.stop();
  });

  it("a stream made through A is described through B at once; one that does not exist is still not found", async () => {
    const streamName = randomStreamName("ryw-stream");
    await kinesisA.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await waitUntilActive(kinesisA, streamName);
    const behind = laggingCatalog.syncsBehind;
    const summary = await kinesisB.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    assert.equal(summary.StreamDescriptionSummary?.StreamName, streamName);
    assert.equal(laggingCatalog.syncsBehind, behind + 1, "B's copy was behind, and caught up before it answered");

    const syncs = laggingCatalog.syncs;
    await assert.rejects(kinesisB.send(new DescribeStreamSummaryCommand({ StreamName: randomStreamName("ryw-missing") })), ResourceNotFoundException);
    assert.equal(laggingCatalog.syncs, syncs + 1, "a miss asks once, and stands");
  });

  it("SubscribeToShard through B, with a consumer registered and a split made through A, sends every record of the parent, then ChildShards", async () => {
    const streamName = randomStreamName("ryw-split");
    await kinesisA.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await waitUntilActive(kinesisA, streamName);
    const consumerArn = await registerConsumer(a, streamName, "lineage");
    const written: string[] = [];
    for (let index = 0; index < 6; index++) {
      const data = `record-${index}`;
      await kinesisA.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: data, Data: Buffer.from(data) }));
      written.push(data);
    }
    await kinesisA.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
    await waitUntilActive(kinesisA, streamName);
    // B's log view of the parent ends after its second record: A's last appends have not reached it.
    const streamId = (await shared.catalog.list()).map((entry) => entry as { StreamName?: string; streamId?: string }).find((entry) => entry.StreamName === streamName)!.streamId!;
    lagLog(streamId, 0, 2);

    const parent = await subscribe(kinesisB, consumerArn, "shardId-000000000000", { Type: "TRIM_HORIZON" });
    assert.equal(await parent.ended(), undefined);
    assert.deepEqual(parent.data(), written);
    const last = parent.events[parent.events.length - 1]!;
    assert.equal(last.ContinuationSequenceNumber, undefined);
    assert.deepEqual(last.ChildShards?.map((child) => child.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
  });
});
