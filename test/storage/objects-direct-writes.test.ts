/**
 * Blob files written and read O_DIRECT (src/storage/embedded/objects/blob-files.ts, blob-reads.ts):
 * the bytes read back exactly, whole and in ranges off the alignment, and the file has exactly the
 * blob's length whatever the size (a padded last write is cut back); a filesystem that refuses
 * O_DIRECT — at the open (tmpfs), at a write or at a read — gets the same bytes through the page
 * cache, and is not asked again. A small range reads at once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobFiles } from "../../src/storage/embedded/objects/blob-files.js";
import { returnAlignedBuffer, takeAlignedBuffer } from "../../src/storage/embedded/objects/aligned-buffers.js";
import { nodeFs, type FileHandlePort, type FsPort, type OpenOptions } from "../../src/storage/embedded/fs-port.js";
import { errnoError } from "./sim-fs.js";

const blobId = (n: number) => n.toString(16).padStart(32, "0");

async function* chunked(bytes: Buffer, chunkBytes: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

async function readAll(files: BlobFiles, id: string, sizeBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of files.read(id, 0, sizeBytes, 1 << 20)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-direct-"));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** nodeFs, counting the O_DIRECT opens for writing and for reading, refusing O_DIRECT where told. */
function recordingFs(refuse: "open" | "write" | "read" | "none"): { fs: FsPort; directOpens: () => { write: number; read: number } } {
  const directOpens = { write: 0, read: 0 };
  const fs: FsPort = {
    ...nodeFs,
    async open(path, mode, options?: OpenOptions) {
      if (options?.direct === true) {
        directOpens[mode === "read" ? "read" : "write"]++;
        if (refuse === "open") throw errnoError("EINVAL", `open '${path}'`);
      }
      const handle = await nodeFs.open(path, mode, options);
      if ((refuse !== "write" && refuse !== "read") || options?.direct !== true) return handle;
      const refusing: FileHandlePort = {
        read: refuse === "read" ? async () => Promise.reject(errnoError("EINVAL", "read")) : (...args) => handle.read(...args),
        writev: refuse === "write" ? async () => Promise.reject(errnoError("EINVAL", "write")) : (...args) => handle.writev(...args),
        datasync: () => handle.datasync(),
        truncate: (length) => handle.truncate(length),
        size: () => handle.size(),
        close: () => handle.close(),
      };
      return refusing;
    },
  };
  return { fs, directOpens: () => ({ ...directOpens }) };
}

