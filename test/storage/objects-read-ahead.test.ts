/**
 * Blob files read with reads ahead (src/storage/embedded/objects/blob-files.ts `read`): several
 * reads in flight at once, the chunks still yielded in order and byte-exact, a failure met in the
 * order of the bytes (after the chunks before it), a reader that stops early leaves no read running
 * and no descriptor open, and a file shorter than its record is an error, not a short answer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BlobFiles, BlobIoError } from "../../src/storage/embedded/objects/blob-files.js";
import { SimFs, errnoError } from "./sim-fs.js";

const MiB = 1024 * 1024;
const blobId = "ab".padEnd(32, "7");

function pattern(sizeBytes: number): Buffer {
  const out = Buffer.alloc(sizeBytes);
  for (let at = 0; at + 4 <= sizeBytes; at += 4) out.writeUInt32LE((at * 2654435761) >>> 0, at);
  return out;
}

async function blobFiles(bytes: Buffer): Promise<{ fs: SimFs; blobs: BlobFiles }> {
  const fs = new SimFs();
  await fs.mkdir("/data/objects");
  const blobs = new BlobFiles(fs, "/data/objects", true);
  await blobs.sweep(() => true);
  await blobs.writeBytes(blobId, bytes);
  return { fs, blobs };
}

/** Holds every read until the next turn of the event loop, counting how many wait at once. */
function countReadsInFlight(fs: SimFs): { max: () => number } {
  let now = 0;
  let max = 0;
  fs.delay = (op) => {
    if (op.kind !== "read") return undefined;
    now++;
    max = Math.max(max, now);
    return new Promise((resolve) => setImmediate(() => {
      now--;
      resolve();
    }));
  };
  return { max: () => max };
}

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return Buffer.concat(out);
}

describe("storage > objects > blob files > reads ahead", () => {
  it("keeps several reads in flight and yields the bytes in order, whole or a range", async () => {
    const bytes = pattern(10 * MiB + 12345);
    const { fs, blobs } = await blobFiles(bytes);
    const inFlight = countReadsInFlight(fs);
    assert.ok((await readAll(blobs.read(blobId, 0, bytes.length, MiB, 4))).equals(bytes));
    assert.equal(inFlight.max(), 4, "four reads at once");
    assert.ok((await readAll(blobs.read(blobId, 777, 5 * MiB + 3, MiB, 4))).equals(bytes.subarray(777, 5 * MiB + 3)));
    assert.ok((await readAll(blobs.read(blobId, 100, 200, MiB, 4))).equals(bytes.subarray(100, 200)));
    const one = countReadsInFlight(fs);
    assert.ok((await readAll(blobs.read(blobId, 0, bytes.length, MiB, 1))).equals(bytes));
    assert.equal(one.max(), 1, "one read at a time when asked");
  });

  it("a read that fails surfaces in order, after the chunks before it", async () => {
    const bytes = pattern(6 * MiB);
    const { fs, blobs } = await blobFiles(bytes);
    let reads = 0;
    fs.inject = (op) => (op.kind === "read" && ++reads === 3 ? errnoError("EIO", "the disk failed") : undefined);
    const got: Buffer[] = [];
    await assert.rejects(async () => {
      for await (const chunk of blobs.read(blobId, 0, bytes.length, MiB, 4)) got.push(chunk);
    }, /EIO/);
    assert.ok(Buffer.concat(got).equals(bytes.subarray(0, 2 * MiB)), "the two chunks before the failed one");
  });

  it("a reader that stops early: the reads in flight land (a failed one is no unhandled rejection) before the descriptor closes", async () => {
    const bytes = pattern(8 * MiB);
    const { fs, blobs } = await blobFiles(bytes);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let reads = 0;
      fs.inject = (op) => (op.kind === "read" && ++reads === 2 ? errnoError("EIO", "the disk failed") : undefined);
      fs.recording = true;
      for await (const chunk of blobs.read(blobId, 0, bytes.length, MiB, 4)) {
        assert.ok(chunk.equals(bytes.subarray(0, MiB)));
        break;
      }
      fs.recording = false;
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      const kinds = fs.log.map((op) => op.kind);
      assert.equal(kinds.at(-1), "close", "the descriptor closed last, after every read");
      // The first chunk's read and the four ahead of it, started while the reader held it: no more.
      assert.equal(kinds.filter((kind) => kind === "read").length, 5, "no read started after the reader stopped");
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("a file shorter than the range its record names is an error", async () => {
    const bytes = pattern(3 * MiB);
    const { blobs } = await blobFiles(bytes);
    await assert.rejects(readAll(blobs.read(blobId, 0, 5 * MiB, MiB, 4)), (error: unknown) => error instanceof BlobIoError && /ends at byte 3145728/.test(error.message));
  });
});
