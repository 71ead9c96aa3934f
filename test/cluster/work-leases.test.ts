import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryEngine } from "../../src/storage/index.js";
import { putFenced, WorkLeases, type WorkLeaseHooks } from "../../src/storage/work-leases.js";
import { NamespacedTables } from "../../src/storage/service-tables.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { TableStore } from "../../src/storage/types.js";
import { cuttableTables } from "./cluster-helpers.js";

const tuning = { leaseTtlMs: 10_000, renewIntervalMs: 2_000 };

/** A node's leases with hooks that record what the leases asked of the service. */
function node(tables: TableStore, clock: ManualClock, processLocal: boolean, seed: number) {
  const changed: string[] = [];
  const stopped: string[] = [];
  const hooks: WorkLeaseHooks = {
    changed: (unitKey) => changed.push(unitKey),
    stop: async (unitKey) => void stopped.push(unitKey),
  };
  const leases = new WorkLeases({ tables, clock, random: new SeededRandom(seed), logger: silentLogger, service: "test", processLocal, tuning }, hooks);
  return { leases, changed, stopped };
}

async function advance(clock: ManualClock, ms: number, ...nodes: { leases: WorkLeases }[]): Promise<void> {
  for (let moved = 0; moved < ms; moved += tuning.renewIntervalMs) {
    clock.advance(tuning.renewIntervalMs);
    for (const each of nodes) await each.leases.renewSoon();
  }
}

describe("cluster > work leases", () => {
  it("one node takes a new unit at once, with the first epoch", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const clock = new ManualClock(1_000_000);
    const a = node(engine.tables, clock, true, 1);
    await a.leases.start();
    const lease = await a.leases.acquire("u1");
    assert.equal(lease?.epoch, 1);
    assert.equal(a.leases.held("u1"), lease);
    assert.equal((await a.leases.acquire("u2"))?.epoch, 1);
    await a.leases.stop();
    assert.equal(lease!.held(), false);
  });

  it("a second node gets nothing while the holder lives, and the released lease at once after a graceful stop", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const clock = new ManualClock(1_000_000);
    const a = node(engine.tables, clock, false, 1);
    const b = node(engine.tables, clock, false, 2);
    await a.leases.start();
    const first = await a.leases.acquire("u1");
    await b.leases.start();
    assert.equal(await b.leases.acquire("u1"), undefined);
    await advance(clock, 20_000, a, b);
    assert.equal(await b.leases.acquire("u1"), undefined);
    assert.ok(first!.held());
    await a.leases.stop();
    assert.equal(first!.held(), false);
    await b.leases.renewSoon();
    assert.ok(b.changed.includes("u1"), "the free lease is offered to the service");
    assert.equal((await b.leases.acquire("u1"))?.epoch, 2);
    await b.leases.stop();
  });

  it("a node that stops beating loses its leases on its own clock before another takes them, and its fenced writes fail", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const clock = new ManualClock(1_000_000);
    const cut = cuttableTables(engine.tables);
    const a = node(cut.tables, clock, false, 1);
    const b = node(engine.tables, clock, false, 2);
    await a.leases.start();
    await b.leases.start();
    const lease = await a.leases.acquire("u1");
    assert.ok(lease);
    const namespaced = new NamespacedTables("test", engine.tables, clock, new SeededRandom(3));
    const tableId = await namespaced.tableId("000000000000", "checkpoints");
    assert.deepEqual(await putFenced(cut.tables, tableId, "c", { position: 1 }, lease), { ok: true });
    cut.cut(true);
    let taken: number | undefined;
    let lostAtMs: number | undefined;
    for (let step = 0; step < 20 && taken === undefined; step++) {
      clock.advance(tuning.renewIntervalMs);
      await a.leases.renewSoon();
      await b.leases.renewSoon();
      if (lostAtMs === undefined && !lease.held()) lostAtMs = clock.nowMs();
      taken = (await b.leases.acquire("u1"))?.epoch;
    }
    assert.equal(taken, 2);
    assert.ok(lostAtMs !== undefined && lostAtMs < clock.nowMs(), "the holder gave up before the taker took over");
    assert.ok(clock.nowMs() - 1_000_000 <= tuning.leaseTtlMs + 2 * tuning.renewIntervalMs, "taken over within the lease's lifetime and a renewal");
    cut.cut(false);
    // The stale holder's checkpoint is refused; the new holder's is written and fences the old epoch out.
    assert.deepEqual(await putFenced(cut.tables, tableId, "c", { position: 2 }, lease), { ok: false, fenced: true });
    const newLease = b.leases.held("u1")!;
    assert.deepEqual(await putFenced(engine.tables, tableId, "c", { position: 3 }, newLease), { ok: true });
    const stale = { unitKey: "u1", epoch: 1, signal: new AbortController().signal, held: () => true };
    assert.deepEqual(await putFenced(engine.tables, tableId, "c", { position: 4 }, stale), { ok: false, fenced: true });
    assert.equal(JSON.parse((await engine.tables.getItem(tableId, "c"))!).position, 3);
    await b.leases.stop();
  });

  it("spreads units over the live nodes and gives work back when a node joins", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const clock = new ManualClock(1_000_000);
    const a = node(engine.tables, clock, false, 1);
    await a.leases.start();
    for (const unit of ["u1", "u2", "u3", "u4"]) assert.ok(await a.leases.acquire(unit));
    const b = node(engine.tables, clock, false, 2);
    await b.leases.start();
    for (let round = 0; round < 6; round++) {
      await advance(clock, tuning.renewIntervalMs, a, b);
      for (const unit of new Set(b.changed)) await b.leases.acquire(unit);
      b.changed.length = 0;
    }
    const heldBy = (n: typeof a) => ["u1", "u2", "u3", "u4"].filter((unit) => n.leases.held(unit) !== undefined);
    assert.equal(heldBy(a).length, 2);
    assert.equal(heldBy(b).length, 2);
    assert.deepEqual([...heldBy(a), ...heldBy(b)].sort(), ["u1", "u2", "u3", "u4"]);
    assert.equal(a.stopped.length, 2, "the units given back were stopped first");
    await a.leases.stop();
    await b.leases.stop();
  });

  it("with a process-local engine, a lease of an owner no longer in the process (a crash) is free at once", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const clock = new ManualClock(1_000_000);
    const namespaced = new NamespacedTables("cluster", engine.tables, clock, new SeededRandom(3));
    const tableId = await namespaced.tableId("test", "work-leases");
    await engine.tables.putItem(tableId, { key: "lease/u1", value: JSON.stringify({ owner: "crashed", epoch: 4 }) });
    const a = node(engine.tables, clock, true, 1);
    await a.leases.start();
    assert.equal((await a.leases.acquire("u1"))?.epoch, 5);
    await a.leases.stop();
  });
});
