/** A reset (POST /_tributary/reset, src/server/drop-all-state.ts) drops every bucket with its objects and uploads, on both engines. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { dropAllState } from "../../src/server/drop-all-state.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { account, chunksOf } from "./cases.js";

async function fill(engine: StorageEngine): Promise<void> {
  for (const Name of ["one", "two"]) {
    assert.deepEqual(await engine.objects.createBucket({ Name, accountId: account, region: "us-east-1", createdAtMs: 0, settings: {} }), { ok: true });
    const written = await engine.objects.writeBlob(chunksOf(Buffer.from(`bytes of ${Name}`)));
    assert.ok(written.ok);
    assert.deepEqual(await engine.objects.putObject(Name, "k", { blobs: [written.blob], sizeBytes: written.blob.sizeBytes, lastModifiedMs: 0, meta: {} }), { ok: true });
    assert.deepEqual(await engine.objects.createUpload(Name, { uploadId: "u", key: "k2", initiatedMs: 0, meta: {} }), { ok: true });
  }
}

async function assertEmpty(engine: StorageEngine): Promise<void> {
  assert.deepEqual(await engine.objects.listBuckets(), []);
  // A bucket of a dropped name starts empty.
  await engine.objects.createBucket({ Name: "one", accountId: account, region: "us-east-1", createdAtMs: 0, settings: {} });
  assert.deepEqual(await engine.objects.listObjects("one", { limit: 10 }), []);
  assert.deepEqual(await engine.objects.listUploads("one"), []);
}

describe("storage > objects > reset", () => {
  it("memory: drops every bucket with its objects and uploads", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    await fill(engine);
    await dropAllState(engine, new Set());
    await assertEmpty(engine);
    await engine.close();
  });

  it("embedded: drops every bucket, removes their blob files, and stays dropped across a reopen", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "tributary-objects-reset-"));
    const open = () => createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(2), logger: silentLogger, accountId: account });
    try {
      let engine = await open();
      await fill(engine);
      await dropAllState(engine, new Set());
      // Released blobs go after a grace period, or at close.
      await engine.close();
      const blobsDir = join(dataDir, "objects/blobs");
      const files = (await Promise.all((await readdir(blobsDir)).map((shard) => readdir(join(blobsDir, shard))))).flat();
      assert.deepEqual(files, []);
      engine = await open();
      await assertEmpty(engine);
      await engine.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
