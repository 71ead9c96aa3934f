/**
 * The DirectPut reader reads a chunk as several reads side by side (direct-put-reader.ts); the
 * chunks must still be what one read gives: every record once, in order, from the checkpoint, and
 * each chunk within 10,000 records and 4 MiB (plus at most one record past a byte cut), on both
 * storage engines, with record sizes that cut the parts short.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedEngine, createMemoryEngine, type StorageEngine } from "../../src/storage/index.js";
import { DirectPutLogs } from "../../src/firehose/sources/direct-put-log.js";
import { directPutReader } from "../../src/firehose/sources/direct-put-reader.js";
import { directPutRecordId } from "../../src/firehose/sources/record-id.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const accountId = "000000000000";
const streamId = "0123456789abcdef0123456789abcdef";
const chunkRecordsMax = 10_000;
const chunkBytesMax = 4 * 1024 * 1024;

/** Record sizes in runs: many small, 1 KiB lines, then a few of 600 KiB that cut a part short. */
function sizes(): number[] {
  const random = new SeededRandom(11);
  const out: number[] = [];
  for (let run = 0; run < 6; run++) {
    for (let i = 0; i < 9_000; i++) out.push(20 + random.int(40));
    for (let i = 0; i < 5_000; i++) out.push(1024);
    for (let i = 0; i < 12; i++) out.push(600 * 1024 + random.int(1000));
  }
  return out;
}

function payload(n: number, size: number): Buffer {
  const data = Buffer.alloc(size, n % 251);
  data.writeUInt32BE(n, 0);
  return data;
}

async function check(engine: StorageEngine): Promise<void> {
  const logs = new DirectPutLogs(engine.catalog, engine.logs);
  assert.ok((await logs.register(accountId, "s", streamId)).ok);
  const all = sizes();
  for (let at = 0, n = 0; at < all.length; ) {
    const batch: Buffer[] = [];
    for (let bytes = 0; at < all.length && batch.length < 500 && bytes < 3 * 1024 * 1024; at++, n++) {
      batch.push(payload(n, all[at]!));
      bytes += all[at]!;
    }
    assert.ok((await logs.append(streamId, batch, 1_000)).ok);
  }
  const from = 123;
  const reader = directPutReader(logs, streamId, from);
  const signal = new AbortController().signal;
  let expected = from;
  let chunks = 0;
  while (expected < all.length) {
    const chunk = await reader.next(signal);
    chunks++;
    assert.ok(chunk.records.length <= chunkRecordsMax);
    const last = chunk.records.at(-1)!.data.length;
    assert.ok(chunk.bytes - last <= chunkBytesMax, `chunk of ${chunk.bytes} bytes`);
    let bytes = 0;
    for (const record of chunk.records) {
      assert.equal(record.recordId, directPutRecordId(streamId, expected));
      assert.equal(record.data.length, all[expected]);
      assert.equal(record.data.readUInt32BE(0), expected);
      bytes += record.data.length;
      expected++;
    }
    assert.equal(chunk.bytes, bytes);
    assert.equal(chunk.endPosition, String(expected));
  }
  reader.close();
  assert.equal(expected, all.length);
  // Full chunks where the records allow: not one read's worth per record.
  assert.ok(chunks < all.length / 1000, `${chunks} chunks`);
}

describe("firehose > sources > direct put reader", () => {
  it("reads every record once, in order, in bounded chunks (memory engine)", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    await check(engine);
    await engine.close();
  });

  it("reads every record once, in order, in bounded chunks (embedded engine)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "firehose-reader-"));
    const engine = await createEmbeddedEngine({ dataDir: dir, fsync: "never", clock: systemClock, random: new SeededRandom(2), logger: silentLogger, accountId });
    try {
      await check(engine);
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
