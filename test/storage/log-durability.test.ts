/**
 * Durability through the fs port: what an acknowledgement promises under each fsync policy, group
 * commit, and disk-full / I/O-error handling (nothing acknowledged lost, recovery by itself).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimFs, errnoError, type SimOp } from "./sim-fs.js";
import { makeRecords, openSim, readAll, registerStreams, shardDir, streamId, t0, tags } from "./sim-engine.js";
import type { AppendOutcome, StorageEngine } from "../../src/storage/types.js";
import { SeededRandom } from "../../src/util/random.js";
import { systemClock } from "../../src/util/clock.js";
import { putStream, streamsCatalog } from "../../src/streams/stream-catalog.js";

function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

const ticks = (count: number) => (async () => { for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve)); })();

async function setup(options: Parameters<typeof openSim>[1] = {}) {
  const fs = new SimFs();
  const engine = await openSim(fs, options);
  await registerStreams(engine);
  return { fs, engine };
}

describe("storage > log > durability", () => {
  it("fsync=always: no append resolves before the fdatasync that covers it", async () => {
    const { fs, engine } = await setup();
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(3, "first"), t0)).ok);
    const held = gate();
    fs.delay = (op) => (op.kind === "datasync" ? held.opened : undefined);
    let resolved = 0;
    const pending = [log.append(makeRecords(2, "a"), t0 + 1), log.append(makeRecords(2, "b"), t0 + 1)].map((promise) => promise.then((outcome) => (resolved++, outcome)));
    await ticks(50);
    assert.equal(resolved, 0, "an append resolved while its fdatasync was still held");
    assert.equal(log.endOffset(), 3, "unacknowledged records became visible");
    held.release();
    fs.delay = undefined;
    const outcomes = await Promise.all(pending);
    assert.deepEqual(outcomes.map((outcome) => outcome.ok && outcome.firstOffset), [3, 5]);
    await engine.close();
  });

  it("fsync=always: every acknowledged record is in the durable image at the moment it is acknowledged", async () => {
    const { fs, engine } = await setup({ segmentBytesMax: 2048, indexIntervalBytes: 256 });
    const random = new SeededRandom(5);
    const images: { image: SimFs; shard: number; tag: string }[] = [];
    const appends: Promise<AppendOutcome>[] = [];
    for (let round = 0; round < 12; round++) {
      for (let n = 0; n < 1 + random.int(4); n++) {
        const shard = random.int(3);
        const tag = `r${round}n${n}s${shard}`;
        appends.push(engine.logs.shard(streamId, shard).append(makeRecords(1 + random.int(6), tag), t0 + round).then((outcome) => {
          images.push({ image: fs.crashImage("durable-only"), shard, tag });
          return outcome;
        }));
      }
      await ticks(random.int(6));
    }
    assert.ok((await Promise.all(appends)).every((outcome) => outcome.ok));
    assert.equal(images.length, appends.length);
    for (const { image, shard, tag } of images) {
      const recovered = await openSim(image);
      assert.ok(tags(await readAll(recovered, shard)).some((text) => text.startsWith(`${tag}:`)), `acknowledged ${tag} missing after power loss`);
      await recovered.close();
    }
    await engine.close();
  });

  it("group commit: concurrent appends share one write and one fdatasync", async () => {
    const { fs, engine } = await setup();
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(1, "open"), t0)).ok);
    fs.recording = true;
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(makeRecords(5, `c${i}`), t0 + 1)));
    fs.recording = false;
    assert.ok(outcomes.every((outcome) => outcome.ok));
    const segmentOps = fs.log.filter((op) => op.path.startsWith(shardDir(0)));
    assert.equal(segmentOps.filter((op) => op.kind === "writev").length, 1);
    assert.equal(segmentOps.filter((op) => op.kind === "datasync").length, 1);
    assert.equal(log.endOffset(), 201);
    await engine.close();
  });

  it("group commit: appends that arrive during an fdatasync go out together in the next one", async () => {
    const { fs, engine } = await setup();
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(1, "open"), t0)).ok);
    const held = gate();
    fs.delay = (op) => (op.kind === "datasync" ? held.opened : undefined);
    fs.recording = true;
    const first = log.append(makeRecords(1, "first"), t0);
    await ticks(20);
    const rest = Array.from({ length: 30 }, (_, i) => log.append(makeRecords(1, `later${i}`), t0));
    await ticks(20);
    held.release();
    fs.delay = undefined;
    assert.ok((await Promise.all([first, ...rest])).every((outcome) => outcome.ok));
    fs.recording = false;
    assert.equal(fs.log.filter((op) => op.kind === "datasync" && op.path.startsWith(shardDir(0))).length, 2);
    await engine.close();
  });

  for (const policy of ["never", "interval"] as const) {
    it(`fsync=${policy}: acknowledges after the write, survives a process crash, and close makes it durable`, async () => {
      const { fs, engine } = await setup({ fsync: policy, fsyncIntervalMs: 60_000 });
      const log = engine.logs.shard(streamId, 0);
      assert.ok((await log.append(makeRecords(2, "opened"), t0)).ok);
      const held = gate();
      fs.delay = (op) => (op.kind === "datasync" ? held.opened : undefined);
      const outcome = await log.append(makeRecords(3, "fast"), t0);
      assert.deepEqual(outcome, { ok: true, firstOffset: 2, arrivalMs: t0 });
      fs.delay = undefined;
      held.release();
      const afterKill = await openSim(fs.crashImage("process"));
      assert.deepEqual(tags(await readAll(afterKill, 0)).length, 5);
      await afterKill.close();
      await engine.close();
      const afterClose = await openSim(fs.crashImage("durable-only"));
      assert.equal(tags(await readAll(afterClose, 0)).length, 5);
      await afterClose.close();
    });
  }

  it("fsync=interval: syncs in the background", async () => {
    // The interval runs on the engine's clock: the system's here, as the loop below waits in real time.
    const { fs, engine } = await setup({ fsync: "interval", fsyncIntervalMs: 5, clock: systemClock });
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(2, "opened"), t0)).ok);
    assert.ok((await log.append(makeRecords(3, "later"), t0)).ok);
    const before = fs.counts.datasyncs;
    for (let i = 0; i < 100 && fs.counts.datasyncs === before; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(fs.counts.datasyncs > before, "no background fdatasync happened");
    const image = await openSim(fs.crashImage("durable-only"));
    assert.equal((await readAll(image, 0)).length, 5);
    await image.close();
    await engine.close();
  });

  it("disk full: the write fails as no-space, nothing acknowledged is lost, and appends resume when space returns", async () => {
    const { fs, engine } = await setup({ segmentBytesMax: 4096 });
    const log = engine.logs.shard(streamId, 0);
    fs.capacityBytes = fs.usedBytes() + 6000;
    const acknowledged: string[] = [];
    let failure: AppendOutcome | undefined;
    for (let i = 0; i < 100 && !failure; i++) {
      const outcome = await log.append(makeRecords(3, `f${i}`), t0 + i);
      if (outcome.ok) acknowledged.push(`f${i}:0:`, `f${i}:1:`, `f${i}:2:`);
      else failure = outcome;
    }
    assert.ok(failure && !failure.ok);
    assert.equal(failure.failure.kind, "no-space");
    assert.equal(log.endOffset(), acknowledged.length);
    assert.deepEqual(tags(await readAll(engine, 0)), acknowledged);
    const stillFull = await log.append(makeRecords(1, "still"), t0 + 200);
    assert.equal(stillFull.ok, false);
    fs.capacityBytes = Infinity;
    const resumed = await log.append(makeRecords(2, "resumed"), t0 + 300);
    assert.deepEqual(resumed, { ok: true, firstOffset: acknowledged.length, arrivalMs: t0 + 300 });
    acknowledged.push("resumed:0:", "resumed:1:");
    assert.deepEqual(tags(await readAll(engine, 0)), acknowledged);
    const image = await openSim(fs.crashImage("durable-only"));
    assert.deepEqual(tags(await readAll(image, 0)), acknowledged);
    await image.close();
    await engine.close();
  });

  it("disk full under a table: the writes fail as no-space, nothing acknowledged is lost, and writes resume when space returns", async () => {
    const { fs, engine } = await setup();
    const { tableMeta } = await import("./cases.js");
    const meta = tableMeta("leases", "0f1e2d3c-0000-4000-8000-0000000000aa");
    assert.deepEqual(await engine.tables.create(meta), { ok: true });
    const acknowledged = new Map<string, string>();
    fs.capacityBytes = fs.usedBytes() + 3000;
    let failed: string | undefined;
    for (let i = 0; i < 200 && failed === undefined; i++) {
      const entry = { key: `k${i % 7}`, value: `v${i}-${"x".repeat(100)}` };
      const outcome = await engine.tables.putItem(meta.tableId, entry);
      if (outcome.ok) acknowledged.set(entry.key, entry.value);
      else {
        assert.equal(outcome.failure.kind, "no-space");
        failed = entry.key;
      }
    }
    assert.ok(failed !== undefined, "the disk filled up");
    // Still full (for a write larger than what cutting the failed flush's partial frames freed):
    // the next write replays the journal, fails too, and changes nothing.
    assert.equal((await engine.tables.putItem(meta.tableId, { key: "still", value: "f".repeat(5000) })).ok, false);
    const expected = [...acknowledged].map(([key, value]) => ({ key, value })).sort((a, b) => (a.key < b.key ? -1 : 1));
    assert.deepEqual(await engine.tables.scan(meta.tableId, undefined, 100), expected, "memory holds exactly the acknowledged writes again");
    fs.capacityBytes = Infinity;
    assert.deepEqual(await engine.tables.putItem(meta.tableId, { key: "resumed", value: "yes" }), { ok: true });
    expected.push({ key: "resumed", value: "yes" });
    expected.sort((a, b) => (a.key < b.key ? -1 : 1));
    assert.deepEqual(await engine.tables.scan(meta.tableId, undefined, 100), expected);
    const image = await openSim(fs.crashImage("durable-only"));
    assert.deepEqual(await image.tables.scan(meta.tableId, undefined, 100), expected, "after a power loss: every acknowledged write, nothing else");
    await image.close();
    await engine.close();
  });

  it("a torn write fails its append and leaves no trace", async () => {
    const { fs, engine } = await setup();
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(2, "ok"), t0)).ok);
    let armed = true;
    fs.inject = (op) => (armed && op.kind === "writev" ? ((armed = false), Object.assign(errnoError("EIO", "torn"), { partialBytes: 50 })) : undefined);
    const failed = await log.append(makeRecords(2, "torn"), t0);
    assert.equal(failed.ok, false);
    assert.equal(!failed.ok && failed.failure.kind, "io");
    assert.deepEqual(await log.append(makeRecords(1, "after"), t0), { ok: true, firstOffset: 2, arrivalMs: t0 });
    assert.deepEqual(tags(await readAll(engine, 0)), ["ok:0:", "ok:1:", "after:0:"]);
    for (const mode of ["durable-only", "process"] as const) {
      const image = await openSim(fs.crashImage(mode));
      assert.deepEqual(tags(await readAll(image, 0)), ["ok:0:", "ok:1:", "after:0:"]);
      await image.close();
    }
    await engine.close();
  });

  it("a failed fdatasync fails its appends, which are cut durably before the caller hears", async () => {
    const { fs, engine } = await setup();
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(2, "ok"), t0)).ok);
    let armed = true;
    fs.inject = (op) => (armed && op.kind === "datasync" ? ((armed = false), errnoError("EIO", "fsync")) : undefined);
    const failed = await log.append(makeRecords(2, "lost"), t0);
    assert.equal(failed.ok, false);
    assert.equal(log.endOffset(), 2);
    for (const mode of ["durable-only", "process"] as const) {
      const image = await openSim(fs.crashImage(mode));
      assert.deepEqual(tags(await readAll(image, 0)), ["ok:0:", "ok:1:"], mode);
      await image.close();
    }
    assert.deepEqual(await log.append(makeRecords(1, "next"), t0), { ok: true, firstOffset: 2, arrivalMs: t0 });
    await engine.close();
  });

  it("when the repair fails too, the next append repairs first", async () => {
    const { fs, engine } = await setup();
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(2, "ok"), t0)).ok);
    let failing = true;
    fs.inject = (op: SimOp) => (failing && (op.kind === "datasync" || op.kind === "truncate") ? errnoError("EIO", op.kind) : undefined);
    const queued = [log.append(makeRecords(1, "x"), t0), log.append(makeRecords(1, "y"), t0)];
    assert.ok((await Promise.all(queued)).every((outcome) => !outcome.ok));
    assert.equal((await log.append(makeRecords(1, "z"), t0)).ok, false);
    failing = false;
    assert.deepEqual(await log.append(makeRecords(1, "w"), t0), { ok: true, firstOffset: 2, arrivalMs: t0 });
    assert.deepEqual(tags(await readAll(engine, 0)), ["ok:0:", "ok:1:", "w:0:"]);
    await engine.close();
    const reopened = await openSim(fs);
    assert.deepEqual(tags(await readAll(reopened, 0)), ["ok:0:", "ok:1:", "w:0:"]);
    await reopened.close();
  });

  it("a segment roll that fails leaves no half-made segment behind", async () => {
    const { fs, engine } = await setup({ segmentBytesMax: 1024 });
    const log = engine.logs.shard(streamId, 0);
    assert.ok((await log.append(makeRecords(10, "a"), t0)).ok);
    const segmentsBefore = fs.list(shardDir(0)).filter((name) => name.endsWith(".log"));
    let armed = true;
    fs.inject = (op) => (armed && op.kind === "datasync" && op.path.endsWith("00000000000000000010.log") ? ((armed = false), errnoError("EIO", "new segment")) : undefined);
    assert.equal((await log.append(makeRecords(10, "b"), t0)).ok, false);
    assert.deepEqual(fs.list(shardDir(0)).filter((name) => name.endsWith(".log")), segmentsBefore);
    assert.deepEqual(await log.append(makeRecords(10, "c"), t0), { ok: true, firstOffset: 10, arrivalMs: t0 });
    const image = await openSim(fs.crashImage("durable-only"));
    assert.deepEqual(tags(await readAll(image, 0)), [...tags(makeRecords(10, "a")), ...tags(makeRecords(10, "c"))]);
    await image.close();
    await engine.close();
  });

  it("appends to other shards carry on while one shard fails", async () => {
    const { fs, engine } = await setup();
    assert.ok((await engine.logs.shard(streamId, 0).append(makeRecords(1, "zero"), t0)).ok);
    assert.ok((await engine.logs.shard(streamId, 1).append(makeRecords(1, "one"), t0)).ok);
    fs.inject = (op) => (op.kind === "writev" && op.path.startsWith(shardDir(0)) ? errnoError("EIO", "bad sector") : undefined);
    const [bad, good] = await Promise.all([engine.logs.shard(streamId, 0).append(makeRecords(1, "x"), t0), engine.logs.shard(streamId, 1).append(makeRecords(1, "y"), t0)]);
    assert.equal(bad.ok, false);
    assert.equal(good.ok, true);
    fs.inject = undefined;
    await engine.close();
  });
});

describe("storage > catalog > durability", () => {
  it("is the old state or the new one after a crash at any moment of an update", async () => {
    const seed = new SeededRandom(9);
    const seen = new Set<string>();
    for (let crashAt = 1; ; crashAt++) {
      const fs = new SimFs();
      const engine = await openSim(fs);
      const { streamMeta, account } = await import("./cases.js");
      assert.ok((await putStream(streamsCatalog(engine), streamMeta("before"))).ok);
      const oldState = structuredClone((await streamsCatalog(engine).list()));
      let calls = 0;
      let crashed = false;
      fs.delay = () => {
        if (++calls === crashAt) {
          crashed = true;
          fs.crash();
        }
        return undefined;
      };
      const update = putStream(streamsCatalog(engine), streamMeta("after", { Tags: { a: "b" } }));
      const finished = await Promise.race([update.then(() => true), ticks(200).then(() => false)]);
      if (finished && !crashed) {
        fs.delay = undefined;
        await engine.close();
        assert.ok(crashAt > 3, "the update made fewer fs calls than expected");
        assert.deepEqual([...seen].sort(), ["after,before", "before"], "crashes should have left both states");
        return;
      }
      for (const mode of ["durable-only", "random", "random", "process"] as const) {
        const image = await openSim(fs.crashImage(mode, seed));
        const names = (await streamsCatalog(image).list()).map((meta) => meta.StreamName);
        seen.add(names.join());
        assert.ok(names.join() === "before" || names.join() === "after,before", `crash at call ${crashAt} (${mode}) left ${names.join()}`);
        if (names.length === 1) assert.deepEqual((await streamsCatalog(image).list()), oldState);
        if (finished) assert.deepEqual(names, ["after", "before"], "an acknowledged update was lost");
        await image.close();
      }
    }
  });

  it("withdraws a change it cannot write, and writes the next one", async () => {
    const { fs, engine } = await setup();
    const { streamMeta, account } = await import("./cases.js");
    fs.capacityBytes = fs.usedBytes() + 10;
    const failed = await putStream(streamsCatalog(engine), streamMeta("too-big", { Tags: { big: "x".repeat(200) } }));
    assert.equal(failed.ok, false);
    assert.equal(!failed.ok && failed.failure.kind, "no-space");
    assert.equal((await streamsCatalog(engine).get(account, "too-big")), undefined);
    fs.capacityBytes = Infinity;
    assert.ok((await putStream(streamsCatalog(engine), streamMeta("fits"))).ok);
    assert.ok((await streamsCatalog(engine).get(account, "fits")));
    await engine.close();
    const reopened = await openSim(fs);
    assert.equal((await streamsCatalog(reopened).get(account, "too-big")), undefined);
    assert.ok((await streamsCatalog(reopened).get(account, "fits")));
    await reopened.close();
  });
});

export type { StorageEngine };
