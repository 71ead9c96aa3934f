/**
 * The storage case suite (test/storage/cases.ts) and the local object client's cases against the
 * NATS JetStream engine on a real one-server JetStream (test/helpers/nats.ts; nats-server 2.10+,
 * which scripts/test.sh installs). Every case opens its engine under a prefix of its own, so it
 * starts on empty data, and removes what that prefix made when it ends. A reopen is a new engine
 * on the same prefix; the follower, a second engine on it (what a second Tributary node holds).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { account, runStorageCases, type StorageHarness } from "../storage/cases.js";
import type { Catalog } from "../../src/storage/types.js";
import { CatalogCache } from "../../src/storage/catalog-cache.js";
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

describe("storage > nats > engine > the server it meets", () => {
  /** A stand-in that speaks just enough of the NATS protocol to connect (INFO, then PONG to PING), with this INFO. */
  async function fakeNats(info: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((socket) => {
      socket.write(`INFO ${JSON.stringify({ server_id: "FAKE", server_name: "fake", proto: 1, headers: true, max_payload: 1048576, ...info })}\r\n`);
      socket.on("data", (bytes) => {
        if (bytes.toString().includes("PING")) socket.write("PONG\r\n");
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `nats://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it("refuses a nats-server older than 2.10, naming its version", async () => {
    const fake = await fakeNats({ version: "2.9.10", jetstream: true });
    try {
      await assert.rejects(
        createNatsEngine({ servers: [fake.url] }, { clock: systemClock, random: new SeededRandom(98), logger: silentLogger }),
        (error: Error) => error instanceof NatsEngineError && error.message.includes("is nats-server 2.9.10; Tributary needs 2.10.0 or later"),
      );
    } finally {
      await fake.close();
    }
  });

  it("refuses a server without JetStream", async () => {
    const fake = await fakeNats({ version: "2.10.27", jetstream: false });
    try {
      await assert.rejects(
        createNatsEngine({ servers: [fake.url] }, { clock: systemClock, random: new SeededRandom(97), logger: silentLogger }),
        (error: Error) => error instanceof NatsEngineError && error.message.startsWith("JetStream is not enabled on NATS at"),
      );
    } finally {
      await fake.close();
    }
  });
});

describe("storage > nats > catalog on a 3-server cluster", () => {
  let cluster: NatsCluster;
  before(async () => {
    cluster = await startNats({ servers: 3 });
  });
  after(() => cluster.stop());

  it("keeps every acknowledged compare-and-set through a kill -9 of the catalog bucket's leader, in order", async () => {
    const prefix = freshPrefix();
    const engine = await createNatsEngine({ servers: cluster.urls, prefix }, { clock: systemClock, random: new SeededRandom(++engineCount), logger: silentLogger });
    try {
      assert.equal(engine.context.replicas, 3, "a cluster of three: three replicas");
      const catalog = engine.catalog as Catalog<{ v: number }, object>;
      const cache = new CatalogCache(catalog);
      await cache.ready;
      const announced: number[] = [];
      catalog.watch((change) => {
        if (change.kind === "entry" && change.entry !== undefined) announced.push(change.entry.v);
      });
      const created = await catalog.put(account, "counter", { v: 0 }, { expectedRevision: "absent" });
      assert.ok(created.ok && "revision" in created);
      let revision = created.revision;
      let killed: number | undefined;
      for (let v = 1; v <= 40; v++) {
        if (v === 15) {
          killed = await cluster.streamLeader(`KV_${prefix}-catalog`);
          await cluster.kill(killed);
        }
        for (;;) {
          const outcome = await catalog.put(account, "counter", { v }, { expectedRevision: revision });
          if (outcome.ok) {
            revision = outcome.revision;
            break;
          }
          if ("failure" in outcome) {
            // An answer lost for good (the election took longer than the retries): ask again.
            await new Promise((resolve) => setTimeout(resolve, 200));
            continue;
          }
          // A conflict: the entry moved on. Only this test writes it, so it is an earlier try of
          // this very write that landed: the copy shows it once it reaches that revision.
          const moved = outcome.conflict.revision;
          assert.notEqual(moved, "absent");
          await waitUntil(() => cache.revisionOf(account, "counter") === moved);
          assert.deepEqual(cache.get(account, "counter"), { v });
          revision = moved as number;
          break;
        }
      }
      await cluster.restart(killed!);
      assert.deepEqual(await catalog.get(account, "counter"), { v: 40 });
      assert.deepEqual(announced, Array.from({ length: 41 }, (_, v) => v), "each value announced once, in order");
      cache.stop();
    } finally {
      await engine.close();
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 3000) throw new Error("not within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
