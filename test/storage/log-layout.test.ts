/**
 * The files the engine keeps: segments roll by size and age, retention and dropStream release
 * whole files, names never come from clients, everything stays under the data directory, one
 * server per directory, and lookups read one index interval rather than a segment.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimFs } from "./sim-fs.js";
import { makeRecords, openSim, otherStreamId, readAll, registerStreams, shardDir, simDataDir, streamId, t0, tags } from "./sim-engine.js";
import type { EmbeddedEngineOptions } from "../../src/storage/index.js";

async function setup(options: Partial<EmbeddedEngineOptions>) {
  const fs = new SimFs();
  const engine = await openSim(fs, options);
  await registerStreams(engine);
  return { fs, engine, log: engine.logs.shard(streamId, 0) };
}

const logFiles = (fs: SimFs, stream = streamId) => fs.list(shardDir(0, stream)).filter((name) => name.endsWith(".log"));

describe("storage > log > layout", () => {
  it("rolls segments by size", async () => {
    const { fs, engine, log } = await setup({ segmentBytesMax: 2048 });
    for (let i = 0; i < 30; i++) assert.ok((await log.append(makeRecords(5, `s${i}`), t0)).ok);
    const files = logFiles(fs);
    assert.ok(files.length >= 5, `only ${files.length} segments`);
    for (const name of files) assert.ok(fs.peek(`${shardDir(0)}/${name}`).length <= 2048, `${name} is over the size limit`);
    assert.equal(files[0], "00000000000000000000.log");
    assert.equal((await readAll(engine, 0)).length, 150);
    await engine.close();
  });

  it("rolls segments by age", async () => {
    const { fs, engine, log } = await setup({ segmentAgeMsMax: 1000 });
    await log.append(makeRecords(1, "a"), t0);
    await log.append(makeRecords(1, "b"), t0 + 999);
    assert.equal(logFiles(fs).length, 1);
    await log.append(makeRecords(1, "c"), t0 + 1000);
    assert.deepEqual(logFiles(fs), ["00000000000000000000.log", "00000000000000000002.log"]);
    await engine.close();
  });

  it("retention deletes whole expired segments with their indexes", async () => {
    const { fs, engine, log } = await setup({ segmentBytesMax: 1024 });
    for (let i = 0; i < 40; i++) assert.ok((await log.append(makeRecords(2, `r${i}`), t0 + i * 1000)).ok);
    const before = fs.list(shardDir(0));
    await log.trimBefore(t0 + 20_000);
    const after = fs.list(shardDir(0));
    assert.ok(after.length < before.length);
    const firstBase = Number(after.find((name) => name.endsWith(".log"))!.slice(0, 20));
    assert.equal(log.startOffset(), firstBase);
    assert.ok(firstBase <= 40 && firstBase > 0);
    for (const name of after) assert.ok(Number(name.slice(0, 20)) >= firstBase, `${name} outlived its segment`);
    const kept = await readAll(engine, 0);
    assert.deepEqual(tags(kept).slice(-2), ["r39:0:", "r39:1:"]);
    assert.ok(kept.filter((stored) => stored.arrivalMs >= t0 + 20_000).length === 40);
    await log.trimBefore(t0 + 100_000);
    assert.deepEqual(logFiles(fs), ["00000000000000000080.log"]);
    assert.equal(fs.peek(`${shardDir(0)}/00000000000000000080.log`).length, 40);
    assert.equal(log.startOffset(), 80);
    await engine.close();
  });

  it("dropStream releases every file of the stream and nothing else", async () => {
    const { fs, engine, log } = await setup({ segmentBytesMax: 1024 });
    for (let i = 0; i < 10; i++) await log.append(makeRecords(5, `d${i}`), t0);
    await engine.logs.shard(streamId, 1).append(makeRecords(1, "one"), t0);
    await engine.logs.shard(otherStreamId, 0).append(makeRecords(1, "other"), t0);
    const usedBefore = fs.usedBytes();
    await engine.logs.dropStream(streamId);
    assert.deepEqual(fs.list(`${simDataDir}/logs`), [otherStreamId]);
    assert.deepEqual(fs.list(`${simDataDir}/trash`), []);
    assert.ok(fs.usedBytes() < usedBefore - 2000);
    assert.deepEqual(tags(await readAll(engine, 0, otherStreamId)), ["other:0:"]);
    await engine.close();
  });

  it("keeps every file under the data directory, in the documented places", async () => {
    const { fs, engine, log } = await setup({});
    await log.append(makeRecords(1, "x"), t0);
    await engine.close();
    assert.deepEqual(fs.list("/"), ["data"]);
    assert.deepEqual(fs.list(simDataDir), ["catalog", "format", "logs", "objects", "tables", "trash"]);
    assert.deepEqual(fs.list(`${simDataDir}/objects`), ["blobs", "journal", "tmp"]);
    assert.deepEqual(fs.list(`${simDataDir}/catalog`), ["catalog"]);
    assert.deepEqual(fs.list(shardDir(0)), ["00000000000000000000.index", "00000000000000000000.log"]);
  });

  it("never turns a stream id or shard index into a path it was not meant to be", async () => {
    const { engine } = await setup({});
    for (const bad of ["../etc", "ABCDEF", "", "a/b", "ab\u0000", "é1", "a".repeat(65)]) {
      assert.throws(() => engine.logs.shard(bad, 0), { name: "AssertionFailure" }, bad);
    }
    for (const bad of [-1, 1.5, 2 ** 24, Number.NaN]) assert.throws(() => engine.logs.shard(streamId, bad), { name: "AssertionFailure" }, String(bad));
    await assert.rejects(engine.logs.dropStream("../x"), { name: "AssertionFailure" });
    await engine.close();
  });

  it("lets one server at a time use a data directory", async () => {
    const fs = new SimFs();
    const engine = await openSim(fs);
    await assert.rejects(openSim(fs), { name: "DataDirError", message: "/data is in use by another Tributary server" });
    await engine.close();
    const second = await openSim(fs);
    await assert.rejects(openSim(fs), { name: "DataDirError" });
    await second.close();
  });

  it("releases the lock when opening fails after taking it", async () => {
    const fs = new SimFs();
    await fs.mkdir(simDataDir);
    const handle = await fs.open(`${simDataDir}/format`, "createTruncate");
    await handle.writev([Buffer.from("not a marker\n")], 0);
    await handle.close();
    await assert.rejects(openSim(fs), { name: "DataDirError", message: "/data/format is not a Tributary format marker" });
    await fs.unlink(`${simDataDir}/format`);
    const engine = await openSim(fs);
    await engine.close();
  });

  it("a crashed server's lock does not outlive it", async () => {
    const fs = new SimFs();
    await openSim(fs);
    await assert.rejects(openSim(fs), { name: "DataDirError" });
    fs.crash();
    const rebooted = fs.crashImage("process");
    const reopened = await openSim(rebooted);
    await reopened.close();
  });

  it("reads one index interval to find a record, not the segment", async () => {
    const options = { indexIntervalBytes: 1024, readChunkBytes: 4096, segmentBytesMax: 256 * 1024 };
    const { fs, engine, log } = await setup(options);
    for (let i = 0; i < 100; i++) assert.ok((await log.append(makeRecords(20, `i${i}`, 200), t0 + i)).ok);
    await engine.close();
    const reopened = await openSim(fs, options);
    const shard = reopened.logs.shard(streamId, 0);
    for (const offset of [0, 999, 1500, 1999]) {
      const before = fs.counts.bytesRead;
      const result = await shard.read(offset, { recordsMax: 1, bytesMax: 1 << 20 });
      assert.equal(result.records[0]!.offset, offset);
      assert.ok(fs.counts.bytesRead - before <= 4096 + 20_000, `read ${fs.counts.bytesRead - before} bytes for one record`);
    }
    const before = fs.counts.bytesRead;
    assert.equal(await shard.offsetAtTime(t0 + 77), 1540);
    assert.ok(fs.counts.bytesRead - before <= 2 * 4096 + 40_000, `read ${fs.counts.bytesRead - before} bytes to find a time`);
    await reopened.close();
  });
});