describe("storage > objects > blob files written and read O_DIRECT", () => {
  for (const refuse of ["none", "open", "write", "read"] as const) {
    it(`every size reads back exactly, whole and in ranges, the file as long as the blob (O_DIRECT refused: ${refuse})`, () => withDir(async (dir) => {
      const { fs, directOpens } = recordingFs(refuse);
      const files = new BlobFiles(fs, dir, true);
      await nodeFs.mkdir(files.blobsDir);
      const sizes = [1, 4095, 4096, 70 * 1024 + 3, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345];
      let n = 1;
      for (const sizeBytes of sizes) {
        for (const chunkBytes of [1000, 65536]) {
          const id = blobId(n++);
          const bytes = randomBytes(sizeBytes);
          const written = await files.write(id, chunked(bytes, chunkBytes));
          assert.equal(written.sizeBytes, sizeBytes);
          assert.equal((await stat(files.path(id))).size, sizeBytes, `file of a ${sizeBytes}-byte blob`);
          assert.ok((await readAll(files, id, sizeBytes)).equals(bytes), `bytes of a ${sizeBytes}-byte blob in chunks of ${chunkBytes}`);
        }
      }
      // A refusal is remembered: asked once, never again.
      const expected = {
        write: refuse === "none" || refuse === "read" ? 2 * sizes.length : 1,
        read: refuse === "none" || refuse === "write" ? 2 * sizes.length : 1,
      };
      assert.deepEqual(directOpens(), expected);
      // Ranges starting and ending off the alignment, across chunks, and the file's last bytes.
      const id = blobId(n++);
      const bytes = randomBytes(3 * (1 << 20) + 12345);
      await files.write(id, chunked(bytes, 65536));
      for (const [start, end] of [[0, 1], [1, 4097], [4095, 4097], [1000, (1 << 20) + 5000], [(1 << 20) - 1, 2 * (1 << 20) + 1], [bytes.length - 10, bytes.length], [12345, bytes.length]] as const) {
        const chunks: Buffer[] = [];
        for await (const chunk of files.read(id, start, end, 1 << 20)) {
          assert.ok(chunk.length <= 1 << 20);
          chunks.push(chunk);
        }
        assert.ok(Buffer.concat(chunks).equals(bytes.subarray(start, end)), `range [${start}, ${end})`);
      }
      // Past the file's end: an error naming where it ends, not a short answer.
      await assert.rejects(async () => {
        for await (const _ of files.read(id, bytes.length - 10, bytes.length + 5000, 1 << 20));
      }, { name: "BlobIoError", message: new RegExp(`ends at byte ${bytes.length}, before byte ${bytes.length + 5000}`) });
    }));
  }

  for (const port of ["with readSync", "without readSync"] as const) {
    it(`a small range reads at once, ${port === "with readSync" ? "on the calling thread" : "through the threadpool"}; past the file's end is an error`, () => withDir(async (dir) => {
      const fs: FsPort = port === "with readSync" ? nodeFs : { ...nodeFs, readSync: undefined };
      const files = new BlobFiles(fs, dir, true);
      await nodeFs.mkdir(files.blobsDir);
      const bytes = randomBytes(70 * 1024 + 3);
      await files.write(blobId(7), chunked(bytes, 65536));
      const whole = files.readAtOnce(blobId(7), 0, bytes.length);
      assert.equal(Buffer.isBuffer(whole), port === "with readSync");
      assert.ok((await whole).equals(bytes));
      assert.ok((await files.readAtOnce(blobId(7), 1000, 2024)).equals(bytes.subarray(1000, 2024)));
      await assert.rejects(async () => files.readAtOnce(blobId(7), bytes.length - 10, bytes.length + 10), { name: "BlobIoError", message: new RegExp(`ends at byte ${bytes.length}, before byte ${bytes.length + 10}`) });
    }));
  }

  it("blobs written at once share the aligned buffers and still read back exactly", () => withDir(async (dir) => {
    const files = new BlobFiles(nodeFs, dir, true);
    await nodeFs.mkdir(files.blobsDir);
    // More at once than there are aligned buffers (32): the rest wait on their own writes or go through the page cache.
    const blobs = Array.from({ length: 40 }, (_, i) => ({ id: blobId(100 + i), bytes: randomBytes((2 << 20) + i * 777) }));
    await Promise.all(blobs.map(({ id, bytes }) => files.write(id, chunked(bytes, 65536))));
    for (const { id, bytes } of blobs) {
      assert.equal((await stat(files.path(id))).size, bytes.length);
      assert.ok((await readAll(files, id, bytes.length)).equals(bytes));
    }
  }));

  it("with every aligned buffer taken, reads go through the page cache, and take them again once some are free", () => withDir(async (dir) => {
    const files = new BlobFiles(nodeFs, dir, true);
    await nodeFs.mkdir(files.blobsDir);
    const bytes = randomBytes(5 * (1 << 20) + 777);
    await files.write(blobId(200), chunked(bytes, 65536));
    const taken: Buffer[] = [];
    for (let buffer = takeAlignedBuffer(); buffer !== undefined; buffer = takeAlignedBuffer()) taken.push(buffer);
    try {
      assert.ok((await readAll(files, blobId(200), bytes.length)).equals(bytes), "all through the page cache");
      // One free: the reads share it, the rest through the page cache.
      returnAlignedBuffer(taken.pop()!);
      assert.ok((await readAll(files, blobId(200), bytes.length)).equals(bytes), "some direct, some not");
    } finally {
      for (const buffer of taken) returnAlignedBuffer(buffer);
    }
    assert.ok((await readAll(files, blobId(200), bytes.length)).equals(bytes));
  }));
});
