/**
 * The NATS engine's shard logs (src/storage/nats/nats-logs.ts) against a real nats-server: what
 * the storage case suite cannot show with one node — two nodes (two connections, two LogStores)
 * writing one shard, hearing each other, sealing it — and the paths a small index takes (offsets
 * found by probing sequences), appends larger than max_payload, and trims seen from another node.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type NatsConnection, type SubscriptionOptions } from "nats";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { waitFor } from "../helpers/wait.js";
import type { NatsContext } from "../../src/storage/nats/nats-context.js";
import { openNatsLogs, type NatsLogStore, type NatsLogsOptions } from "../../src/storage/nats/nats-logs.js";
import type { AppendRecord, ShardLog, StoredRecord } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const t0 = 1_700_000_000_000;
const streamId = "0123456789abcdef0123456789abcdef";
let nats: NatsCluster;
let prefixes = 0;
let nodes = 0;
const open: NatsLogStore[] = [];
const connections: NatsContext["nc"][] = [];

/** Closes the nodes opened since `from` (before their cluster stops: a connection left reconnecting to nothing errs later). */
async function closeNodesFrom(from: number): Promise<void> {
  await Promise.all(open.splice(from).map((logs) => logs.close()));
  await Promise.all(connections.splice(from).map((nc) => nc.close()));
}

before(async () => {
  nats = await startNats();
});

after(async () => {
  await Promise.all(open.map((logs) => logs.close()));
  await Promise.all(connections.map((nc) => nc.close()));
  await nats.stop();
});

