/**
 * Blob files under `<dataDir>/objects/` (docs/formats/objects.md):
 *
 *   blobs/<first two hex digits of the id>/<blob id>   a blob's bytes, nothing else
 *   tmp/                                               emptied at open (earlier versions wrote there)
 *
 * Blob ids are 32 lowercase hex digits the engine draws (blob-ids.ts): no key or other caller
 * text ever becomes a path. A blob is written straight under its final name and made durable
 * (fdatasync, unless --fsync never) before `write` answers; its directory entry is made durable by
 * the engine, one fsync of each directory touched per journal flush, before the frame naming the
 * blob is written (the file is named by no record until then: a crash leaves an orphan, which the
 * sweep at open removes, whole or not). Writes go through a pair of staging buffers (one filling
 * while the other is written), so memory stays bounded whatever the object's size.
 */
import { assert } from "../../../util/assert.js";
import { blobIdPattern } from "../../objects/blob-ids.js";
import { isNotFound, readFully, removeTree, writeFully, type FileHandlePort, type FsPort } from "../fs-port.js";
import { alignedBufferBytes, directAlignmentBytes, returnAlignedBuffer, takeAlignedBuffer } from "./aligned-buffers.js";
import { readBlobRange, type DirectReads } from "./blob-reads.js";

/** Bytes gathered before a write(2): large writes, bounded memory (two of these per blob being written). */
export const stagingBytes = alignedBufferBytes;
/** Reads in flight per blob being read (each of the reader's chunk size, 1 MiB for S3). */
export const defaultReadAheadChunks = 4;
/** Staging buffers kept for reuse between blob writes. */
const stagingPoolMax = 8;

/** An error of the filesystem (not of the caller's source), to tell the two apart. */
export class BlobIoError extends Error {
  override name = "BlobIoError";
}

export class BlobFiles {
  /** Staging buffers between writes: allocating 1 MiB per blob would cost more than a small blob's write. */
  private readonly stagingPool: Buffer[] = [];
  /** Shard directories known to exist. */
  private readonly shardDirs = new Set<string>();
  /** Whether blob files are written O_DIRECT: until the filesystem refuses it once. */
  private directWrites = true;
  /** Whether blob files are read O_DIRECT: until the filesystem refuses it once. */
  private readonly directReads: DirectReads = { enabled: true };

  constructor(
    private readonly fs: FsPort,
    readonly dir: string,
    private readonly durable: boolean,
  ) {}

  get blobsDir(): string {
    return `${this.dir}/blobs`;
  }

  get tmpDir(): string {
    return `${this.dir}/tmp`;
  }

  path(blobId: string): string {
    assert(blobIdPattern.test(blobId), `blob id ${blobId} is not one the engine made`);
    return `${this.blobsDir}/${blobId.slice(0, 2)}/${blobId}`;
  }

