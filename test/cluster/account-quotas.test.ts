/**
 * The account's stream quotas on two Tributary nodes over one NATS engine (a real nats-server, one
 * NatsEngine per node on the same prefix, so each node reads its own watch-fed copy of the
 * catalog): creations made at once through both nodes are admitted by a compare-and-set of the
 * account's quota record (src/streams/quota/account-quota.ts), so exactly the limit's worth pass
 * and the rest are refused in AWS's words; a claim left by a creation that never stored its stream
 * lapses after claimGraceMs, and one younger still counts.
 *
 * Each node hears the catalog's changes `watchLagMs` late (`laggingWatch`), as a node on another
 * machine would: on one loopback server the nodes hear each other within a millisecond or two, and
 * counting from each node's copy (what the service did before the quota record) overshot the
 * limits only now and then; with the lag it overshoots every time.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createNatsEngine, type NatsEngine } from "../../src/storage/nats/nats-engine.js";
import type { CasOutcome, Catalog, CatalogChange, StorageEngine, WriteOutcome } from "../../src/storage/types.js";
import { claimGraceMs, quotaAccountOf, type QuotaRecord } from "../../src/streams/quota/account-quota.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { jsonCall } from "../helpers/raw.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ok } from "../helpers/wire-assert.js";
import { waitFor } from "../helpers/wait.js";

const shardLimit = 20;
const watchLagMs = 50;

/**
 * The engine with its catalog's watch delivering each change `lagMs` late, in order. A write still
 * resolves only once its own change has been delivered (the Catalog contract: a node reads its own
 * writes), by waiting for everything announced before it resolved.
 */
function laggingWatch(engine: StorageEngine, lagMs: number): StorageEngine {
  const inner = engine.catalog;
  let delivered: Promise<void> = Promise.resolve();
  const listeners = new Set<(change: CatalogChange<object, object>) => void>();
  inner.watch((change) => {
    const due = Date.now() + lagMs;
    delivered = delivered.then(() => new Promise<void>((resolve) => setTimeout(() => {
      for (const listener of listeners) listener(change);
      resolve();
    }, Math.max(0, due - Date.now()))));
  });
  const settled = async <T>(outcome: Promise<T>): Promise<T> => {
    const result = await outcome;
    await delivered;
    return result;
  };
  const catalog: Catalog = {
    list: (accountId) => inner.list(accountId),
    get: (accountId, name) => inner.get(accountId, name),
    put: ((accountId: string, name: string, entry: object, expect?: { expectedRevision: number | "absent" }) =>
      settled<WriteOutcome | CasOutcome>(expect === undefined ? inner.put(accountId, name, entry) : inner.put(accountId, name, entry, expect))) as Catalog["put"],
    remove: ((accountId: string, name: string, expect?: { expectedRevision: number | "absent" }) =>
      settled<WriteOutcome | CasOutcome>(expect === undefined ? inner.remove(accountId, name) : inner.remove(accountId, name, expect))) as Catalog["remove"],
    accountSettings: (accountId) => inner.accountSettings(accountId),
    putAccountSettings: (accountId, settings) => settled(inner.putAccountSettings(accountId, settings)),
    secret: () => inner.secret(),
    watch(listener) {
      // The present state at once (the engine's copy is loaded), then changes as they are delivered.
      const replay = inner.watch(listener);
      replay.stop();
      listeners.add(listener);
      return { ready: Promise.resolve(), stop: () => listeners.delete(listener) };
    },
  };
  return { name: engine.name, catalog, logs: engine.logs, tables: engine.tables, objects: engine.objects, close: () => engine.close() };
}
const onDemandLimit = 50;

