/**
 * The storage case suite on a real 3-server JetStream cluster (test/helpers/nats.ts), where every
 * stream and bucket has three replicas and every write goes through Raft; then the catalog through
 * a kill -9 of its bucket's leader. The one-server run and the engine's own tests are
 * storage-nats.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { account, runStorageCases } from "../storage/cases.js";
import type { Catalog } from "../../src/storage/types.js";
import { CatalogCache } from "../../src/storage/catalog-cache.js";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { freshPrefix, natsHarness, openNatsEngine, removePrefix } from "./storage-nats-harness.js";

let cluster: NatsCluster;

before(async () => {
  cluster = await startNats({ servers: 3 });
});
after(() => cluster.stop());

runStorageCases("nats (three servers, three replicas)", () => natsHarness(cluster));

describe("storage > nats > catalog on a 3-server cluster", () => {
  it("keeps every acknowledged compare-and-set through a kill -9 of the catalog bucket's leader, in order", async () => {
    const prefix = freshPrefix();
    const engine = await openNatsEngine(cluster, prefix);
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
      await removePrefix(cluster, prefix);
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 3000) throw new Error("not within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