  /**
   * Writes `source` as blob `blobId`, durable but for its directory entry; answers its length and
   * the directory to fsync before a record names it. Rejects with a BlobIoError for a filesystem
   * failure, or with the source's own error; either way no file is left behind.
   */
  async write(blobId: string, source: AsyncIterable<Uint8Array>): Promise<{ sizeBytes: number; dir: string }> {
    const final = this.path(blobId);
    await io(() => this.ensureShardDir(blobId));
    // O_DIRECT when an aligned buffer is free and the filesystem takes it: the bytes go from the
    // staging buffer to the disk, not through fresh page-cache pages (bench/s3: ~150 ms of CPU
    // per 64 MiB on this VM, more than the MD5). Otherwise through the page cache, as before.
    let staging = this.directWrites ? takeAlignedBuffer() : undefined;
    let direct = staging !== undefined;
    const taken: { buffer: Buffer; aligned: boolean }[] = [];
    if (staging !== undefined) taken.push({ buffer: staging, aligned: true });
    let handle: FileHandlePort;
    try {
      ({ handle, direct } = await this.openForWrite(final, direct));
    } catch (error) {
      for (const { buffer, aligned } of taken) this.giveBack(buffer, aligned);
      throw error;
    }
    if (staging !== undefined && !direct) {
      // The filesystem refused O_DIRECT at the open: this blob goes through the page cache too.
      this.giveBack(staging, true);
      taken.length = 0;
      staging = undefined;
    }
    let position = 0;
    let padded = false;
    let inFlight: Promise<void> | undefined;
    const writeAt = async (bytes: Buffer, at: number): Promise<void> => {
      try {
        await writeFully(handle, [bytes], at);
      } catch (error) {
        if (!direct || (error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
        // Took O_DIRECT at the open, refused it at the write (an unaligned short write, or a
        // filesystem that checks late): the rest goes through the page cache.
        this.directWrites = false;
        direct = false;
        const buffered = await this.fs.open(final, "readWrite");
        await handle.close().catch(() => undefined);
        handle = buffered;
        await writeFully(handle, [bytes], at);
      }
    };
    try {
      // The spare is taken only once the first buffer fills: a small blob takes one buffer.
      if (staging === undefined) taken.push({ buffer: (staging = this.takeStaging()), aligned: false });
      let spare: Buffer | undefined;
      let filled = 0;
      const writeOut = async (last: boolean): Promise<void> => {
        // One write in flight at a time: the previous must land before this one starts.
        if (inFlight !== undefined) await inFlight;
        let length = filled;
        if (direct && length % directAlignmentBytes !== 0) {
          // Only the last write is short: padded with zeros to the alignment, cut back by a truncate.
          length = Math.ceil(length / directAlignmentBytes) * directAlignmentBytes;
          staging!.fill(0, filled, length);
          padded = true;
        }
        const bytes = staging!.subarray(0, length);
        const at = position;
        position += filled;
        inFlight = io(() => writeAt(bytes, at));
        filled = 0;
        if (last) return;
        // Keep the in-flight buffer untouched; fill the other meanwhile.
        if (spare === undefined) {
          spare = direct ? takeAlignedBuffer() : this.takeStaging();
          if (spare !== undefined) taken.push({ buffer: spare, aligned: direct });
        }
        // No aligned spare free: this blob waits for its write and refills the same buffer.
        if (spare === undefined) await inFlight;
        else [staging, spare] = [spare, staging];
      };
      for await (const chunk of source) {
        for (let at = 0; at < chunk.length; ) {
          const count = Math.min(chunk.length - at, stagingBytes - filled);
          staging!.set(chunk.subarray(at, at + count), filled);
          filled += count;
          at += count;
          if (filled === stagingBytes) await writeOut(false);
        }
      }
      if (filled > 0) await writeOut(true);
      if (inFlight !== undefined) await inFlight;
      if (padded) await io(() => handle.truncate(position));
      if (this.durable) await io(() => handle.datasync());
      await io(() => handle.close());
    } catch (error) {
      // A write still in flight must finish before the file goes.
      await inFlight?.catch(() => undefined);
      await handle.close().catch(() => undefined);
      await this.fs.unlink(final).catch(() => undefined);
      throw error;
    } finally {
      // Every write that used them has landed (or failed and been awaited).
      for (const { buffer, aligned } of taken) this.giveBack(buffer, aligned);
    }
    return { sizeBytes: position, dir: final.slice(0, final.lastIndexOf("/")) };
  }

  /** Opens a blob file for writing, O_DIRECT when asked and the filesystem takes it (a refusal is remembered). */
  private async openForWrite(path: string, direct: boolean): Promise<{ handle: FileHandlePort; direct: boolean }> {
    if (direct) {
      try {
        return { handle: await this.fs.open(path, "createTruncate", { direct: true }), direct: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw new BlobIoError((error as Error).message, { cause: error });
        this.directWrites = false;
      }
    }
    return { handle: await io(() => this.fs.open(path, "createTruncate")), direct: false };
  }

  private giveBack(buffer: Buffer, aligned: boolean): void {
    if (aligned) returnAlignedBuffer(buffer);
    else this.returnStaging(buffer);
  }

  /** Writes bytes held in memory as blob `blobId` (a spill), durable but for its directory entry. */
  async writeBytes(blobId: string, bytes: Buffer): Promise<{ dir: string }> {
    const final = this.path(blobId);
    await io(() => this.ensureShardDir(blobId));
    const handle = await io(() => this.fs.open(final, "createTruncate"));
    try {
      await io(() => writeFully(handle, [bytes], 0));
      await io(() => handle.datasync());
      await io(() => handle.close());
    } catch (error) {
      await handle.close().catch(() => undefined);
      await this.fs.unlink(final).catch(() => undefined);
      throw error;
    }
    return { dir: final.slice(0, final.lastIndexOf("/")) };
  }

  /**
   * The bytes in [start, end), in chunks of at most `chunkBytes`, with up to `readAheadChunks`
   * reads in flight, O_DIRECT where the filesystem takes it (blob-reads.ts).
   */
  read(blobId: string, start: number, end: number, chunkBytes: number, readAheadChunks = defaultReadAheadChunks): AsyncIterable<Buffer> {
    return readBlobRange(this.fs, this.path(blobId), start, end, {
      chunkBytes,
      readAheadChunks,
      direct: this.directReads,
      short: (atByte) => new BlobIoError(`blob ${blobId} ends at byte ${atByte}, before byte ${end} its record names`),
    });
  }

  /**
   * The bytes in [start, end) in one buffer (a small range): read on the calling thread where the
   * filesystem port can (the page cache holds a recent small file; three threadpool round trips
   * cost ~50 µs of CPU more than the syscalls), else an open, a read and a close not waited for.
   */
  readAtOnce(blobId: string, start: number, end: number): Buffer | Promise<Buffer> {
    if (this.fs.readSync === undefined) return this.readAtOnceInPool(blobId, start, end);
    const buffer = Buffer.allocUnsafe(end - start);
    const count = this.fs.readSync(this.path(blobId), buffer, start);
    if (count < end - start) throw new BlobIoError(`blob ${blobId} ends at byte ${start + count}, before byte ${end} its record names`);
    return buffer;
  }

  private async readAtOnceInPool(blobId: string, start: number, end: number): Promise<Buffer> {
    const handle: FileHandlePort = await this.fs.open(this.path(blobId), "read");
    try {
      const buffer = Buffer.allocUnsafe(end - start);
      const count = await readFully(handle, buffer, end - start, start);
      if (count < end - start) throw new BlobIoError(`blob ${blobId} ends at byte ${start + count}, before byte ${end} its record names`);
      return buffer;
    } finally {
      // The answer need not wait for the descriptor to go.
      void handle.close().catch(() => undefined);
    }
  }

  /** Removes a blob file; one already gone is fine. */
  async remove(blobId: string): Promise<void> {
    await this.fs.unlink(this.path(blobId)).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
  }

  /**
   * At open: empties tmp/ (blobs whose write a crash cut short) and removes every blob file `keep`
   * refuses (written but never committed, or released but not yet removed when the crash came) and
   * anything else that is no blob. Answers the ids kept.
   */
  async sweep(keep: (blobId: string) => boolean): Promise<{ kept: Set<string>; removed: number }> {
    await this.fs.mkdir(this.blobsDir);
    await this.fs.mkdir(this.tmpDir);
    let removed = 0;
    for (const entry of await this.fs.readdir(this.tmpDir)) {
      await this.removeEntry(`${this.tmpDir}/${entry.name}`, entry.isDirectory);
      removed++;
    }
    const kept = new Set<string>();
    for (const shard of await this.fs.readdir(this.blobsDir)) {
      const shardDir = `${this.blobsDir}/${shard.name}`;
      if (!shard.isDirectory || !/^[0-9a-f]{2}$/.test(shard.name)) {
        await this.removeEntry(shardDir, shard.isDirectory);
        continue;
      }
      this.shardDirs.add(shardDir);
      for (const entry of await this.fs.readdir(shardDir)) {
        if (!entry.isDirectory && blobIdPattern.test(entry.name) && entry.name.startsWith(shard.name) && keep(entry.name)) {
          kept.add(entry.name);
          continue;
        }
        await this.removeEntry(`${shardDir}/${entry.name}`, entry.isDirectory);
        removed++;
      }
    }
    if (removed > 0 && this.durable) await this.fs.syncDir(this.blobsDir);
    return { kept, removed };
  }

  private async removeEntry(path: string, isDirectory: boolean): Promise<void> {
    if (isDirectory) {
      await removeTree(this.fs, path);
    } else {
      await this.fs.unlink(path).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
    }
  }

  /** A staging buffer from the pool, or a new one. */
  private takeStaging(): Buffer {
    return this.stagingPool.pop() ?? Buffer.allocUnsafe(stagingBytes);
  }

  private returnStaging(buffer: Buffer): void {
    if (this.stagingPool.length < stagingPoolMax) this.stagingPool.push(buffer);
  }

  private async ensureShardDir(blobId: string): Promise<void> {
    const shardDir = `${this.blobsDir}/${blobId.slice(0, 2)}`;
    if (this.shardDirs.has(shardDir)) return;
    await this.fs.mkdir(shardDir);
    // Always durable: a spill (whatever --fsync says) relies on the directory's own entry.
    await this.fs.syncDir(this.blobsDir);
    this.shardDirs.add(shardDir);
  }
}

/** Runs a filesystem call, marking its failure as the filesystem's. */
async function io<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new BlobIoError((error as Error | undefined)?.message ?? String(error), { cause: error });
  }
}
