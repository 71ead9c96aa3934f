/**
 * The storage case suite (test/storage/cases.ts) and the local object client's cases against the
 * NATS JetStream engine on a real one-server JetStream (test/helpers/nats.ts; nats-server 2.10+,
 * which scripts/test.sh installs). Every case opens its engine under a prefix of its own, so it
 * starts on empty data, and removes what that prefix made when it ends. A reopen is a new engine
 * on the same prefix; the follower, a second engine on it (what a second Tributary node holds).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runStorageCases, type StorageHarness } from "../storage/cases.js";
import { runObjectClientCases } from "../storage/object-client-cases.js";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { createNatsEngine, NatsEngineError, type NatsEngine } from "../../src/storage/nats/nats-engine.js";
import { localObjectClient } from "../../src/storage/object-client/index.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

let nats: NatsCluster;
let engineCount = 0;
let prefixCount = 0;

before(async () => {
  nats = await startNats();
});
after(() => nats.stop());

function openEngine(prefix: string): Promise<NatsEngine> {
  // A seed per engine: each engine's node id comes from it, and two nodes must not share one.
  return createNatsEngine({ servers: nats.urls, prefix }, { clock: systemClock, random: new SeededRandom(++engineCount), logger: silentLogger });
}

function freshPrefix(): string {
  return `t${process.pid}-${++prefixCount}`;
}

/** Removes every JetStream stream (KV buckets and object stores included) the prefix named. */
async function removePrefix(prefix: string): Promise<void> {
  const jsm = await (await nats.connection()).jetstreamManager();
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  const ours = (name: string) => [prefix + "-", `KV_${prefix}-`, `OBJ_${prefix}-`].some((start) => name.startsWith(start));
  await Promise.all(names.filter(ours).map((name) => jsm.streams.delete(name)));
}

async function natsHarness(): Promise<StorageHarness> {
  const prefix = freshPrefix();
  let engine = await openEngine(prefix);
  const others: NatsEngine[] = [];
  return {
    engine,
    async reopen() {
      await engine.close();
      engine = await openEngine(prefix);
      return engine;
    },
    // A second node's handle: an engine of its own on the same prefix.
    follower: async () => {
      const other = await openEngine(prefix);
      others.push(other);
      return { logs: other.logs, close: () => other.close() };
    },
    async cleanup() {
      await Promise.all([engine, ...others].map((open) => open.close()));
      await removePrefix(prefix);
    },
  };
}

runStorageCases("nats (one server)", natsHarness);

runObjectClientCases("local, nats engine", async () => {
  const prefix = freshPrefix();
  const engine = await openEngine(prefix);
  return {
    client: localObjectClient({ store: engine.objects, clock: systemClock, region: "eu-west-1" }),
    accountId: "111122223333",
    cleanup: async () => {
      await engine.close();
      await removePrefix(prefix);
    },
  };
});

describe("storage > nats > engine", () => {
  it("names itself nats and shares one secret between two nodes of a prefix", async () => {
    const prefix = freshPrefix();
    const [first, second] = await Promise.all([openEngine(prefix), openEngine(prefix)]);
    try {
      assert.equal(first.name, "nats");
      assert.equal(first.catalog.secret().length, 32);
      assert.deepEqual(second.catalog.secret(), first.catalog.secret());
      assert.notEqual(first.context.nodeId, second.context.nodeId);
      assert.equal(first.context.replicas, 1, "one server: one replica");
    } finally {
      await Promise.all([first.close(), second.close()]);
      await removePrefix(prefix);
    }
  });

  it("a second node sees the first's catalog writes through its watch, and their compare-and-sets meet in NATS", async () => {
    const prefix = freshPrefix();
    const first = await openEngine(prefix);
    const second = await openEngine(prefix);
    try {
      const heard: string[] = [];
      const watch = second.catalog.watch((change) => heard.push(change.kind === "entry" ? `${change.name}@${change.revision}` : change.accountId));
      await watch.ready;
      const created = await first.catalog.put("111122223333", "s", { v: 1 }, { expectedRevision: "absent" });
      assert.ok(created.ok && "revision" in created);
      await waitUntil(() => heard.includes(`s@${created.revision}`));
      assert.deepEqual(await second.catalog.get("111122223333", "s"), { v: 1 });
      // The second node's CAS expecting absence meets the first's entry, whatever its copy says.
      assert.deepEqual(await second.catalog.put("111122223333", "s", { v: 2 }, { expectedRevision: "absent" }), { ok: false, conflict: { revision: created.revision } });
      const updated = await second.catalog.put("111122223333", "s", { v: 3 }, { expectedRevision: created.revision });
      assert.ok(updated.ok);
      assert.deepEqual(await first.catalog.put("111122223333", "s", { v: 4 }, { expectedRevision: created.revision }), { ok: false, conflict: { revision: "revision" in updated ? updated.revision : 0 } });
      watch.stop();
    } finally {
      await Promise.all([first.close(), second.close()]);
      await removePrefix(prefix);
    }
  });

  it("refuses a prefix that is not a JetStream name, and says where NATS could not be reached", async () => {
    await assert.rejects(openEngine("bad.prefix"), (error: Error) => error instanceof NatsEngineError && /prefix/.test(error.message));
    const unreachable = createNatsEngine({ servers: ["nats://127.0.0.1:1"], connectTimeoutMs: 600 }, { clock: systemClock, random: new SeededRandom(99), logger: silentLogger });
    await assert.rejects(unreachable, (error: Error) => error instanceof NatsEngineError && error.message.startsWith("cannot reach NATS at nats://127.0.0.1:1"));
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 1000) throw new Error("not within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