describe("cluster > account quotas over two nodes on one NATS engine", () => {
  let nats: NatsCluster;
  const engines: NatsEngine[] = [];
  const nodes: TestServer[] = [];
  before(async () => {
    nats = await startNats();
    for (const seed of [1, 2]) {
      // A seed per engine: each engine's node id comes from it, and two nodes must not share one.
      const engine = await createNatsEngine({ servers: nats.urls, prefix: "quota" }, { clock: systemClock, random: new SeededRandom(seed), logger: silentLogger });
      engines.push(engine);
      nodes.push(await startTestServer({ storage: laggingWatch(engine, watchLagMs), random: new SeededRandom(10 + seed), streams: { shardLimit } }));
    }
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    for (const engine of engines) await engine.close();
    await nats?.stop();
  });

  const onDemandMessage = (node: TestServer, current: number) =>
    `This request would exceed the on-demand stream limit for the account ${node.accountId} in ${node.region}. ` +
    `Current on-demand stream count for the account: ${current}. Limit: ${onDemandLimit}. ` +
    "Number of additional on-demand streams that would have resulted from this request: 1. " +
    "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.";
  const shardMessage = (node: TestServer, current: number, additional: number) =>
    `This request would exceed the shard limit for the account ${node.accountId} in ${node.region}. ` +
    `Current shard count for the account: ${current}. Limit: ${shardLimit}. Number of additional shards that would have resulted from this request: ${additional}. ` +
    "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
    "for current limits and how to request higher limits.";

  /** Every stream name node lists (its own copy of the catalog). */
  async function listed(node: TestServer): Promise<Set<string>> {
    return new Set((await ok(node, "ListStreams", { Limit: 10_000 })).StreamNames as string[]);
  }

  /** Creates every body at once, alternately through A and B; the names created and the refusals' bodies. */
  async function createAtOnce(bodies: readonly Record<string, unknown>[]): Promise<{ created: string[]; refused: { node: TestServer; body: unknown; statusCode: number }[] }> {
    const answers = await Promise.all(bodies.map(async (body, index) => {
      const node = nodes[index % 2]!;
      return { node, body, name: body["StreamName"] as string, response: await jsonCall(node.url, "CreateStream", body) };
    }));
    return {
      created: answers.filter((answer) => answer.response.statusCode === 200).map((answer) => answer.name),
      refused: answers.filter((answer) => answer.response.statusCode !== 200).map((answer) => ({ node: answer.node, body: answer.response.body, statusCode: answer.response.statusCode })),
    };
  }

  /** Waits until both nodes list every name in `names`, then asserts they list exactly those among `among`. */
  async function existExactly(names: readonly string[], among: readonly string[]): Promise<void> {
    for (const node of nodes) {
      await waitFor(`${node.url} lists the ${names.length} streams created`, async () => {
        const seen = await listed(node);
        return names.every((name) => seen.has(name));
      }, 30_000, 50);
      const seen = await listed(node);
      assert.deepEqual(among.filter((name) => seen.has(name)).sort(), [...names].sort(), `the streams ${node.url} lists`);
    }
  }

  /** The account's quota record as node `index`'s engine holds it (read it through the node that wrote last). */
  async function quotaRecord(index: number): Promise<QuotaRecord> {
    const record = (await engines[index]!.catalog.get(quotaAccountOf(nodes[0]!.accountId), "streams")) as QuotaRecord | undefined;
    assert.ok(record !== undefined, "the account has a quota record");
    return record;
  }

  it(`admits exactly ${onDemandLimit} of 60 ON_DEMAND creations made at once through A and B, and refuses the rest in AWS's words`, { timeout: 120_000 }, async () => {
    const names = Array.from({ length: 60 }, (_, index) => `on-demand-${index}`);
    // Explicit and by default (a bare CreateStream is ON_DEMAND), as the conformance test makes them.
    const { created, refused } = await createAtOnce(names.map((StreamName, index) => (index % 4 < 2 ? { StreamName } : { StreamName, StreamModeDetails: { StreamMode: "ON_DEMAND" } })));
    assert.equal(created.length, onDemandLimit, `created: ${created.length}; refused: ${JSON.stringify(refused.map((answer) => answer.body)).slice(0, 2000)}`);
    assert.equal(refused.length, 60 - onDemandLimit);
    for (const answer of refused) {
      assert.equal(answer.statusCode, 400);
      assert.deepEqual(answer.body, { __type: "LimitExceededException", message: onDemandMessage(answer.node, onDemandLimit) });
    }
    await existExactly(created, names);
    for (const node of nodes) assert.equal((await ok(node, "DescribeLimits", {})).OnDemandStreamCount, onDemandLimit, `DescribeLimits through ${node.url}`);
  });

  it(`admits exactly ${shardLimit} shards of 30 one-shard PROVISIONED creations made at once through A and B`, { timeout: 120_000 }, async () => {
    const names = Array.from({ length: 30 }, (_, index) => `provisioned-${index}`);
    const { created, refused } = await createAtOnce(names.map((StreamName) => ({ StreamName, ShardCount: 1 })));
    assert.equal(created.length, shardLimit, `created: ${created.length}; refused: ${JSON.stringify(refused.map((answer) => answer.body)).slice(0, 2000)}`);
    for (const answer of refused) {
      assert.equal(answer.statusCode, 400);
      assert.deepEqual(answer.body, { __type: "LimitExceededException", message: shardMessage(answer.node, shardLimit, 1) });
    }
    await existExactly(created, names);
    for (const node of nodes) assert.equal((await ok(node, "DescribeLimits", {})).OpenShardCount, shardLimit, `DescribeLimits through ${node.url}`);
  });

  it("frees a deleted stream's place for a creation through the other node at once", { timeout: 60_000 }, async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const onDemand = [...(await listed(a))].filter((name) => name.startsWith("on-demand-")).sort();
    await ok(b, "DeleteStream", { StreamName: onDemand[0] });
    await ok(a, "CreateStream", { StreamName: "after-delete" });
    const refusal = await jsonCall(b.url, "CreateStream", { StreamName: "one-more" });
    assert.deepEqual(refusal.body, { __type: "LimitExceededException", message: onDemandMessage(b, onDemandLimit) });
    // And a shard the other node let go of (a PROVISIONED stream switched to ON_DEMAND would take an on-demand place: deleted instead).
    const provisioned = [...(await listed(b))].filter((name) => name.startsWith("provisioned-")).sort();
    await ok(a, "DeleteStream", { StreamName: provisioned[0] });
    await ok(b, "CreateStream", { StreamName: "after-delete-provisioned", ShardCount: 1 });
    const shardRefusal = await jsonCall(a.url, "CreateStream", { StreamName: "one-more", ShardCount: 1 });
    assert.deepEqual(shardRefusal.body, { __type: "LimitExceededException", message: shardMessage(a, shardLimit, 1) });
  });

  it(`lets a claim no stored stream backs lapse after claimGraceMs, and counts a younger one`, { timeout: 60_000 }, async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const recordAccount = quotaAccountOf(a.accountId);
    /** A creation that claimed its place and never stored its stream (its node died): planted in the record. */
    const plantGhost = async (index: number, streamId: string, atMs: number) => {
      const record = await quotaRecord(index);
      const claims = { ...record.claims, [streamId]: { StreamName: `ghost-${streamId.slice(0, 4)}`, onDemand: true, shards: 0, atMs } };
      const outcome = await engines[index]!.catalog.put(recordAccount, "streams", { ...record, claims });
      assert.ok(outcome.ok);
    };
    const onDemandStreams = async () => [...(await listed(a))].filter((name) => name.startsWith("on-demand-")).sort();
    // At the limit: one stream deleted and an old ghost planted keeps the record at the limit.
    await ok(a, "DeleteStream", { StreamName: (await onDemandStreams())[0] });
    await plantGhost(0, "a".repeat(32), Date.now() - claimGraceMs - 1000);
    await ok(b, "CreateStream", { StreamName: "after-old-ghost" });
    assert.equal((await quotaRecord(1)).claims["a".repeat(32)], undefined, "the lapsed claim is dropped");
    // A young ghost is a creation in flight: it keeps its place.
    await ok(b, "DeleteStream", { StreamName: (await onDemandStreams())[0] });
    await plantGhost(1, "b".repeat(32), Date.now());
    const refusal = await jsonCall(a.url, "CreateStream", { StreamName: "after-young-ghost" });
    assert.deepEqual(refusal.body, { __type: "LimitExceededException", message: onDemandMessage(a, onDemandLimit) });
    assert.ok((await quotaRecord(0)).claims["b".repeat(32)] !== undefined, "the young claim is kept");
  });
  it("claims a split's new shard and gives back a merge's with every node: at the last free shard, a split through A and a creation through B admit one", { timeout: 90_000 }, async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const provisioned = [...(await listed(a))].filter((name) => name.startsWith("provisioned-")).sort();
    const [target, freed] = [provisioned[0]!, provisioned[1]!];
    await ok(a, "DeleteStream", { StreamName: freed });
    const split = () => jsonCall(a.url, "SplitShard", { StreamName: target, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() });
    const [splitAnswer, createAnswer] = await Promise.all([split(), jsonCall(b.url, "CreateStream", { StreamName: "racing-split", ShardCount: 1 })]);
    const answers = [splitAnswer, createAnswer].map((answer) => answer.statusCode);
    assert.deepEqual([...answers].sort(), [200, 400], `split ${JSON.stringify(splitAnswer.body)}, creation ${JSON.stringify(createAnswer.body)}`);
    const [refused, through] = splitAnswer.statusCode === 200 ? [createAnswer, b] : [splitAnswer, a];
    assert.deepEqual(refused.body, { __type: "LimitExceededException", message: shardMessage(through, shardLimit, 1) });
    // The split stored (made again if the creation won), a merge of its children gives the shard back to either node.
    if (splitAnswer.statusCode !== 200) {
      await ok(b, "DeleteStream", { StreamName: "racing-split" });
      await ok(a, "SplitShard", { StreamName: target, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() });
    }
    const active = (node: TestServer, openShards: number) => async () => {
      const summary = (await ok(node, "DescribeStreamSummary", { StreamName: target })).StreamDescriptionSummary;
      return summary.StreamStatus === "ACTIVE" && summary.OpenShardCount === openShards;
    };
    await waitFor(`${target} split`, active(b, 2), 30_000, 50);
    const full = await jsonCall(b.url, "CreateStream", { StreamName: "over-split", ShardCount: 1 });
    assert.deepEqual(full.body, { __type: "LimitExceededException", message: shardMessage(b, shardLimit, 1) });
    await ok(b, "MergeShards", { StreamName: target, ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000002" });
    await waitFor(`${target} merged`, active(a, 1), 30_000, 50);
    await ok(a, "CreateStream", { StreamName: "after-merge", ShardCount: 1 });
    const again = await jsonCall(b.url, "CreateStream", { StreamName: "over-merge", ShardCount: 1 });
    assert.deepEqual(again.body, { __type: "LimitExceededException", message: shardMessage(b, shardLimit, 1) });
  });
});
