/**
 * The embedded object store's files (docs/formats/objects.md): what open removes (orphan blobs,
 * temporary files, a torn journal tail), what a failed write leaves (nothing visible, and writes go
 * on), keys that never become paths, a 64 MiB blob streamed in and out with bounded memory, and the
 * cost of inserting and listing at 100,000 keys.
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
import { defaultReleaseGraceMs } from "../../src/storage/embedded/objects/embedded-objects.js";
import { account, chunksOf } from "./cases.js";

const bucket: BucketRecord = { Name: "b", accountId: account, region: "us-east-1", createdAtMs: 0, settings: {} };

async function withDataDir(run: (dataDir: string, open: () => Promise<StorageEngine>) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "tributary-objects-"));
  const open = () => createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(3), logger: silentLogger, accountId: account });
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
    let engine = await openSim(fs);
    await engine.objects.createBucket(bucket);
    await putText(engine, "doomed", "released bytes");
    await putText(engine, "kept", "kept bytes");
    // Every unlink fails, through the grace period's end and the close.
    fs.inject = (op) => (op.kind === "unlink" ? errnoError("EIO", op.path) : undefined);
    assert.deepEqual(await engine.objects.deleteObject("b", "doomed"), { ok: true });
    await engine.close();
    fs.inject = undefined;
    assert.equal(simBlobFiles(fs).length, 2, "the released blob's file is still there");
    engine = await openSim(fs);
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
    const engine = await openSim(fs);
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
    const reopened = await openSim(fs);
    assert.equal(await readText(reopened, "before"), "old");
    assert.equal(await readText(reopened, "after"), "new");
    await reopened.close();
  });

  it("a blob write that fails (disk full) answers no-space and leaves no file", async () => {
    const fs = new SimFs();
    const engine = await openSim(fs);
    let writes = 0;
    fs.inject = (op) => (op.kind === "writev" && op.path.includes("/objects/tmp/") && ++writes === 2 ? errnoError("ENOSPC", op.path) : undefined);
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
    const engine = await openSim(fs, { clock });
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
    // Two 1 MiB staging buffers, a read chunk and the chunks in flight (some 3 MiB measured, with
    // the process's other allocations now and then adding a few); the whole object would be 64 MiB.
    assert.ok(peak < 16 * 1024 * 1024, `external memory grew by ${(peak / 1048576).toFixed(1)} MiB`);
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
