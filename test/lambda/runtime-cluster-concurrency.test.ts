/**
 * lambda > runtime > cluster concurrency: the in-flight counts nodes exchange over the peer bus
 * (src/lambda/runtime/cluster-concurrency.ts), on a manual clock and an in-process hub — admission
 * against the sum of every node's counts, batching, snapshots for a node that starts late, a
 * silent node counting 0, and exactly one node's counting without a bus.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { changePublishIntervalMs, ClusterConcurrency, concurrencyTopic, peerSilenceMs, snapshotIntervalMs } from "../../src/lambda/runtime/cluster-concurrency.js";
import { createPeerHub, type PeerBus, type PeerHub } from "../../src/storage/peer-bus.js";
import { ManualClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";

const fn = { functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", accountId: "000000000000", reservedConcurrency: 2 };
const other = { functionArn: "arn:aws:lambda:us-east-1:000000000000:function:g", accountId: "000000000000" };

/** The hub delivers on a later turn (setImmediate): one turn lets it. */
const delivered = () => new Promise((resolve) => setImmediate(resolve));

/** A bus that can be silenced, as a node that died is. */
function mutable(bus: PeerBus): PeerBus & { mute(on: boolean): void } {
  let muted = false;
  return {
    nodeId: bus.nodeId,
    publish: (topic, payload) => {
      if (!muted) bus.publish(topic, payload);
    },
    subscribe: (topic, listener) => bus.subscribe(topic, listener),
    mute: (on) => void (muted = on),
  };
}

