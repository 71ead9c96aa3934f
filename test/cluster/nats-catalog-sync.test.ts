/**
 * Catalog.sync on the NATS engine (src/storage/nats/nats-catalog.ts): two nodes on one prefix of a
 * one-server JetStream; once the second node's sync resolves, its copy holds every write the first
 * node had acknowledged — what a miss waits for before it is answered as "not found"
 * (src/streams/catalog-read-through.ts, docs/cluster.md).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { freshPrefix, openNatsEngine, removePrefix } from "../e2e/storage-nats-harness.js";

const accountId = "111122223333";
let nats: NatsCluster;

before(async () => {
  nats = await startNats();
});
after(() => nats.stop());

describe("cluster > the NATS catalog's sync", () => {
  it("after sync, a node's copy holds everything another node's writes had stored; a copy already current answers false", async () => {
    const prefix = freshPrefix();
    const first = await openNatsEngine(nats, prefix);
    const second = await openNatsEngine(nats, prefix);
    try {
      assert.equal(await second.catalog.sync!(), false, "nothing written yet");
      // A burst from the first node, acknowledged before the second node's sync starts.
      const names = Array.from({ length: 200 }, (_, index) => `stream-${String(index).padStart(3, "0")}`);
      await Promise.all(names.map((name, index) => first.catalog.put(accountId, name, { index })));
      await second.catalog.sync!();
      const listed = (await second.catalog.list(accountId)) as { index: number }[];
      assert.deepEqual(listed.map((entry) => entry.index), names.map((_, index) => index));
      assert.equal(await second.catalog.sync!(), false, "caught up: nothing changed");
      // A removal too: the copy forgets it once synced.
      await first.catalog.remove(accountId, names[0]!);
      await second.catalog.sync!();
      assert.equal(await second.catalog.get(accountId, names[0]!), undefined);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await removePrefix(nats, prefix);
    }
  });
});
