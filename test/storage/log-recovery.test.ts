/**
 * Recovery on open: torn and corrupt tails are cut, half-made segments removed, missing or damaged
 * indexes rebuilt, only the tail is checked, and data the engine cannot read stops it from starting.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimFs } from "./sim-fs.js";
import { makeRecords, openSim, readAll, registerStreams, shardDir, simDataDir, streamId, t0, tags } from "./sim-engine.js";
import { crc32c } from "../../src/storage/embedded/crc32c.js";
import { decodeIndexFile } from "../../src/storage/embedded/log/segment-index.js";
import { segmentFileName, indexFileName } from "../../src/storage/embedded/log/segment-file.js";
import type { StorageEngine } from "../../src/storage/types.js";

const small = { segmentBytesMax: 2048, indexIntervalBytes: 256, checkpointIntervalBytes: 1024, readChunkBytes: 1024 };

/** Writes `batches` batches of 5 records to shard 0 and closes cleanly; returns the tags written. */
async function written(fs: SimFs, batches: number, options = small): Promise<string[]> {
  const engine = await openSim(fs, options);
  await registerStreams(engine);
  const out: string[] = [];
  for (let i = 0; i < batches; i++) {
    const records = makeRecords(5, `b${i}`);
    assert.ok((await engine.logs.shard(streamId, 0).append(records, t0 + i)).ok);
    out.push(...tags(records));
  }
  await engine.close();
  return out;
}

function logFiles(fs: SimFs): string[] {
  return fs.list(shardDir(0)).filter((name) => name.endsWith(".log"));
}

function lastSegment(fs: SimFs): string {
  return `${shardDir(0)}/${logFiles(fs).at(-1)!}`;
}

async function expectRecords(engine: StorageEngine, expected: string[]): Promise<void> {
  assert.equal(engine.logs.shard(streamId, 0).endOffset(), expected.length);
  assert.deepEqual(tags(await readAll(engine, 0)), expected);
}

