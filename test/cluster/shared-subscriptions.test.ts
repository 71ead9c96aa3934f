/**
 * SubscribeToShard's one-subscription rule across two nodes in one process (two servers over one
 * memory engine, cluster-helpers.ts, on one hand-moved clock): the catalog's subscription record
 * (src/streams/subscriptions/shared-claims.ts) refuses a call through B within 5 seconds of one
 * through A, lets a later one take over and ends A's, is removed once its subscription ends, and
 * is swept once it lapses; a process-local engine writes no record. The same scenario on a real
 * NATS cluster is test/cluster/subscriptions.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PutRecordCommand, ResourceInUseException, type KinesisClient } from "@aws-sdk/client-kinesis";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import {
  recordLapseMs, subscriptionAccountOf, subscriptionNamespace, Subscriptions, type SubscriptionRecord,
} from "../../src/streams/subscriptions/index.js";
import { ServiceError } from "../../src/protocol/service-error.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { registerConsumer, subscribe, type Subscription } from "../helpers/subscription.js";
import { ok } from "../helpers/wire-assert.js";
import { waitFor } from "../helpers/wait.js";
import { nodeEngine, SharedSeals } from "./cluster-helpers.js";

const shard0 = "shardId-000000000000";
const position = { Type: "LATEST" as const };

async function subscriptionRecords(engine: StorageEngine): Promise<SubscriptionRecord[]> {
  return (await engine.catalog.list()).filter((entry) => (entry as { accountId: string }).accountId.startsWith(`${subscriptionNamespace}@`)) as SubscriptionRecord[];
}

async function refused(attempt: Promise<Subscription>, message: string): Promise<void> {
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof ResourceInUseException, `answered ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

describe("cluster > subscriptions across nodes (in process)", () => {
  const shared = createMemoryEngine(systemRandom);
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  let a: TestServer;
  let b: TestServer;
  let clientA: KinesisClient;
  let clientB: KinesisClient;
  const tick = () => {
    a.app!.streams.context.subscriptions.tick();
    b.app!.streams.context.subscriptions.tick();
  };
  before(async () => {
    const seals = new SharedSeals();
    a = await startTestServer({ storage: nodeEngine(shared, seals).engine, clock, random: new SeededRandom(1) });
    b = await startTestServer({ storage: nodeEngine(shared, seals).engine, clock, random: new SeededRandom(2) });
    clientA = kinesisClient(a);
    clientB = kinesisClient(b);
  });
  after(async () => {
    clientA.destroy();
    clientB.destroy();
    await a.stop();
    await b.stop();
  });

  async function consumerOn(label: string): Promise<{ streamName: string; consumerArn: string; message: string }> {
    const streamName = randomStreamName(label);
    await ok(a, "CreateStream", { StreamName: streamName, ShardCount: 1 });
    const consumerArn = await registerConsumer(a, streamName, label);
    return { streamName, consumerArn, message: `Another active subscription exists for this consumer: ${a.accountId}:${streamName}:${shard0}:${label}` };
  }

  it("refuses a call through B within 5 seconds of one through A, then lets B take over and ends A's", async () => {
    const { streamName, consumerArn, message } = await consumerOn("takeover");
    const first = await subscribe(clientA, consumerArn, shard0, position);
    clock.advance(4999);
    await refused(subscribe(clientB, consumerArn, shard0, position), message);
    clock.advance(1);
    const second = await subscribe(clientB, consumerArn, shard0, position);
    const error = await first.ended();
    assert.ok(error instanceof ResourceInUseException, `A's subscription ended with ${String(error)}`);
    assert.equal(error.message, message);
    await clientA.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "k", Data: Buffer.from("to-b") }));
    await second.until(() => second.records().length > 0, "a record on B's subscription");
    assert.deepEqual(second.data(), ["to-b"]);
    assert.equal(a.app!.streams.context.subscriptions.activeCount(), 0);
    await second.close();
    await waitFor("B's subscription released", () => b.app!.streams.context.subscriptions.activeCount() === 0);
    // B's record goes 5 seconds after its start; A's was replaced, so only one was ever left.
    clock.advance(5000);
    tick();
    await waitFor("the record removed", async () => (await subscriptionRecords(shared)).length === 0);
  });

  it("keeps refusing through B for 5 seconds after A's client closed, and leaves no record after", async () => {
    const { consumerArn, message } = await consumerOn("closed");
    const first = await subscribe(clientA, consumerArn, shard0, position);
    await first.close();
    await waitFor("A's subscription released", () => a.app!.streams.context.subscriptions.activeCount() === 0);
    await refused(subscribe(clientB, consumerArn, shard0, position), message);
    assert.equal((await subscriptionRecords(shared)).length, 1);
    clock.advance(5000);
    tick();
    await waitFor("the record removed", async () => (await subscriptionRecords(shared)).length === 0);
    const again = await subscribe(clientB, consumerArn, shard0, position);
    await again.close();
    await waitFor("B's subscription released", () => b.app!.streams.context.subscriptions.activeCount() === 0);
    clock.advance(5000);
    tick();
    await waitFor("the record removed", async () => (await subscriptionRecords(shared)).length === 0);
  });

  it("admits exactly one of two calls made at once through A and B", async () => {
    const { consumerArn, message } = await consumerOn("at-once");
    const outcomes = await Promise.allSettled([subscribe(clientA, consumerArn, shard0, position), subscribe(clientB, consumerArn, shard0, position)]);
    const admitted = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refusals = outcomes.filter((outcome) => outcome.status === "rejected");
    assert.equal(admitted.length, 1, `outcomes: ${outcomes.map((outcome) => outcome.status).join(", ")}`);
    const reason = (refusals[0] as PromiseRejectedResult).reason as Error;
    assert.ok(reason instanceof ResourceInUseException, `refused with ${String(reason)}`);
    assert.equal(reason.message, message);
    await (admitted[0] as PromiseFulfilledResult<Subscription>).value.close();
    await waitFor("the subscription released", () => a.app!.streams.context.subscriptions.activeCount() + b.app!.streams.context.subscriptions.activeCount() === 0);
    clock.advance(5000);
    tick();
    await waitFor("the record removed", async () => (await subscriptionRecords(shared)).length === 0);
  });

  it("leaves no record behind when the consumer's stream is deleted", async () => {
    const { streamName, consumerArn } = await consumerOn("deleted");
    const subscription = await subscribe(clientB, consumerArn, shard0, position);
    await ok(a, "DeleteStream", { StreamName: streamName, EnforceConsumerDeletion: true });
    clock.advance(5000);
    tick();
    assert.ok((await subscription.ended()) !== undefined);
    await waitFor("the record removed", async () => (await subscriptionRecords(shared)).length === 0);
  });
});

describe("cluster > subscriptions across nodes > records", () => {
  const inUse = () => new ServiceError("ResourceInUseException", "in use", 400);
  const nodeOf = (engine: StorageEngine, clock: ManualClock, seed: number) =>
    new Subscriptions(clock, 300_000, { storage: { ...engine, name: "cluster-test" }, random: new SeededRandom(seed) });

  it("sweeps a record whose subscription ended over a minute ago (a node that died), and only that one", async () => {
    const engine = createMemoryEngine(systemRandom);
    const clock = new ManualClock(1_000_000);
    const account = subscriptionAccountOf("123456789012");
    const stale = { accountId: account, StreamName: "arn-1/shardId-000000000000", streamId: "0".repeat(32), service: subscriptionNamespace, subscriptionId: "dead-1", nodeId: "dead", startedAtMs: 0, endsAtMs: 300_000 };
    const young = { ...stale, StreamName: "arn-2/shardId-000000000000", subscriptionId: "dead-2", startedAtMs: 990_000, endsAtMs: 1_290_000 };
    await engine.catalog.put(account, stale.StreamName, stale);
    await engine.catalog.put(account, young.StreamName, young);
    const node = nodeOf(engine, clock, 1);
    assert.equal(await node.shared!.sweep(), 1);
    assert.deepEqual((await subscriptionRecords(engine)).map((record) => record.subscriptionId), ["dead-2"]);
    clock.advance(young.endsAtMs + recordLapseMs - clock.nowMs());
    await waitFor("the periodic sweep", async () => (await subscriptionRecords(engine)).length === 0);
    node.stop();
  });

  it("takes over a record left by a node that died once 5 seconds old, and ends the holder on another node", async () => {
    const engine = createMemoryEngine(systemRandom);
    const clock = new ManualClock(1_000_000);
    const [nodeA, nodeB] = [nodeOf(engine, clock, 1), nodeOf(engine, clock, 2)];
    const claimA = await nodeA.acquire("123456789012", "arn:c", 0, clock.nowMs(), inUse);
    await assert.rejects(nodeB.acquire("123456789012", "arn:c", 0, clock.nowMs() + 4999, inUse), /in use/);
    assert.equal(claimA.stopReason, undefined);
    clock.advance(5000);
    const claimB = await nodeB.acquire("123456789012", "arn:c", 0, clock.nowMs(), inUse);
    assert.equal(claimA.stopReason, "taken-over");
    assert.equal(claimB.stopReason, undefined);
    // A's pump ends: its release must not remove B's record.
    nodeA.release(claimA);
    clock.advance(10_000);
    nodeA.tick();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual((await subscriptionRecords(engine)).map((record) => record.nodeId), [claimB.sharedHold!.subscriptionId.split("-")[0]]);
    nodeB.release(claimB);
    nodeB.tick();
    await waitFor("B's record removed", async () => (await subscriptionRecords(engine)).length === 0);
    nodeA.stop();
    nodeB.stop();
  });

  it("writes no record on an engine only this process opens", async () => {
    const engine = createMemoryEngine(systemRandom);
    const clock = new ManualClock(0);
    const node = new Subscriptions(clock, 300_000, { storage: engine, random: new SeededRandom(1) });
    assert.equal(node.shared, undefined);
    const claim = await node.acquire("123456789012", "arn:c", 0, 0, inUse);
    await assert.rejects(node.acquire("123456789012", "arn:c", 0, 4999, inUse), /in use/);
    assert.deepEqual(await subscriptionRecords(engine), []);
    node.release(claim);
    node.stop();
  });
});
