/**
 * The peer bus on NATS (src/storage/nats/nats-peers.ts) and in one process (createPeerHub): what a
 * node publishes reaches the other nodes on the same prefix, never itself, and nothing crosses
 * prefixes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { freshPrefix, openNatsEngine, removePrefix } from "../e2e/storage-nats-harness.js";
import { createPeerHub } from "../../src/storage/peer-bus.js";
import { waitFor } from "../helpers/wait.js";

let nats: NatsCluster;

before(async () => {
  nats = await startNats();
});
after(() => nats.stop());

describe("cluster > the peer bus", () => {
  it("on NATS: a message reaches the other node on the prefix with its sender's id, not the sender, not another prefix", async () => {
    const prefix = freshPrefix();
    const first = await openNatsEngine(nats, prefix);
    const second = await openNatsEngine(nats, prefix);
    const stranger = await openNatsEngine(nats, freshPrefix());
    try {
      const heard: { at: string; text: string; from: string }[] = [];
      const listen = (at: string, engine: typeof first) =>
        engine.peers!.subscribe("rates", (payload, from) => heard.push({ at, text: Buffer.from(payload).toString(), from }));
      const subscriptions = [listen("first", first), listen("second", second), listen("stranger", stranger)];
      await Promise.all([first, second, stranger].map((engine) => engine.context.nc.flush()));
      first.peers!.publish("rates", Buffer.from("one"));
      await waitFor("the first message", () => heard.length >= 1, 5000);
      // A later message from the second node: once it arrives, the first one had every chance to be echoed.
      second.peers!.publish("rates", Buffer.from("two"));
      await waitFor("the second message", () => heard.length >= 2, 5000);
      await Promise.all([first, second].map((engine) => engine.context.nc.flush()));
      assert.deepEqual(heard, [
        { at: "second", text: "one", from: first.peers!.nodeId },
        { at: "first", text: "two", from: second.peers!.nodeId },
      ]);
      for (const subscription of subscriptions) subscription.stop();
    } finally {
      await Promise.all([first.close(), second.close(), stranger.close()]);
      await removePrefix(nats, prefix);
    }
  });

  it("in one process: a hub delivers to the other members on a later turn, never to the sender", async () => {
    const hub = createPeerHub();
    const [a, b, c] = [hub.join("a"), hub.join("b"), hub.join("c")];
    const heard: string[] = [];
    for (const bus of [a, b, c]) bus.subscribe("t", (payload, from) => heard.push(`${bus.nodeId}<${from}:${Buffer.from(payload).toString()}`));
    a.publish("t", Buffer.from("x"));
    assert.deepEqual(heard, [], "not at once");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(heard.sort(), ["b<a:x", "c<a:x"]);
    assert.throws(() => a.publish("bad.topic", Buffer.from("")), /peer topic/);
  });
});