describe("storage > log > recovery", () => {
  it("cuts a torn tail and carries on appending after it", async () => {
    const fs = new SimFs();
    const expected = await written(fs, 3, { ...small, segmentBytesMax: 1 << 20 });
    const path = lastSegment(fs);
    const size = fs.peek(path).length;
    fs.poke(path, Buffer.concat([fs.peek(path), Buffer.from([0x60, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3])]));
    const engine = await openSim(fs, small);
    await expectRecords(engine, expected);
    assert.equal(fs.peek(path).length, size);
    assert.deepEqual(await engine.logs.shard(streamId, 0).append(makeRecords(1, "next"), t0 + 10), { ok: true, firstOffset: 15, arrivalMs: t0 + 10 });
    await engine.close();
  });

  it("cuts at the first frame that fails its checksum when no checkpoint covers it", async () => {
    const fs = new SimFs();
    const expected = await written(fs, 3, { ...small, segmentBytesMax: 1 << 20 });
    const path = lastSegment(fs);
    const bytes = fs.peek(path);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.poke(path, bytes);
    await fs.unlink(path.replace(/\.log$/, ".index"));
    const engine = await openSim(fs, small);
    await expectRecords(engine, expected.slice(0, -1));
    await engine.close();
  });

  it("never serves a record that fails its checks, even inside checked data", async () => {
    const fs = new SimFs();
    await written(fs, 3, { ...small, segmentBytesMax: 1 << 20 });
    const path = lastSegment(fs);
    const bytes = fs.peek(path);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.poke(path, bytes);
    const engine = await openSim(fs, small);
    const log = engine.logs.shard(streamId, 0);
    assert.equal((await log.read(0, { recordsMax: 5, bytesMax: 1 << 20 })).records.length, 5);
    await assert.rejects(log.read(10, { recordsMax: 10, bytesMax: 1 << 20 }), { name: "StorageCorruptionError" });
    await engine.close();
  });

  it("removes a segment whose creation did not complete", async () => {
    const fs = new SimFs();
    const expected = await written(fs, 20);
    const segments = logFiles(fs);
    assert.ok(segments.length > 3);
    const torn = `${shardDir(0)}/${segmentFileName(expected.length)}`;
    const handle = await fs.open(torn, "createTruncate");
    await handle.writev([Buffer.from("TRLG\x01\x00\x28\x00garbage")], 0);
    await handle.close();
    const engine = await openSim(fs, small);
    await expectRecords(engine, expected);
    assert.deepEqual(logFiles(fs), segments);
    assert.ok((await engine.logs.shard(streamId, 0).append(makeRecords(1, "after"), t0 + 100)).ok);
    await engine.close();
  });

  it("rebuilds missing, damaged and misplaced indexes when they are needed", async () => {
    const fs = new SimFs();
    const expected = await written(fs, 30);
    const bases = logFiles(fs).map((name) => Number(name.slice(0, 20)));
    assert.ok(bases.length >= 5);
    const indexPath = (base: number) => `${shardDir(0)}/${indexFileName(base)}`;
    await fs.unlink(indexPath(bases[1]!));
    const damaged = fs.peek(indexPath(bases[2]!));
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
    fs.poke(indexPath(bases[2]!), damaged);
    fs.poke(indexPath(bases[3]!), fs.peek(indexPath(bases[0]!)));
    const engine = await openSim(fs, small);
    const log = engine.logs.shard(streamId, 0);
    for (let offset = 0; offset < expected.length; offset += 7) {
      const result = await log.read(offset, { recordsMax: 3, bytesMax: 1 << 20 });
      assert.deepEqual(tags(result.records), expected.slice(offset, offset + 3), `read at ${offset}`);
    }
    for (const base of bases.slice(1, 4)) {
      const decoded = decodeIndexFile(fs.peek(indexPath(base)), base);
      assert.ok(decoded.ok, `index of ${base} was not rebuilt`);
    }
    assert.equal(await log.offsetAtTime(t0 + 17), 85);
    await engine.close();
  });

  it("checks only the tail after a crash, however much is stored", async () => {
    const fs = new SimFs();
    const options = { segmentBytesMax: 64 * 1024, indexIntervalBytes: 1024, checkpointIntervalBytes: 16 * 1024, readChunkBytes: 16 * 1024 };
    const engine = await openSim(fs, options);
    await registerStreams(engine);
    for (let i = 0; i < 100; i++) assert.ok((await engine.logs.shard(streamId, 0).append(makeRecords(50, `big${i}`, 400), t0 + i)).ok);
    const stored = fs.usedBytes();
    assert.ok(stored > 2_000_000);
    const image = fs.crashImage("process");
    const recovered = await openSim(image, options);
    assert.ok(image.counts.bytesRead < 64 * 1024, `read ${image.counts.bytesRead} bytes of ${stored} to recover`);
    assert.equal(recovered.logs.shard(streamId, 0).endOffset(), 5000);
    await recovered.close();
    await engine.close();
    const afterClean = fs.crashImage("durable-only");
    const reopened = await openSim(afterClean, options);
    assert.ok(afterClean.counts.bytesRead < 4096, `read ${afterClean.counts.bytesRead} bytes after a clean stop`);
    assert.equal(reopened.logs.shard(streamId, 0).endOffset(), 5000);
    await reopened.close();
  });

  it("refuses to start on a data directory written by a newer version", async () => {
    const fs = new SimFs();
    await written(fs, 1);
    fs.poke(`${simDataDir}/format`, Buffer.from("tributary-data 2\n"));
    await assert.rejects(openSim(fs), { name: "DataDirError" });
  });

  it("refuses to start on a segment of a newer format, and keeps it", async () => {
    const fs = new SimFs();
    await written(fs, 1);
    const path = lastSegment(fs);
    const bytes = fs.peek(path);
    bytes.writeUInt16LE(2, 4);
    bytes.writeUInt32LE(crc32c(bytes, 0, 36), 36);
    fs.poke(path, bytes);
    await assert.rejects(openSim(fs), { name: "UnreadableDataError" });
    assert.equal(fs.peek(path).length, bytes.length);
  });

  it("refuses to start on a damaged or missing catalog rather than forget every stream", async () => {
    const fs = new SimFs();
    await written(fs, 1);
    const catalogPath = `${simDataDir}/catalog/catalog`;
    const bytes = fs.peek(catalogPath);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    fs.poke(catalogPath, bytes);
    await assert.rejects(openSim(fs), { name: "CatalogUnreadableError" });
    await fs.unlink(catalogPath);
    await assert.rejects(openSim(fs), { name: "CatalogUnreadableError" });
  });
});
