/**
 * The embedded object store's files (docs/formats/objects.md): what open removes (orphan blobs,
 * temporary files, a torn journal tail), what a failed write leaves (nothing visible, and writes go
 * on), keys that never become paths, a 64 MiB blob streamed in and out with bounded memory, the
 * cost of inserting and listing at 100,000 keys; small blobs inline in their journal frames (no
 * file operation, replayed at open, spilled to files past the budget, crash-safe at every step of
 * a spill), and journals of versions 1 and 2 opening unchanged.
 *
 * The tests about blob files set `objectInlineBytesMax: 0` (every blob a file).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { createEmbeddedEngine } from "../../src/storage/index.js";
import type { BucketRecord, StorageEngine } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { SimFs, errnoError } from "./sim-fs.js";
import { openSim, simDataDir } from "./sim-engine.js";
import { ManualClock } from "../../src/util/clock.js";
import { EmbeddedObjectStore, defaultReleaseGraceMs } from "../../src/storage/embedded/objects/embedded-objects.js";
import { objectJournalHeader, objectJournalVersion } from "../../src/storage/embedded/objects/object-journal.js";
import { crc32c } from "../../src/storage/embedded/crc32c.js";
import type { ObjectMutation } from "../../src/storage/objects/object-state.js";
import { account, chunksOf } from "./cases.js";

const bucket: BucketRecord = { Name: "b", accountId: account, region: "us-east-1", createdAtMs: 0, settings: {} };
/** Every blob a file of its own. */
const files = { objectInlineBytesMax: 0 };

async function withDataDir(run: (dataDir: string, open: () => Promise<StorageEngine>) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "tributary-objects-"));
  const open = () => createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(3), logger: silentLogger, accountId: account, objectInlineBytesMax: 0 });
  try {
    await run(dataDir, open);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function putText(engine: StorageEngine, key: string, content: string): Promise<void> {
  const written = await engine.objects.writeBlob(chunksOf(Buffer.from(content)));
  assert.ok(written.ok);
  assert.deepEqual(await engine.objects.putObject("b", key, { blobs: [written.blob], sizeBytes: written.blob.sizeBytes, lastModifiedMs: 0, meta: {} }), { ok: true });
}

async function readText(engine: StorageEngine, key: string): Promise<string | undefined> {
  const object = await engine.objects.getObject("b", key);
  if (object === undefined) return undefined;
  const chunks: Buffer[] = [];
  for (const blob of object.record.blobs) for await (const chunk of engine.objects.readBlob(blob)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function blobFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(join(dataDir, "objects/blobs"))) for (const name of await readdir(join(dataDir, "objects/blobs", shard))) out.push(`${shard}/${name}`);
  return out.sort();
}

/** A frame as journal versions 1 and 2 wrote it: the mutation's JSON, inline bytes base64 in it (version 2). */
function jsonFrame(mutation: ObjectMutation, inline?: Record<string, string>): Buffer {
  const payload = Buffer.from(JSON.stringify(inline === undefined ? mutation : { ...mutation, inline }), "utf8");
  const header = Buffer.alloc(8);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32c(payload), 4);
  return Buffer.concat([header, payload]);
}

/** A data directory whose objects journal is `parts` (the rest made by the engine's first open). */
async function writeSimJournal(fs: SimFs, parts: Buffer[]): Promise<void> {
  await fs.mkdir(`${simDataDir}/objects`);
  const out = await fs.open(`${simDataDir}/objects/journal`, "createTruncate");
  await out.writev([Buffer.concat(parts)], 0);
  await out.close();
}

function simBlobFiles(fs: SimFs): string[] {
  return fs.list(`${simDataDir}/objects/blobs`).flatMap((shard) => fs.list(`${simDataDir}/objects/blobs/${shard}`).map((name) => `${shard}/${name}`));
}