/** A node: its own connection and LogStore under `prefix`; `advisoryDelayMs` hands it JetStream's advisories that much later, as a loaded machine may. */
async function node(prefix: string, options: NatsLogsOptions = {}, on: NatsCluster = nats, replicas = 1, advisoryDelayMs = 0): Promise<NatsLogStore> {
  const connection = await connect({ servers: on.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  connections.push(connection);
  const nc = advisoryDelayMs > 0 ? delayingAdvisories(connection, advisoryDelayMs) : connection;
  const ctx: NatsContext = { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager(), replicas, prefix, nodeId: `node-${++nodes}`, clock: systemClock, random: new SeededRandom(nodes), logger: silentLogger };
  const logs = await openNatsLogs(ctx, options);
  open.push(logs);
  return logs;
}

function delayingAdvisories(nc: NatsConnection, delayMs: number): NatsConnection {
  return new Proxy(nc, {
    get(target, key) {
      if (key === "subscribe") {
        return (subject: string, options?: SubscriptionOptions) => {
          const callback = options?.callback;
          if (!subject.startsWith("$JS.EVENT.ADVISORY.") || callback === undefined) return target.subscribe(subject, options);
          return target.subscribe(subject, { ...options, callback: (error, message) => setTimeout(() => callback(error, message), delayMs) });
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function freshPrefix(): string {
  return `nl${process.pid}-${++prefixes}`;
}

function record(partitionKey: string, data: string | Buffer): AppendRecord {
  return { partitionKey, data: typeof data === "string" ? Buffer.from(data) : data };
}

async function readAll(log: ShardLog, from = 0, recordsMax = 1000): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (let offset = from; ; ) {
    const page = await log.read(offset, { recordsMax, bytesMax: 16 * 1024 * 1024 });
    if (page.records.length === 0) return out;
    out.push(...page.records);
    offset = page.nextOffset;
  }
}

describe("storage > nats > shard logs", () => {
  it("appends, reads, watches, finds times and trims on one node", async () => {
    const logs = await node(freshPrefix());
    const log = logs.shard(streamId, 0);
    const heard: number[] = [];
    const watch = log.watch((endOffset) => heard.push(endOffset));
    assert.deepEqual(await log.append([record("a", "1"), record("b", "2")], t0), { ok: true, firstOffset: 0, arrivalMs: t0 });
    assert.deepEqual(await log.append([record("c", "3")], t0 + 100), { ok: true, firstOffset: 2, arrivalMs: t0 + 100 });
    assert.deepEqual(heard, [2, 3]);
    assert.deepEqual((await readAll(log)).map((stored) => [stored.offset, stored.partitionKey, stored.data.toString(), stored.arrivalMs]), [[0, "a", "1", t0], [1, "b", "2", t0], [2, "c", "3", t0 + 100]]);
    assert.equal(await log.offsetAtTime(t0 + 1), 2);
    await log.trimBefore(t0 + 50);
    assert.equal(log.startOffset(), 2);
    assert.equal((await log.read(0, { recordsMax: 10, bytesMax: 1000 })).records[0]!.offset, 2);
    watch.stop();
  });

  it("two nodes appending to one shard at once keep one dense order, each writer's in its own order, and each hears the other's appends", async () => {
    const prefix = freshPrefix();
    const [one, two] = [await node(prefix), await node(prefix)];
    const [logOne, logTwo] = [one.shard(streamId, 1), two.shard(streamId, 1)];
    const heardByOne: number[] = [];
    const heardByTwo: number[] = [];
    logOne.watch((endOffset) => heardByOne.push(endOffset));
    logTwo.watch((endOffset) => heardByTwo.push(endOffset));
    const appendsEach = 40;
    const write = (log: ShardLog, name: string) =>
      Promise.all(Array.from({ length: appendsEach }, (_, i) => log.append([record(name, `${name}-${i}-a`), record(name, `${name}-${i}-b`)], t0 + i)));
    const outcomes = (await Promise.all([write(logOne, "one"), write(logTwo, "two")])).flat();
    assert.ok(outcomes.every((outcome) => outcome.ok));
    const firsts = outcomes.map((outcome) => (outcome.ok ? outcome.firstOffset : -1)).sort((a, b) => a - b);
    assert.deepEqual(firsts, Array.from({ length: 2 * appendsEach }, (_, i) => i * 2), "every append has its own two offsets, none shared, none skipped");
    const total = 4 * appendsEach;
    await waitFor("both nodes hear the whole shard", () => logOne.endOffset() === total && logTwo.endOffset() === total);
    const seenByOne = await readAll(logOne, 0, 37);
    const seenByTwo = await readAll(logTwo, 0, 53);
    assert.deepEqual(seenByOne.map((stored) => stored.offset), Array.from({ length: total }, (_, i) => i));
    assert.deepEqual(seenByTwo, seenByOne, "both nodes read the same log");
    for (const name of ["one", "two"]) {
      const own = seenByOne.filter((stored) => stored.partitionKey === name).map((stored) => stored.data.toString());
      assert.deepEqual(own, Array.from({ length: appendsEach }, (_, i) => [`${name}-${i}-a`, `${name}-${i}-b`]).flat(), `${name}'s records in call order`);
    }
    const arrivals = seenByOne.map((stored) => stored.arrivalMs);
    assert.deepEqual([...arrivals].sort((a, b) => a - b), arrivals, "arrival times never go backwards across nodes");
    assert.equal(heardByOne.at(-1), total);
    assert.equal(heardByTwo.at(-1), total);
    assert.deepEqual([...heardByOne].sort((a, b) => a - b), heardByOne);
  });

  it("a seal through one node refuses every later append through both, and reads go on", async () => {
    const prefix = freshPrefix();
    const [one, two] = [await node(prefix), await node(prefix)];
    const [logOne, logTwo] = [one.shard(streamId, 0), two.shard(streamId, 0)];
    assert.equal((await logOne.append([record("k", "before")], t0)).ok, true);
    await waitFor("the second node hears the append", () => logTwo.endOffset() === 1);
    assert.deepEqual(await logOne.seal!(), { ok: true });
    // The second node has not necessarily heard of the seal: its append must still be refused.
    const late = await logTwo.append([record("k", "after")], t0 + 1);
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.failure.kind, "closed");
    const again = await logOne.append([record("k", "again")], t0 + 2);
    assert.equal(!again.ok && again.failure.kind, "closed");
    assert.deepEqual(await logTwo.seal!(), { ok: true }, "sealing again is harmless");
    assert.deepEqual((await readAll(logTwo)).map((stored) => stored.data.toString()), ["before"]);
    assert.equal(logOne.endOffset(), 1);
    assert.equal(logTwo.endOffset(), 1);
    assert.equal(await logTwo.offsetAtTime(t0 + 1), 1);
  });

  it("appends queued before a seal land, and those after it fail", async () => {
    const log = (await node(freshPrefix())).shard(streamId, 2);
    const [first, seal, last] = await Promise.all([log.append([record("k", "1")], t0), log.seal!(), log.append([record("k", "2")], t0)]);
    assert.equal(first.ok, true);
    assert.deepEqual(seal, { ok: true });
    assert.equal(!last.ok && last.failure.kind, "closed");
  });

  it("a node with a small index finds any offset and time by probing, and reads another node's log page by page", async () => {
    const prefix = freshPrefix();
    const writer = (await node(prefix)).shard(streamId, 0);
    const other = (await node(prefix)).shard(streamId, 3);
    for (let batch = 0; batch < 60; batch++) {
      assert.equal((await writer.append(Array.from({ length: 5 }, (_, i) => record(`k${i}`, `${batch}:${i}`)), t0 + batch * 10)).ok, true);
      // Interleave another shard's messages, so the shard's sequences are not consecutive.
      if (batch % 3 === 0) await other.append([record("x", "y")], t0 + batch * 10);
    }
    const reader = (await node(prefix, { indexEntriesMax: 2 })).shard(streamId, 0);
    assert.equal(reader.endOffset(), 300);
    for (const from of [0, 1, 4, 5, 149, 150, 151, 298, 299]) {
      const page = await reader.read(from, { recordsMax: 3, bytesMax: 1000 });
      assert.deepEqual(page.records.map((stored) => stored.offset), [from, from + 1, from + 2].filter((offset) => offset < 300), `from ${from}`);
      assert.equal(page.records[0]!.data.toString(), `${Math.floor(from / 5)}:${from % 5}`);
    }
    assert.deepEqual((await readAll(reader, 0, 7)).map((stored) => stored.offset), Array.from({ length: 300 }, (_, i) => i));
    for (const [time, offset] of [[t0 - 1, 0], [t0, 0], [t0 + 1, 5], [t0 + 10, 5], [t0 + 295, 150], [t0 + 590, 295], [t0 + 591, 300]] as const) {
      assert.equal(await reader.offsetAtTime(time), offset, `at ${time - t0}`);
    }
    await reader.trimBefore(t0 + 300);
    assert.equal(reader.startOffset(), 150);
    // The writer's node did not trim: its first read below the new start finds where the log starts now.
    const page = await writer.read(0, { recordsMax: 2, bytesMax: 1000 });
    assert.deepEqual(page.records.map((stored) => stored.offset), [150, 151]);
    assert.equal(writer.startOffset(), 150);
  });

  it("a node's follower comes back after its server restarts, and hears what another node appends then", async () => {
    const prefix = freshPrefix();
    const [one, two] = [await node(prefix), await node(prefix)];
    assert.equal((await one.shard(streamId, 0).append([record("k", "before")], t0)).ok, true);
    await waitFor("the second node hears the first append", () => two.shard(streamId, 0).endOffset() === 1);
    const heard: number[] = [];
    two.shard(streamId, 0).watch((endOffset) => heard.push(endOffset));
    // The follower's consumer lives in the server's memory: a restart loses it.
    await nats.kill(0);
    await nats.restart(0);
    const outcome = await one.shard(streamId, 0).append([record("k", "after")], t0 + 1);
    assert.deepEqual(outcome, { ok: true, firstOffset: 1, arrivalMs: t0 + 1 });
    await waitFor("the second node hears the append made after the restart", () => heard.at(-1) === 2, 30_000);
    assert.deepEqual((await two.shard(streamId, 0).read(1, { recordsMax: 10, bytesMax: 1000 })).records.map((stored) => stored.data.toString()), ["after"]);
  });

  it("a stream dropped here and begun again before its drop's advisory comes keeps its new log (the advisory of this node's own drop forgets nothing)", async () => {
    // The advisory reaches the node 500 ms late, after the log has begun again here (a CI run's
    // loaded machine did this: the append then failed as "dropped").
    const logs = await node(freshPrefix(), {}, nats, 1, 500);
    assert.equal((await logs.shard(streamId, 0).append([record("a", "1")], t0)).ok, true);
    await logs.dropStream(streamId);
    const log = logs.shard(streamId, 0);
    assert.equal(log.endOffset(), 0);
    const heard: number[] = [];
    log.watch((endOffset) => heard.push(endOffset));
    // Past the advisory's delay, and time for the node to act on it.
    await systemClock.sleep(1000);
    assert.deepEqual(await log.append([record("b", "2")], t0 + 1), { ok: true, firstOffset: 0, arrivalMs: t0 + 1 });
    assert.deepEqual(heard, [1]);
  });

  it("a stream another node drops is forgotten here: the shard starts empty, and an append begins it again", async () => {
    const prefix = freshPrefix();
    const [one, two] = [await node(prefix), await node(prefix)];
    assert.equal((await one.shard(streamId, 0).append([record("a", "1"), record("b", "2")], t0)).ok, true);
    const theirs = two.shard(streamId, 0);
    await waitFor("the other node hears the append", () => theirs.endOffset() === 2);
    await one.dropStream(streamId);
    await waitFor("the other node forgets the dropped stream", () => theirs.endOffset() === 0);
    assert.deepEqual(await theirs.append([record("c", "3")], t0 + 1), { ok: true, firstOffset: 0, arrivalMs: t0 + 1 });
    assert.deepEqual((await readAll(one.shard(streamId, 0))).map((stored) => stored.data.toString()), ["3"]);
  });

  it("keeps an append larger than max_payload whole, in chunks, for every node", async () => {
    const prefix = freshPrefix();
    const [one, two] = [await node(prefix), await node(prefix)];
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0x5a);
    big[1_500_000] = 1;
    const records = [record("small", "s"), record("big", big), record("after", "a")];
    assert.deepEqual(await one.shard(streamId, 0).append(records, t0), { ok: true, firstOffset: 0, arrivalMs: t0 });
    assert.equal((await one.shard(streamId, 0).append([record("next", "n")], t0 + 1)).ok, true);
    const log = two.shard(streamId, 0);
    await waitFor("the second node hears both appends", () => log.endOffset() === 4);
    const stored = await readAll(log);
    assert.deepEqual(stored.map((item) => item.partitionKey), ["small", "big", "after", "next"]);
    assert.ok(stored[1]!.data.equals(big));
    await log.trimBefore(t0 + 1);
    assert.equal(log.startOffset(), 3);
    assert.deepEqual((await readAll(one.shard(streamId, 0))).map((item) => item.partitionKey), ["next"]);
  });

  it("a trim that keeps a shard's first message, chunked, keeps its chunks (a purge below sequence 1 is none)", async () => {
    const prefix = freshPrefix();
    const logs = await node(prefix);
    const log = logs.shard(streamId, 0);
    const big = Buffer.alloc(2 * 1024 * 1024 + 3, 0x2b);
    assert.equal((await log.append([record("big", big)], t0)).ok, true);
    // The retention's cutoff lies before every record: the first message, whose chunks are the
    // stream's sequences 1 and on, is the one kept.
    await log.trimBefore(t0 - 1000);
    const stored = await readAll(log);
    assert.equal(stored.length, 1);
    assert.ok(stored[0]!.data.equals(big));
  });
});

describe("storage > nats > shard logs on a 3-server cluster", () => {
  it("keeps every acknowledged append exactly once, dense and in each writer's order, through a kill -9 of the stream's leader under writes from two nodes", async () => {
    const cluster = await startNats({ servers: 3 });
    const firstNode = open.length;
    try {
      const prefix = freshPrefix();
      const [one, two] = [await node(prefix, {}, cluster, 3), await node(prefix, {}, cluster, 3)];
      assert.equal((await one.shard(streamId, 0).append([record("setup", "0")], t0)).ok, true);
      const acked = new Map<string, number[]>();
      let failed = 0;
      let stop = false;
      const writer = async (logs: NatsLogStore, name: string) => {
        const log = logs.shard(streamId, 0);
        acked.set(name, []);
        for (let i = 0; !stop; i++) {
          const outcome = await log.append([record(name, `${name}:${i}`)], t0 + i);
          if (outcome.ok) acked.get(name)!.push(i);
          else failed++;
        }
      };
      const writers = [writer(one, "a"), writer(one, "b"), writer(two, "c"), writer(two, "d")];
      await waitFor("appends before the kill", () => [...acked.values()].every((list) => list.length >= 20), 30_000);
      const leader = await cluster.streamLeader(`${prefix}-log-${streamId}`);
      await cluster.kill(leader);
      const before = [...acked.values()].reduce((sum, list) => sum + list.length, 0);
      await waitFor("appends after the kill", () => [...acked.values()].reduce((sum, list) => sum + list.length, 0) >= before + 100, 60_000);
      stop = true;
      await Promise.all(writers);
      await cluster.restart(leader);
      const reader = (await node(prefix, { indexEntriesMax: 16 }, cluster, 3)).shard(streamId, 0);
      const stored = await readAll(reader, 0, 250);
      assert.deepEqual(stored.map((item) => item.offset), Array.from({ length: stored.length }, (_, i) => i), "offsets dense from 0");
      assert.equal(reader.endOffset(), stored.length);
      const seen = new Set<string>();
      for (const item of stored) {
        const text = item.data.toString();
        assert.ok(!seen.has(text), `${text} stored twice`);
        seen.add(text);
      }
      for (const [name, list] of acked) {
        const order = stored.filter((item) => item.partitionKey === name).map((item) => Number(item.data.toString().split(":")[1]));
        assert.deepEqual([...order].sort((x, y) => x - y), order, `${name}'s records in call order`);
        for (const i of list) assert.ok(seen.has(`${name}:${i}`), `acknowledged ${name}:${i} is stored`);
      }
      // Both writing nodes' followers came through the kill (a consumer on the killed server is made again).
      await waitFor("both nodes see the whole shard", () => one.shard(streamId, 0).endOffset() === stored.length && two.shard(streamId, 0).endOffset() === stored.length, 30_000);
      // Failures are allowed (a publish that stayed unanswered ~30 s); there must not be many.
      assert.ok(failed <= 4, `${failed} appends failed`);
    } finally {
      await closeNodesFrom(firstNode);
      await cluster.stop();
    }
  });
});