describe("lambda > runtime > cluster concurrency", () => {
  const started: ClusterConcurrency[] = [];
  let clock: ManualClock;
  let hub: PeerHub;
  const node = (name: string | undefined, accountConcurrencyMax = 1000, bus?: PeerBus) => {
    const peers = bus ?? (name === undefined ? undefined : hub.join(name));
    const concurrency = new ClusterConcurrency({ clock, logger: silentLogger, accountConcurrencyMax, ...(peers !== undefined && { peers }) });
    started.push(concurrency);
    return concurrency;
  };
  /** Fires what is due (a change goes out 1 ms on, as Node runs a 0 ms timeout), then lets the hub deliver. */
  const settle = async (ms = 1) => {
    clock.advance(ms);
    await delivered();
  };
  const fresh = () => {
    clock = new ManualClock(1_000_000);
    hub = createPeerHub();
  };
  afterEach(() => {
    for (const concurrency of started.splice(0)) concurrency.stop();
  });

  it("without a bus: this node's counts only, as one node always counted", () => {
    fresh();
    const a = node(undefined);
    const b = node(undefined);
    assert.equal(a.admit(fn), undefined);
    assert.equal(a.admit(fn), undefined);
    assert.equal(a.admit(fn), "ReservedFunctionConcurrentInvocationLimitExceeded");
    assert.equal(b.admit(fn), undefined, "another process counts apart");
    a.release(fn);
    assert.equal(a.admit(fn), undefined);
    assert.equal(clock.pendingTimers(), 0, "no timers without a bus");
  });

  it("a run admitted on one node counts on the others once its change goes out: the reserved bound holds across them", async () => {
    fresh();
    const a = node("a");
    const b = node("b");
    assert.equal(a.admit(fn), undefined);
    await settle();
    assert.equal(b.othersInFlight(fn.functionArn), 1);
    assert.equal(b.admit(fn), undefined);
    await settle();
    assert.equal(a.inFlight(fn.functionArn), 2);
    assert.equal(a.admit(fn), "ReservedFunctionConcurrentInvocationLimitExceeded");
    assert.equal(b.admit(fn), "ReservedFunctionConcurrentInvocationLimitExceeded");
    // A release reaches the other node at the end of the publish interval (A sent a change just now).
    a.release(fn);
    await settle();
    assert.equal(b.admit(fn), "ReservedFunctionConcurrentInvocationLimitExceeded", "not yet told");
    await settle(changePublishIntervalMs);
    assert.equal(b.othersInFlight(fn.functionArn), 0);
    assert.equal(b.admit(fn), undefined);
  });

  it("the account's bound counts every function on every node: ConcurrentInvocationLimitExceeded", async () => {
    fresh();
    const a = node("a", 3);
    const b = node("b", 3);
    assert.equal(a.admit(fn), undefined);
    assert.equal(a.admit(other), undefined);
    await settle();
    assert.equal(b.admit(other), undefined);
    await settle(changePublishIntervalMs);
    assert.equal(a.admit(other), "ConcurrentInvocationLimitExceeded");
    assert.equal(b.admit(other), "ConcurrentInvocationLimitExceeded");
  });

  it("the window: two nodes admitting within one publish interval both admit the last slot", () => {
    fresh();
    const a = node("a");
    const b = node("b");
    const one = { ...fn, reservedConcurrency: 1 };
    assert.equal(a.admit(one), undefined);
    assert.equal(b.admit(one), undefined, "B has not heard of A's run yet");
  });

  it("changes of one interval go in one message, and at most one message an interval", async () => {
    fresh();
    const spy = hub.join("spy");
    const kinds: string[] = [];
    spy.subscribe(concurrencyTopic, (payload) => {
      const { kind } = JSON.parse(Buffer.from(payload).toString()) as { kind: string };
      if (kind !== "hello") kinds.push(kind);
    });
    const a = node("a");
    a.admit(fn);
    a.admit(other);
    a.admit(other);
    await settle();
    assert.deepEqual(kinds, ["change"]);
    a.release(other);
    await settle(changePublishIntervalMs - 1);
    assert.deepEqual(kinds, ["change"], "within the interval: held");
    await settle(1);
    assert.deepEqual(kinds, ["change", "change"]);
  });

  it("a node that starts late learns the others' runs at once (its hello is answered with a snapshot)", async () => {
    fresh();
    const a = node("a");
    a.admit(fn);
    a.admit(fn);
    await settle();
    const c = node("c");
    await settle();
    await delivered();
    assert.equal(c.othersInFlight(fn.functionArn), 2);
    assert.equal(c.admit(fn), "ReservedFunctionConcurrentInvocationLimitExceeded");
  });

  it("snapshots every second repair a lost change; a node silent for 3 s counts 0", async () => {
    fresh();
    const aBus = mutable(hub.join("a"));
    const a = node("a", 1000, aBus);
    const b = node("b");
    aBus.mute(true);
    a.admit(fn);
    await settle();
    assert.equal(b.othersInFlight(fn.functionArn), 0, "the change was lost");
    // A's messages get through again: its next snapshot tells B.
    aBus.mute(false);
    await settle(snapshotIntervalMs);
    assert.equal(b.othersInFlight(fn.functionArn), 1);
    // A dies (silent, its run never released): B counts it until 3 s of silence.
    aBus.mute(true);
    await settle(peerSilenceMs - snapshotIntervalMs);
    assert.equal(b.othersInFlight(fn.functionArn), 1);
    await settle(snapshotIntervalMs + 1);
    assert.equal(b.othersInFlight(fn.functionArn), 0);
    assert.equal(b.admit({ ...fn, reservedConcurrency: 1 }), undefined);
  });

  it("a node that stops tells the others its runs ended", async () => {
    fresh();
    const a = node("a");
    const b = node("b");
    a.admit(fn);
    await settle();
    assert.equal(b.othersInFlight(fn.functionArn), 1);
    a.stop();
    await settle();
    assert.equal(b.othersInFlight(fn.functionArn), 0);
  });

  it("ignores malformed messages", async () => {
    fresh();
    const b = node("b");
    const rogue = hub.join("rogue");
    for (const text of ["not json", "null", '{"v":2,"kind":"change","functions":{},"accounts":{}}', '{"v":1,"kind":"change","functions":{"x":-1},"accounts":{}}', '{"v":1,"kind":"change","functions":[],"accounts":{}}']) {
      rogue.publish(concurrencyTopic, Buffer.from(text));
    }
    rogue.publish(concurrencyTopic, Buffer.from(JSON.stringify({ v: 1, kind: "change", functions: { [fn.functionArn]: 1.5 }, accounts: {} })));
    await settle();
    assert.equal(b.othersInFlight(fn.functionArn), 0);
  });
});
