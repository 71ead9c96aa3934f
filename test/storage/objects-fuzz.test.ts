/**
 * Seeded random operation sequences against the object stores, checked against a simple model
 * (as test/storage/fuzz.test.ts does for logs): bucket creation and removal, puts of blobs written
 * in random chunks, copies naming another object's blobs, deletes, multipart uploads (parts
 * replaced, completed or aborted), listings with random prefixes, start keys and limits, ranged
 * reads. The embedded store runs on the simulated disk with a tiny compaction floor, and also
 * reopens cleanly and crashes in the middle of writes (power loss keeping only what was synced,
 * random prefixes of the rest, or a process crash); after every open, the blob files on disk are
 * exactly the blobs the records name that are not inline — no orphans, none missing. Each embedded
 * run draws where small blobs go (inline up to 1,500 bytes or 64 KiB, or every blob a file), an
 * inline budget (tiny ones spill at most compactions), and size hints (none, exact, or wrong); a
 * run with inline blobs must have seen some, and one with a tiny budget must have seen spills.
 *
 * A failure prints its seed; replay it with TRIBUTARY_FUZZ_SEED=<seed> (TRIBUTARY_FUZZ_STEPS for
 * the length, TRIBUTARY_FUZZ_SEEDS=<n> for more seeds).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimFs, type CrashMode } from "./sim-fs.js";
import { EmbeddedObjectStore } from "../../src/storage/embedded/objects/embedded-objects.js";
import { MemoryObjectStore } from "../../src/storage/memory/memory-objects.js";
import type { BlobOutcome, BlobRef, ObjectStore, WriteOutcome } from "../../src/storage/types.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { ManualClock } from "../../src/util/clock.js";

const objectsDir = "/data/objects";
const bucketNames = ["alpha", "beta", "gamma"];
/** Keys chosen to cross UTF-8/UTF-16 order, path-like text and long keys. */
const keyPool = [
  "a", "a/", "a/b", "a/b/c", "a/\uE000", "a/\u{10000}", "\uFFFD", "\u{1F600}x", "../../etc/passwd", "./x", "ключ/значение",
  "A", "b", "b/", "%2F", " ", "x".repeat(300), "é" + "z".repeat(500), "logs/2026/01", "logs/2026/02", "logs/2027",
];
const prefixPool = ["", "a", "a/", "a/b", "\uE000", "a/\u{10000}", "logs/", "logs/2026/", "z", "\u{1F600}"];

interface ModelUpload {
  key: string;
  parts: Map<number, Buffer>;
}

interface ModelBucket {
  objects: Map<string, Buffer>;
  uploads: Map<string, ModelUpload>;
}

function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