describe("storage > objects > embedded files", () => {
  it("open removes blobs never committed, temporary files and strays, keeping every named blob", () => withDataDir(async (dataDir, open) => {
    let engine = await open();
    await engine.objects.createBucket(bucket);
    await putText(engine, "kept", "kept bytes");
    const uncommitted = await engine.objects.writeBlob(chunksOf(Buffer.from("never committed")));
    assert.ok(uncommitted.ok);
    const named = (await engine.objects.getObject("b", "kept"))!.record.blobs[0]!.blobId;
    assert.deepEqual(await blobFiles(dataDir), [`${named.slice(0, 2)}/${named}`, `${uncommitted.blob.blobId.slice(0, 2)}/${uncommitted.blob.blobId}`].sort());
    await engine.close();
    // What a crash leaves: a write cut short in tmp/, and files that are no blob of ours.
    await writeFile(join(dataDir, "objects/tmp", "0123456789abcdef0123456789abcdef"), "half a blob");
    await writeFile(join(dataDir, "objects/blobs", named.slice(0, 2), "not-a-blob-id"), "stray");
    await mkdir(join(dataDir, "objects/blobs/zz"));
    engine = await open();
    assert.deepEqual(await blobFiles(dataDir), [`${named.slice(0, 2)}/${named}`]);
    assert.deepEqual(await readdir(join(dataDir, "objects/tmp")), []);
    assert.equal(await readText(engine, "kept"), "kept bytes");
    await engine.close();
  }));

  it("open removes a released blob whose unlink a crash (here: a failed unlink) cut short", async () => {
    const fs = new SimFs();
    let engine = await openSim(fs, files);
    await engine.objects.createBucket(bucket);
    await putText(engine, "doomed", "released bytes");
    await putText(engine, "kept", "kept bytes");
    // Every unlink fails, through the grace period's end and the close.
    fs.inject = (op) => (op.kind === "unlink" ? errnoError("EIO", op.path) : undefined);
    assert.deepEqual(await engine.objects.deleteObject("b", "doomed"), { ok: true });
    await engine.close();
    fs.inject = undefined;
    assert.equal(simBlobFiles(fs).length, 2, "the released blob's file is still there");
    engine = await openSim(fs, files);
    const kept = (await engine.objects.getObject("b", "kept"))!.record.blobs[0]!.blobId;
    assert.deepEqual(simBlobFiles(fs), [`${kept.slice(0, 2)}/${kept}`]);
    assert.equal(await readText(engine, "doomed"), undefined);
    await engine.close();
  });

  it("open cuts a torn journal tail and keeps every whole frame", () => withDataDir(async (dataDir, open) => {
    let engine = await open();
    await engine.objects.createBucket(bucket);
    await putText(engine, "one", "first");
    await putText(engine, "two", "second");
    await engine.close();
    await appendFile(join(dataDir, "objects/journal"), Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 123, 34]));
    engine = await open();
    assert.equal(await readText(engine, "one"), "first");
    assert.equal(await readText(engine, "two"), "second");
    await putText(engine, "three", "third");
    await engine.close();
    engine = await open();
    assert.deepEqual((await engine.objects.listObjects("b", { limit: 10 })).map((entry) => entry.key), ["one", "three", "two"]);
    await engine.close();
  }));

  it("a failed journal write fails its writes, leaves nothing of them visible, and writes go on", async () => {
    const fs = new SimFs();
    const engine = await openSim(fs, files);
    await engine.objects.createBucket(bucket);
    await putText(engine, "before", "old");
    const written = await engine.objects.writeBlob(chunksOf(Buffer.from("refused")));
    assert.ok(written.ok);
    // One failed fdatasync, after the frame's write landed in the file: the frame is there but refused.
    let armed = true;
    fs.inject = (op) => {
      if (!armed || op.kind !== "datasync" || !op.path.endsWith("/objects/journal")) return undefined;
      armed = false;
      return errnoError("ENOSPC", op.path);
    };
    const outcome = await engine.objects.putObject("b", "before", { blobs: [written.blob], sizeBytes: written.blob.sizeBytes, lastModifiedMs: 0, meta: {} });
    fs.inject = undefined;
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && "failure" in outcome && outcome.failure.kind, "no-space");
    assert.equal(await readText(engine, "before"), "old");
    await engine.objects.discardBlob(written.blob);
    await putText(engine, "after", "new");
    assert.equal(await readText(engine, "after"), "new");
    await engine.close();
    const reopened = await openSim(fs, files);
    assert.equal(await readText(reopened, "before"), "old");
    assert.equal(await readText(reopened, "after"), "new");
    await reopened.close();
  });

  it("a blob write that fails (disk full) answers no-space and leaves no file", async () => {
    const fs = new SimFs();
    const engine = await openSim(fs, files);
    let writes = 0;
    fs.inject = (op) => (op.kind === "writev" && op.path.includes("/objects/blobs/") && ++writes === 2 ? errnoError("ENOSPC", op.path) : undefined);
    const outcome = await engine.objects.writeBlob(chunksOf(Buffer.alloc(3 * 1024 * 1024, 1), 1024 * 1024));
    fs.inject = undefined;
    assert.equal(!outcome.ok && outcome.failure.kind, "no-space");
    assert.deepEqual(fs.list(`${simDataDir}/objects/tmp`), []);
    assert.deepEqual(simBlobFiles(fs), []);
    await engine.close();
  });

  it("a released blob's file stays through the grace period for readers of the old record, then goes", async () => {
    const fs = new SimFs();
    const clock = new ManualClock(0);
    const engine = await openSim(fs, { clock, ...files });
    await engine.objects.createBucket(bucket);
    await putText(engine, "k", "old bytes");
    const old = (await engine.objects.getObject("b", "k"))!;
    await putText(engine, "k", "new bytes");
    assert.equal(simBlobFiles(fs).length, 2);
    const chunks: Buffer[] = [];
    for await (const chunk of engine.objects.readBlob(old.record.blobs[0]!)) chunks.push(chunk);
    assert.equal(Buffer.concat(chunks).toString(), "old bytes");
    await clock.advanceAsync(defaultReleaseGraceMs);
    const current = (await engine.objects.getObject("b", "k"))!.record.blobs[0]!.blobId;
    assert.deepEqual(simBlobFiles(fs), [`${current.slice(0, 2)}/${current}`]);
    await engine.close();
  });

  it("keys never become paths: every file stays under objects/ with engine-chosen names", () => withDataDir(async (dataDir, open) => {
    const engine = await open();
    await engine.objects.createBucket(bucket);
    for (const key of ["../../../../tmp/escaped", "/etc/passwd", "a/../../b", "..", ".", "con", "x".repeat(1024), "ключ/🎉"]) await putText(engine, key, key);
    await engine.close();
    const entries = await readdir(join(dataDir, "objects"), { recursive: true });
    for (const entry of entries) assert.match(entry, /^(journal|blobs|tmp|blobs\/[0-9a-f]{2}|blobs\/[0-9a-f]{2}\/[0-9a-f]{32})$/);
  }));

  it("streams a 64 MiB blob in and out with bounded memory", () => withDataDir(async (_dataDir, open) => {
    const engine = await open();
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE(i * 2654435761 >>> 0, i);
    const chunkCount = 1024;
    // Live memory, not garbage waiting for a collection: collect before each sample.
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sample = () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    };
    const expected = createHash("sha256");
    async function* source() {
      for (let i = 0; i < chunkCount; i++) {
        // A fresh buffer per chunk, as a socket gives: nothing may hold on to them.
        const copy = Buffer.from(chunk);
        copy.writeUInt32LE(i, 0);
        expected.update(copy);
        if (i % 16 === 0) sample();
        yield copy;
      }
    }
    const started = performance.now();
    const written = await engine.objects.writeBlob(source());
    const seconds = (performance.now() - started) / 1000;
    assert.ok(written.ok);
    assert.equal(written.blob.sizeBytes, 64 * 1024 * 1024);
    const actual = createHash("sha256");
    let reads = 0;
    for await (const piece of engine.objects.readBlob(written.blob)) {
      assert.ok(piece.length <= 1024 * 1024);
      actual.update(piece);
      if (++reads % 8 === 0) sample();
    }
    assert.equal(actual.digest("hex"), expected.digest("hex"));
    // Two 1 MiB staging buffers (an aligned arena of four), the read chunk and the reads ahead of it
    // (four of 1 MiB), the chunks in flight (7-9 MiB measured before the read-ahead, 13 with it, the
    // process's other allocations now and then adding a few); the whole object would be 64 MiB.
    assert.ok(peak < 24 * 1024 * 1024, `external memory grew by ${(peak / 1048576).toFixed(1)} MiB`);
    process.stdout.write(`# 64 MiB blob written at ${(64 / seconds).toFixed(0)} MB/s (fsync always), peak external memory +${(peak / 1048576).toFixed(1)} MiB\n`);
    await engine.objects.discardBlob(written.blob);
    await engine.close();
  }));

  it("lists 1,000 of 100,000 keys in well under a millisecond per hundred, and inserts them at a bounded cost", () => withDataDir(async (_dataDir, open) => {
    const engine = await open();
    await engine.objects.createBucket(bucket);
    const written = await engine.objects.writeBlob(chunksOf(Buffer.from("x")));
    assert.ok(written.ok);
    const record = { blobs: [written.blob], sizeBytes: 1, lastModifiedMs: 0, meta: { ETag: '"9dd4e461268c8034f5c8564e155c67a6"', ContentType: "application/octet-stream" } };
    const count = 100_000;
    const started = performance.now();
    for (let batch = 0; batch < count; batch += 1000) {
      const writes = [];
      // Keys in scattered order, as many writers would send them.
      for (let i = batch; i < batch + 1000; i++) writes.push(engine.objects.putObject("b", `logs/${String((i * 7919) % count).padStart(6, "0")}.json`, record));
      assert.ok((await Promise.all(writes)).every((outcome) => outcome.ok));
    }
    const insertMs = performance.now() - started;
    const timings: number[] = [];
    for (let round = 0; round < 7; round++) {
      const at = performance.now();
      const listed = await engine.objects.listObjects("b", { prefix: "logs/0", afterKey: `logs/0${String(round * 1000).padStart(5, "0")}.json`, limit: 1000 });
      timings.push(performance.now() - at);
      assert.equal(listed.length, 1000);
    }
    const median = timings.sort((a, b) => a - b)[3]!;
    process.stdout.write(`# 100,000 puts in ${insertMs.toFixed(0)} ms (batches of 1,000, fsync always); list 1,000 of them: median ${median.toFixed(2)} ms\n`);
    assert.ok(median < 10, `listing 1,000 keys took ${median.toFixed(2)} ms`);
    await engine.close();
  }));
});

