/**
 * Item revisions through a failed journal write: the embedded engine applies a write in memory at
 * once and, when its flush fails, replays the journal — withdrawing the write. The replayed copy
 * must not hand out a revision a reader of the withdrawn write may hold, so a compare-and-set made
 * against what that reader saw conflicts instead of landing on different data.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimFs } from "./sim-fs.js";
import { openSim } from "./sim-engine.js";
import { tableMeta } from "./cases.js";

describe("storage > tables > revisions", () => {
  it("after a failed write is withdrawn, revisions seen before it conflict and numbering goes on above them", async () => {
    const fs = new SimFs();
    const engine = await openSim(fs);
    const meta = tableMeta("leases", "0f1e2d3c-0000-4000-8000-0000000000bb");
    assert.deepEqual(await engine.tables.create(meta), { ok: true });
    const first = await engine.tables.putItem(meta.tableId, { key: "lease", value: "held-by-a" }, { expectedRevision: "absent" });
    assert.ok(first.ok && "revision" in first);
    fs.capacityBytes = fs.usedBytes();
    const refused = engine.tables.putItem(meta.tableId, { key: "lease", value: "held-by-b" }, { expectedRevision: first.revision });
    // Applied in memory at once: a reader now sees the write that will be refused, with its revision.
    const seen = (await engine.tables.getVersionedItem(meta.tableId, "lease"))!;
    assert.equal(seen.value, "held-by-b");
    const outcome = await refused;
    assert.ok(!outcome.ok && "failure" in outcome && outcome.failure.kind === "no-space");
    fs.capacityBytes = Infinity;
    const restored = (await engine.tables.getVersionedItem(meta.tableId, "lease"))!;
    assert.equal(restored.value, "held-by-a");
    assert.ok(restored.revision > seen.revision, `restored ${restored.revision} after seen ${seen.revision}`);
    // Neither the withdrawn write's revision nor the one before it names the restored item.
    for (const stale of [first.revision, seen.revision]) {
      const write = await engine.tables.putItem(meta.tableId, { key: "lease", value: "stale" }, { expectedRevision: stale });
      assert.deepEqual(write, { ok: false, conflict: { revision: restored.revision } });
    }
    const taken = await engine.tables.putItem(meta.tableId, { key: "lease", value: "held-by-c" }, { expectedRevision: restored.revision });
    assert.ok(taken.ok);
    assert.equal(await engine.tables.getItem(meta.tableId, "lease"), "held-by-c");
    await engine.close();
  });
});