async function readAll(store: ObjectStore, blobs: readonly BlobRef[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (const blob of blobs) for await (const chunk of store.readBlob(blob)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function ok(outcome: WriteOutcome | { ok: boolean }, what: string): void {
  assert.ok(outcome.ok, `${what} failed: ${JSON.stringify(outcome)}`);
}

class ObjectFuzz {
  private fs = new SimFs();
  store!: ObjectStore;
  private readonly model = new Map<string, ModelBucket>();
  private uploadCounter = 0;
  private readonly clock = new ManualClock(0);
  /** How long released blobs stay readable (embedded; the memory engine keeps recent ones). */
  private readonly graceMs: number;
  step = 0;
  readonly trace: string[] = [];

  /** Where small blobs go (embedded): inline up to this many bytes (0: every blob a file). */
  private readonly inlineBytesMax: number;
  private readonly inlineBudgetBytes: number;
  /** Named inline blobs seen by compareAll, and those of them seen later as files (spilled). */
  private readonly seenInline = new Set<string>();
  private inlineSeen = 0;
  private spilledSeen = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly seed: number,
    private readonly engine: "memory" | "embedded",
  ) {
    this.graceMs = random.int(2) === 0 ? 0 : 1000;
    this.inlineBytesMax = this.pick([0, 1500, 64 * 1024]);
    this.inlineBudgetBytes = this.pick([4096, 20_000, 64 * 1024 * 1024]);
  }

  private int(bound: number): number {
    return this.random.int(bound);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  private async open(): Promise<void> {
    if (this.engine === "memory") {
      this.store = new MemoryObjectStore(new SeededRandom(this.seed));
      return;
    }
    // The same seed at every open: blob ids drawn again must not collide with those on disk.
    this.store = await EmbeddedObjectStore.open({
      fs: this.fs, dir: objectsDir, fsync: "always", random: new SeededRandom(this.seed), logger: silentLogger, compactionFloorFrames: 16, clock: this.clock,
      releaseGraceMs: this.graceMs, inlineBytesMax: this.inlineBytesMax, inlineBudgetBytes: this.inlineBudgetBytes,
    });
  }

  async run(steps: number): Promise<void> {
    // The data directory's own entry, durable as the engine makes it before opening its stores.
    await this.fs.mkdir("/data");
    await this.fs.syncDir("/");
    await this.open();
    for (this.step = 0; this.step < steps; this.step++) {
      const roll = this.int(100);
      if (roll < 6) await this.createBucket();
      else if (roll < 8) await this.dropBucket();
      else if (roll < 32) await this.put();
      else if (roll < 38) await this.copy();
      else if (roll < 46) await this.remove();
      else if (roll < 58) await this.multipart();
      else if (roll < 72) await this.list();
      else if (roll < 82) await this.read();
      else if (this.engine === "embedded" && roll < 88) await this.reopen();
      else if (this.engine === "embedded" && roll < 96) await this.crashMidWrite();
      else await this.compareAll();
    }
    await this.compareAll();
    await this.close();
    if (this.engine === "embedded" && this.inlineBytesMax > 0) {
      assert.ok(this.inlineSeen > 0, "the run had inline blobs");
      if (this.inlineBudgetBytes <= 4096) assert.ok(this.spilledSeen > 0, "the run spilled inline blobs to files");
    }
  }

  /** A blob streamed in, or (a fifth of the time) handed over whole as a copy the store may keep. */
  private write(content: Buffer): Promise<BlobOutcome> {
    if (this.int(5) === 0 && this.store.writeBlobBytes !== undefined) return this.store.writeBlobBytes(Buffer.from(content));
    return this.store.writeBlob(this.source(content), this.hint(content));
  }

  /** No hint, the exact length, or a wrong one (a hint only chooses where the bytes go first). */
  private hint(content: Buffer): { sizeBytesHint: number } | undefined {
    const roll = this.int(4);
    if (roll === 0) return undefined;
    if (roll === 1) return { sizeBytesHint: this.int(100_000) };
    return { sizeBytesHint: content.length };
  }

  private async close(): Promise<void> {
    if (this.store instanceof EmbeddedObjectStore) await this.store.close();
    else (this.store as MemoryObjectStore).close();
  }

  private content(): Buffer {
    const size = this.int(12) === 0 ? 1024 * 1024 + this.int(300_000) : this.int(12) === 0 ? 0 : this.int(3000);
    const out = Buffer.alloc(size, this.int(256));
    // Distinct content without drawing a random number per byte.
    for (let at = 0; at + 8 <= size; at += 997) out.writeDoubleLE(this.step * 1000 + at, at);
    return out;
  }

  /** The content as a source of random chunk sizes (sometimes empty chunks). */
  private async *source(content: Buffer): AsyncIterable<Uint8Array> {
    let at = 0;
    // Byte-sized chunks only for small contents: a megabyte of them is a million awaits.
    const chunkBytes = Math.max(this.pick([1, 7, 4096, 65_536, 400_000]), content.length >> 8);
    while (at < content.length) {
      if (this.int(20) === 0) yield new Uint8Array(0);
      const end = Math.min(content.length, at + 1 + this.int(chunkBytes));
      yield new Uint8Array(content.subarray(at, end));
      at = end;
    }
  }

  private async writeBlob(content: Buffer): Promise<BlobRef> {
    const outcome = await this.write(content);
    assert.ok(outcome.ok, "writeBlob failed");
    assert.equal(outcome.blob.sizeBytes, content.length);
    return outcome.blob;
  }

  private bucketWithObjects(): string | undefined {
    const names = [...this.model.entries()].filter(([, bucket]) => bucket.objects.size > 0).map(([name]) => name);
    return names.length === 0 ? undefined : this.pick(names);
  }

  private async createBucket(): Promise<void> {
    const name = this.pick(bucketNames);
    this.trace.push(`${this.step}: create bucket ${name}`);
    const outcome = await this.store.createBucket({ Name: name, accountId: "111122223333", region: "us-east-1", createdAtMs: this.step, settings: { step: this.step } });
    if (this.model.has(name)) assert.deepEqual(outcome, { ok: false, exists: true, accountId: "111122223333" });
    else {
      assert.deepEqual(outcome, { ok: true });
      this.model.set(name, { objects: new Map(), uploads: new Map() });
    }
  }

  private async dropBucket(): Promise<void> {
    const name = this.pick(bucketNames);
    this.trace.push(`${this.step}: drop bucket ${name}`);
    ok(await this.store.dropBucket(name), "dropBucket");
    this.model.delete(name);
    assert.equal(await this.store.getBucket(name), undefined);
  }

  private async put(): Promise<void> {
    if (this.model.size === 0) return this.createBucket();
    const bucket = this.pick([...this.model.keys()]);
    const key = this.pick(keyPool);
    const content = this.content();
    this.trace.push(`${this.step}: put ${bucket}/${key} (${content.length} bytes)`);
    const blob = await this.writeBlob(content);
    // A reader that read the record before the replacement (a GetObject racing a PutObject).
    const before = this.engine === "memory" || this.graceMs > 0 ? await this.store.getObject(bucket, key) : undefined;
    ok(await this.store.putObject(bucket, key, { blobs: [blob], sizeBytes: blob.sizeBytes, lastModifiedMs: this.step, meta: { ETag: `"${this.step}"` } }), "putObject");
    if (before !== undefined) {
      const old = this.model.get(bucket)!.objects.get(key)!;
      assert.ok((await readAll(this.store, before.record.blobs)).equals(old), "a record read before its replacement still reads its bytes");
    }
    this.model.get(bucket)!.objects.set(key, content);
  }

  private async copy(): Promise<void> {
    const bucket = this.bucketWithObjects();
    if (bucket === undefined) return this.put();
    const sourceKey = this.pick([...this.model.get(bucket)!.objects.keys()]);
    const target = this.pick([...this.model.keys()]);
    const targetKey = this.pick(keyPool);
    this.trace.push(`${this.step}: copy ${bucket}/${sourceKey} to ${target}/${targetKey}`);
    const source = (await this.store.getObject(bucket, sourceKey))!;
    ok(await this.store.putObject(target, targetKey, { ...source.record, lastModifiedMs: this.step }), "copy");
    this.model.get(target)!.objects.set(targetKey, this.model.get(bucket)!.objects.get(sourceKey)!);
  }

  private async remove(): Promise<void> {
    const bucket = this.bucketWithObjects();
    if (bucket === undefined) return;
    const objects = this.model.get(bucket)!.objects;
    const key = this.int(5) === 0 ? this.pick(keyPool) : this.pick([...objects.keys()]);
    this.trace.push(`${this.step}: delete ${bucket}/${key}`);
    if (this.int(2) === 0) {
      const current = await this.store.getObject(bucket, key);
      const outcome = await this.store.deleteObject(bucket, key, { expectedRevision: current?.revision ?? "absent" });
      assert.ok(outcome.ok, "a compare-and-set delete at the current revision succeeds");
    } else {
      ok(await this.store.deleteObject(bucket, key), "deleteObject");
    }
    objects.delete(key);
  }

  private async multipart(): Promise<void> {
    if (this.model.size === 0) return this.createBucket();
    const bucket = this.pick([...this.model.keys()]);
    const state = this.model.get(bucket)!;
    const open = [...state.uploads.keys()];
    if (open.length === 0 || this.int(3) === 0) {
      const uploadId = `upload-${this.uploadCounter++}`;
      const key = this.pick(keyPool);
      this.trace.push(`${this.step}: create upload ${uploadId} for ${bucket}/${key}`);
      ok(await this.store.createUpload(bucket, { uploadId, key, initiatedMs: this.step, meta: {} }), "createUpload");
      state.uploads.set(uploadId, { key, parts: new Map() });
      return;
    }
    const uploadId = this.pick(open);
    const upload = state.uploads.get(uploadId)!;
    const roll = this.int(10);
    if (roll < 6) {
      const partNumber = 1 + this.int(5);
      const content = this.content();
      this.trace.push(`${this.step}: part ${partNumber} of ${uploadId} (${content.length} bytes)`);
      const blob = await this.writeBlob(content);
      ok(await this.store.putPart(bucket, uploadId, { partNumber, blob, lastModifiedMs: this.step, meta: { ETag: `"p${this.step}"` } }), "putPart");
      upload.parts.set(partNumber, content);
      const parts = await this.store.listParts(bucket, uploadId);
      assert.deepEqual(parts.map((part) => part.partNumber), [...upload.parts.keys()].sort((a, b) => a - b));
    } else if (roll < 8 && upload.parts.size > 0) {
      this.trace.push(`${this.step}: complete ${uploadId} into ${bucket}/${upload.key}`);
      const parts = await this.store.listParts(bucket, uploadId);
      const blobs = parts.map((part) => part.blob);
      const sizeBytes = blobs.reduce((sum, blob) => sum + blob.sizeBytes, 0);
      ok(await this.store.putObject(bucket, upload.key, { blobs, sizeBytes, lastModifiedMs: this.step, meta: {} }), "complete: putObject");
      ok(await this.store.removeUpload(bucket, uploadId), "complete: removeUpload");
      const numbers = [...upload.parts.keys()].sort((a, b) => a - b);
      state.objects.set(upload.key, Buffer.concat(numbers.map((number) => upload.parts.get(number)!)));
      state.uploads.delete(uploadId);
    } else {
      this.trace.push(`${this.step}: abort ${uploadId}`);
      ok(await this.store.removeUpload(bucket, uploadId), "abort");
      state.uploads.delete(uploadId);
    }
  }

  private async list(): Promise<void> {
    const bucket = this.pick([...this.model.keys(), "missing"]);
    const prefix = this.int(3) === 0 ? undefined : this.pick(prefixPool);
    const afterKey = this.int(2) === 0 ? undefined : this.pick(keyPool);
    const limit = this.pick([1, 2, 5, 1000]);
    this.trace.push(`${this.step}: list ${bucket} prefix ${JSON.stringify(prefix)} after ${JSON.stringify(afterKey)} limit ${limit}`);
    const options: { prefix?: string; afterKey?: string; limit: number } = { limit };
    if (prefix !== undefined) options.prefix = prefix;
    if (afterKey !== undefined) options.afterKey = afterKey;
    const listed = await this.store.listObjects(bucket, options);
    const expected = [...(this.model.get(bucket)?.objects.keys() ?? [])]
      .filter((key) => (prefix === undefined || key.startsWith(prefix)) && (afterKey === undefined || utf8Order(key, afterKey) > 0))
      .sort(utf8Order)
      .slice(0, limit);
    assert.deepEqual(listed.map((entry) => entry.key), expected);
    for (const entry of listed) assert.equal(entry.record.sizeBytes, this.model.get(bucket)!.objects.get(entry.key)!.length);
  }

  private async read(): Promise<void> {
    const bucket = this.bucketWithObjects();
    if (bucket === undefined) return;
    const key = this.pick([...this.model.get(bucket)!.objects.keys()]);
    const content = this.model.get(bucket)!.objects.get(key)!;
    const object = (await this.store.getObject(bucket, key))!;
    assert.ok(object, `${bucket}/${key} is missing`);
    if (object.record.blobs.length === 1 && content.length > 0) {
      const start = this.int(content.length);
      const end = start + this.int(content.length - start + 1);
      this.trace.push(`${this.step}: read ${bucket}/${key} [${start}, ${end})`);
      const chunks: Buffer[] = [];
      for await (const chunk of this.store.readBlob(object.record.blobs[0]!, start, end)) {
        assert.ok(chunk.length <= 1024 * 1024, "chunks are bounded");
        chunks.push(chunk);
      }
      assert.ok(Buffer.concat(chunks).equals(content.subarray(start, end)), "ranged read differs");
    } else {
      this.trace.push(`${this.step}: read ${bucket}/${key}`);
      assert.ok((await readAll(this.store, object.record.blobs)).equals(content), "read differs");
    }
  }

  private async reopen(): Promise<void> {
    this.trace.push(`${this.step}: reopen`);
    await this.close();
    await this.open();
    await this.compareAll();
  }

  /** Puts and deletes in flight when the disk stops: acknowledged ones survive, the rest are old or new, never torn. */
  private async crashMidWrite(): Promise<void> {
    if (this.model.size === 0) return this.createBucket();
    const mode: CrashMode = this.pick(["durable-only", "random", "process"] as const);
    const bucket = this.pick([...this.model.keys()]);
    const keys = [...new Set(Array.from({ length: 1 + this.int(4) }, () => this.pick(keyPool)))];
    const calls = keys.map((key) => ({ key, content: this.int(4) === 0 ? undefined : this.content(), outcome: undefined as WriteOutcome | undefined }));
    const crashAtCall = 1 + this.int(24);
    let count = 0;
    let crashed = false;
    const disk = this.fs;
    disk.delay = () => {
      if (++count === crashAtCall) {
        crashed = true;
        disk.crash();
      }
      return undefined;
    };
    for (const call of calls) {
      const write = async (): Promise<WriteOutcome> => {
        if (call.content === undefined) return this.store.deleteObject(bucket, call.key);
        const blob = await this.write(call.content);
        if (!blob.ok) return blob;
        return this.store.putObject(bucket, call.key, { blobs: [blob.blob], sizeBytes: blob.blob.sizeBytes, lastModifiedMs: this.step, meta: {} });
      };
      void write().then((outcome) => (call.outcome = outcome), () => (call.outcome = { ok: false, failure: { kind: "io", message: "rejected" } }));
    }
    for (let tick = 0; tick < 2000 && !crashed && calls.some((call) => call.outcome === undefined); tick++) await new Promise((resolve) => setImmediate(resolve));
    disk.crash();
    this.trace.push(`${this.step}: crash (${mode}) at fs call ${crashAtCall} in ${bucket}: ${calls.map((call) => `${call.content === undefined ? "delete" : "put"} ${call.key} ${call.outcome?.ok ? "acknowledged" : "unacknowledged"}`).join(", ")}`);
    this.fs = disk.crashImage(mode, { int: (bound: number) => this.int(bound) });
    await this.open();
    const objects = this.model.get(bucket)!.objects;
    for (const call of calls) {
      const found = await this.store.getObject(bucket, call.key);
      const bytes = found === undefined ? undefined : await readAll(this.store, found.record.blobs);
      const before = objects.get(call.key);
      const after = call.content;
      const same = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined ? b === undefined : b !== undefined && a.equals(b));
      if (call.outcome?.ok) assert.ok(same(bytes, after), `acknowledged ${call.key} lost after a ${mode} crash`);
      else assert.ok(same(bytes, before) || same(bytes, after), `unacknowledged ${call.key} is neither old nor new after a ${mode} crash`);
      if (bytes === undefined) objects.delete(call.key);
      else objects.set(call.key, bytes);
    }
    await this.compareAll();
  }

  /** Every bucket, object and upload as the model has them; on disk, exactly the named blobs. */
  async compareAll(): Promise<void> {
    assert.deepEqual((await this.store.listBuckets()).map((bucket) => bucket.Name), [...this.model.keys()].sort());
    const named = new Set<string>();
    for (const [name, bucket] of this.model) {
      const listed = await this.store.listObjects(name, { limit: 10_000 });
      assert.deepEqual(listed.map((entry) => entry.key), [...bucket.objects.keys()].sort(utf8Order));
      for (const entry of listed) {
        assert.ok((await readAll(this.store, entry.record.blobs)).equals(bucket.objects.get(entry.key)!), `${name}/${entry.key} differs`);
        for (const blob of entry.record.blobs) named.add(blob.blobId);
      }
      const stats = await this.store.bucketStats(name);
      assert.equal(stats.objectCount, bucket.objects.size);
      assert.equal(stats.sizeBytes, [...bucket.objects.values()].reduce((sum, content) => sum + content.length, 0));
      assert.deepEqual(new Set((await this.store.listUploads(name)).map((upload) => upload.uploadId)), new Set(bucket.uploads.keys()));
      for (const [uploadId, upload] of bucket.uploads) {
        const parts = await this.store.listParts(name, uploadId);
        assert.deepEqual(parts.map((part) => part.partNumber), [...upload.parts.keys()].sort((a, b) => a - b));
        for (const part of parts) {
          assert.ok((await readAll(this.store, [part.blob])).equals(upload.parts.get(part.partNumber)!), `part ${part.partNumber} of ${uploadId} differs`);
          named.add(part.blob.blobId);
        }
      }
    }
    if (this.engine === "embedded") {
      // Past the grace period: released blobs go. A spill running in the background finishes first.
      await (this.store as EmbeddedObjectStore).settled();
      this.clock.advance(this.graceMs);
      await this.settle();
      const onDisk = this.fs.list(`${objectsDir}/blobs`).flatMap((shard) => this.fs.list(`${objectsDir}/blobs/${shard}`));
      const inline = (this.store as EmbeddedObjectStore).inlineBlobIds();
      const namedFiles = [...named].filter((blobId) => !inline.has(blobId));
      assert.deepEqual(onDisk.sort(), namedFiles.sort(), "blob files on disk are exactly the named blobs that are not inline");
      for (const blobId of namedFiles) if (this.seenInline.delete(blobId)) this.spilledSeen++;
      for (const blobId of named) {
        if (!inline.has(blobId) || this.seenInline.has(blobId)) continue;
        this.seenInline.add(blobId);
        this.inlineSeen++;
      }
      // Inline bytes held stay near the budget: it, plus what one group commit and the graces add.
      const held = [...inline].length;
      assert.ok(this.inlineBudgetBytes > 1024 * 1024 || held * 3000 <= this.inlineBudgetBytes + 64 * 3000, `${held} inline blobs held past a ${this.inlineBudgetBytes}-byte budget`);
      assert.deepEqual(this.fs.list(`${objectsDir}/tmp`), []);
    }
  }

  /** Lets released blobs' unlinks (started after their writes resolved) finish. */
  private async settle(): Promise<void> {
    // A dropped bucket releases many blobs at once, each unlink a turn of the simulated disk.
    for (let tick = 0; tick < 200; tick++) await new Promise((resolve) => setImmediate(resolve));
  }
}

const replaySeed = process.env.TRIBUTARY_FUZZ_SEED;
const steps = Number(process.env.TRIBUTARY_FUZZ_STEPS ?? 300);
const seeds = replaySeed !== undefined
  ? [Number(replaySeed)]
  : [1, 2, 3, 4, ...Array.from({ length: Number(process.env.TRIBUTARY_FUZZ_SEEDS ?? 2) }, () => systemRandom.bytes(4).readUInt32LE(0))];

for (const engine of ["memory", "embedded"] as const) {
  describe(`storage > objects > fuzz > ${engine}`, () => {
    for (const seed of seeds) {
      it(`seed ${seed}: random operations match the model`, async () => {
        // Spread small seeds apart: SeededRandom's first draws vary little between nearby seeds.
        const run = new ObjectFuzz(new SeededRandom(Math.imul(seed, 0x9e3779b1)), seed, engine);
        try {
          await run.run(steps);
        } catch (error) {
          const recent = run.trace.slice(-12).map((line) => `    ${line}`).join("\n");
          process.stderr.write(`objects fuzz (${engine}) seed ${seed} failed at step ${run.step}; replay with TRIBUTARY_FUZZ_SEED=${seed}\n  last operations:\n${recent}\n`);
          throw error;
        }
      });
    }
  });
}