describe("storage > objects > embedded inline blobs", () => {
  const put = async (engine: StorageEngine, key: string, content: Buffer, hint?: number): Promise<boolean> => {
    const written = await engine.objects.writeBlob(chunksOf(content, 300), hint === undefined ? undefined : { sizeBytesHint: hint });
    if (!written.ok) return false;
    return (await engine.objects.putObject("b", key, { blobs: [written.blob], sizeBytes: written.blob.sizeBytes, lastModifiedMs: 0, meta: {} })).ok;
  };
  const read = async (engine: StorageEngine, key: string, start?: number, end?: number): Promise<Buffer | undefined> => {
    const object = await engine.objects.getObject("b", key);
    if (object === undefined) return undefined;
    const chunks: Buffer[] = [];
    for (const blob of object.record.blobs) for await (const chunk of engine.objects.readBlob(blob, start, end)) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const content = (i: number, sizeBytes = 1024): Buffer => {
    const out = Buffer.alloc(sizeBytes, i & 0xff);
    out.writeUInt32LE(i, 0);
    return out;
  };
  const inlineOf = (engine: StorageEngine): ReadonlySet<string> => {
    assert.ok(engine.objects instanceof EmbeddedObjectStore);
    return engine.objects.inlineBlobIds();
  };

  it("a small PUT touches no file but the journal: one writev and one fdatasync per group of puts, replayed at open", async () => {
    const fs = new SimFs();
    let engine = await openSim(fs);
    await engine.objects.createBucket(bucket);
    fs.recording = true;
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => put(engine, `k${i}`, content(i))));
    fs.recording = false;
    assert.ok(outcomes.every(Boolean));
    assert.deepEqual(fs.log.filter((op) => !op.path.endsWith("/objects/journal")), [], "no operation on any file but the journal");
    const syncs = fs.log.filter((op) => op.kind === "datasync").length;
    assert.ok(syncs >= 1 && syncs < 20, `${syncs} fdatasyncs for 20 concurrent puts (group commit)`);
    assert.deepEqual(simBlobFiles(fs), []);
    assert.equal(inlineOf(engine).size, 20);
    assert.ok((await read(engine, "k7", 100, 612))!.equals(content(7).subarray(100, 612)), "a ranged read of an inline blob");
    await engine.close();
    engine = await openSim(fs);
    for (let i = 0; i < 20; i++) assert.ok((await read(engine, `k${i}`))!.equals(content(i)), `k${i} after reopen`);
    // Replaced and deleted: the old bytes go from memory once the grace period is over (here: at close).
    assert.ok(await put(engine, "k0", content(100)));
    assert.deepEqual(await engine.objects.deleteObject("b", "k1"), { ok: true });
    await engine.close();
    engine = await openSim(fs);
    assert.ok((await read(engine, "k0"))!.equals(content(100)));
    assert.equal(await read(engine, "k1"), undefined);
    assert.equal(inlineOf(engine).size, 19);
    await engine.close();
  });

  it("the size hint and the bound choose inline or file; a blob that outgrows the bound mid-stream becomes a file", async () => {
    const fs = new SimFs();
    const engine = await openSim(fs);
    await engine.objects.createBucket(bucket);
    const cases: [string, Buffer, number | undefined, "inline" | "file"][] = [
      ["exactly 64 KiB", content(1, 64 * 1024), undefined, "inline"],
      ["hint too small", content(2, 5000), 10, "inline"],
      ["hint too large", content(3, 10), 60_000, "inline"],
      ["empty", Buffer.alloc(0), 0, "inline"],
      ["one byte over", content(4, 64 * 1024 + 1), undefined, "file"],
      ["hint over the bound", content(5, 100), 1024 * 1024, "file"],
      ["a megabyte", content(6, 1024 * 1024 + 17), 1024 * 1024 + 17, "file"],
    ];
    for (const [key, bytes, hint] of cases) assert.ok(await put(engine, key, bytes, hint), key);
    const inline = inlineOf(engine);
    for (const [key, bytes, , where] of cases) {
      const blobId = (await engine.objects.getObject("b", key))!.record.blobs[0]!.blobId;
      assert.equal(inline.has(blobId) ? "inline" : "file", where, key);
      assert.equal(simBlobFiles(fs).includes(`${blobId.slice(0, 2)}/${blobId}`), where === "file", `${key}: a file exactly when not inline`);
      assert.ok((await read(engine, key))!.equals(bytes), key);
    }
    // A pending inline blob discarded is gone from memory.
    const discarded = await engine.objects.writeBlob(chunksOf(Buffer.from("discarded")));
    assert.ok(discarded.ok);
    assert.ok(inlineOf(engine).has(discarded.blob.blobId));
    await engine.objects.discardBlob(discarded.blob);
    assert.ok(!inlineOf(engine).has(discarded.blob.blobId));
    await engine.close();
  });

  it("past the inline budget, the inline blobs spill to files while writes go on, then a compaction lets go of them: memory stays bounded, every object reads back", async () => {
    const fs = new SimFs();
    const budget = 16 * 1024;
    let engine = await openSim(fs, { objectInlineBudgetBytes: budget });
    await engine.objects.createBucket(bucket);
    let peakInline = 0;
    for (let i = 0; i < 200; i += 10) {
      assert.ok((await Promise.all(Array.from({ length: 10 }, (_, j) => put(engine, `k${i + j}`, content(i + j))))).every(Boolean));
      peakInline = Math.max(peakInline, inlineOf(engine).size * 1024);
    }
    // Twice the budget (past it, blobs go to files until a spill catches up), plus a group's puts in flight.
    assert.ok(peakInline <= 2 * budget + 10 * 1024, `held ${peakInline} inline bytes`);
    assert.ok(engine.objects instanceof EmbeddedObjectStore);
    await engine.objects.settled();
    assert.ok(inlineOf(engine).size * 1024 <= budget, `${inlineOf(engine).size} inline blobs held once the spills are done`);
    const files = simBlobFiles(fs).length;
    assert.ok(files >= 200 - budget / 1024, `${files} blobs spilled to files`);
    assert.equal(files + inlineOf(engine).size, 200, "each blob is a file or inline, never both once a spill is done");
    // The journal no longer carries the spilled bytes.
    assert.ok(fs.peek(`${simDataDir}/objects/journal`).length < 100 * 1024);
    for (let i = 0; i < 200; i++) assert.ok((await read(engine, `k${i}`))!.equals(content(i)), `k${i}`);
    await engine.close();
    engine = await openSim(fs, { objectInlineBudgetBytes: budget });
    for (let i = 0; i < 200; i++) assert.ok((await read(engine, `k${i}`))!.equals(content(i)), `k${i} after reopen`);
    assert.equal(simBlobFiles(fs).length + inlineOf(engine).size, 200);
    await engine.close();
  });

  it("a crash at any step of a spill (power loss or process death) leaves every acknowledged object whole and readable", async () => {
    const budget = 6 * 1024;
    // The one change in flight when the disk stopped may be there or not: its key is old or new.
    type InFlight = { key: string; bytes: Buffer | undefined } | undefined;
    const run = async (crashAt: number | undefined): Promise<{ fs: SimFs; acknowledged: Map<string, Buffer>; inFlight: InFlight; calls: number }> => {
      const fs = new SimFs();
      const engine = await openSim(fs, { objectInlineBudgetBytes: budget, clock: new ManualClock(0) });
      await engine.objects.createBucket(bucket);
      const acknowledged = new Map<string, Buffer>();
      let calls = 0;
      let crashed = false;
      fs.delay = () => {
        if (++calls === crashAt) {
          crashed = true;
          fs.crash();
        }
        return undefined;
      };
      let finished = false;
      let inFlight: InFlight;
      void (async () => {
        // Puts, replacements and a delete of spilled objects, and a file blob among them.
        for (let i = 0; i < 16; i++) {
          const bytes = content(i, i === 9 ? 70 * 1024 : 1024);
          inFlight = { key: `k${i % 12}`, bytes };
          if (await put(engine, `k${i % 12}`, bytes)) acknowledged.set(`k${i % 12}`, bytes);
          if (i !== 13) continue;
          inFlight = { key: "k2", bytes: undefined };
          if ((await engine.objects.deleteObject("b", "k2")).ok) acknowledged.delete("k2");
        }
        inFlight = undefined;
        finished = true;
      })();
      for (let tick = 0; tick < 20_000 && !crashed && !finished; tick++) await new Promise((resolve) => setImmediate(resolve));
      // The calls of the writes, not of the close.
      fs.delay = undefined;
      if (!crashed) await engine.close();
      return { fs, acknowledged, inFlight, calls };
    };
    const whole = await run(undefined);
    assert.ok(whole.fs.list(`${simDataDir}/objects/blobs`).length > 0, "the run spills");
    let checked = 0;
    for (let crashAt = 1; crashAt <= whole.calls; crashAt++) {
      for (const mode of ["durable-only", "random", "process"] as const) {
        const { fs, acknowledged, inFlight } = await run(crashAt);
        const image = fs.crashImage(mode, new SeededRandom(crashAt));
        const engine = await openSim(image, { objectInlineBudgetBytes: budget });
        const context = `crash at fs call ${crashAt} of ${whole.calls} (${mode})`;
        for (const [key, bytes] of acknowledged) {
          const found = await read(engine, key);
          const isNew = inFlight?.key === key && (inFlight.bytes === undefined ? found === undefined : found?.equals(inFlight.bytes) === true);
          assert.ok(found?.equals(bytes) || isNew, `${context}: acknowledged ${key} lost or torn`);
        }
        for (const entry of await engine.objects.listObjects("b", { limit: 100 })) {
          const bytes = (await read(engine, entry.key))!;
          assert.equal(bytes.length, entry.record.sizeBytes, `${context}: ${entry.key} is whole`);
          assert.equal(bytes.readUInt32LE(0) % 12, Number(entry.key.slice(1)), `${context}: ${entry.key} holds one of its own contents`);
        }
        // On disk, exactly the named blobs that are not inline.
        const inline = inlineOf(engine);
        const named = (await engine.objects.listObjects("b", { limit: 100 })).flatMap((entry) => entry.record.blobs.map((blob) => blob.blobId)).filter((id) => !inline.has(id));
        assert.deepEqual(simBlobFiles(image).map((path) => path.slice(3)).sort(), named.sort(), `${context}: files are exactly the named file blobs`);
        await engine.close();
        checked++;
      }
    }
    process.stdout.write(`# ${checked} crash images across ${whole.calls} fs calls of puts and spills\n`);
  });

  it("a version-1 journal (every blob a file) opens unchanged, and is rewritten in the current format", async () => {
    const fs = new SimFs();
    await fs.mkdir(`${simDataDir}/objects/blobs/ab`);
    const blobId = "ab".padEnd(32, "0");
    const handle = await fs.open(`${simDataDir}/objects/blobs/ab/${blobId}`, "createTruncate");
    await handle.writev([Buffer.from("version one bytes")], 0);
    await handle.close();
    await writeSimJournal(fs, [
      objectJournalHeader(1),
      jsonFrame({ op: "bucket", bucket }),
      jsonFrame({ op: "object", bucket: "b", key: "old", record: { blobs: [{ blobId, sizeBytes: 17 }], sizeBytes: 17, lastModifiedMs: 0, meta: {} } }),
    ]);
    // An engine's data directory: the rest of it made by a first open, then the objects replaced.
    let engine = await openSim(fs);
    assert.equal((await read(engine, "old"))?.toString(), "version one bytes");
    assert.equal(fs.peek(`${simDataDir}/objects/journal`).readUInt32LE(4), objectJournalVersion, "the header is the current version");
    assert.ok(await put(engine, "new", content(1)));
    await engine.close();
    engine = await openSim(fs);
    assert.equal((await read(engine, "old"))?.toString(), "version one bytes");
    assert.ok((await read(engine, "new"))!.equals(content(1)));
    await engine.close();
  });

  it("a version-2 journal (inline bytes base64 in the JSON) opens with its inline blobs, rewritten in the current format", async () => {
    const fs = new SimFs();
    const [first, second, dropped] = ["cd".padEnd(32, "1"), "cd".padEnd(32, "2"), "cd".padEnd(32, "3")];
    const record = (blobId: string, sizeBytes: number) => ({ blobs: [{ blobId, sizeBytes }], sizeBytes, lastModifiedMs: 0, meta: { ETag: "\"x\"" } });
    await writeSimJournal(fs, [
      objectJournalHeader(2),
      jsonFrame({ op: "bucket", bucket }),
      jsonFrame({ op: "object", bucket: "b", key: "one", record: record(first, 1024) }, { [first]: content(1).toString("base64") }),
      jsonFrame({ op: "object", bucket: "b", key: "gone", record: record(dropped, 5) }, { [dropped]: Buffer.from("bytes").toString("base64") }),
      jsonFrame({ op: "delete-object", bucket: "b", key: "gone" }),
      // A copy names the first frame's blob: the bytes travel once.
      jsonFrame({ op: "object", bucket: "b", key: "copy", record: record(first, 1024) }),
      jsonFrame({ op: "object", bucket: "b", key: "two", record: record(second, 2000) }, { [second]: content(2, 2000).toString("base64") }),
    ]);
    let engine = await openSim(fs);
    const check = async (more: string[] = []): Promise<void> => {
      assert.ok((await read(engine, "one"))!.equals(content(1)));
      assert.ok((await read(engine, "copy"))!.equals(content(1)));
      assert.ok((await read(engine, "two"))!.equals(content(2, 2000)));
      assert.equal(await read(engine, "gone"), undefined);
      assert.deepEqual([...inlineOf(engine)].sort(), [first, second, ...more].sort());
      assert.deepEqual(simBlobFiles(fs), [], "inline blobs stay inline");
    };
    await check();
    const journal = fs.peek(`${simDataDir}/objects/journal`);
    assert.equal(journal.readUInt32LE(4), objectJournalVersion, "the header is the current version");
    assert.equal(journal.indexOf(Buffer.from(content(1).toString("base64").slice(0, 40))), -1, "no base64 left");
    assert.equal(journal.indexOf(content(1)), journal.lastIndexOf(content(1)), "the bytes once, raw");
    assert.ok(journal.indexOf(content(1)) > 0);
    assert.ok(await put(engine, "three", content(3)));
    await engine.close();
    engine = await openSim(fs);
    const three = (await engine.objects.getObject("b", "three"))!.record.blobs[0]!.blobId;
    await check([three]);
    assert.ok((await read(engine, "three"))!.equals(content(3)));
    await engine.close();
  });
});
