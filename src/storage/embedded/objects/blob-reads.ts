/**
 * Reading a range of a blob file in chunks (blob-files.ts `read`), with reads ahead: up to
 * `readAheadChunks` reads in flight, so the next chunks come off the disk while the reader sends
 * this one. Blob files are written O_DIRECT, so a fresh one is not in the page cache: one read at
 * a time left a 64 MiB GetObject waiting on the disk for each chunk (bench/s3: 242 MB/s, where a
 * cold file reads 1.6–1.8 GB/s four reads at once on the development VM).
 *
 * Reads are O_DIRECT too where the filesystem takes it: into a page-aligned buffer
 * (aligned-buffers.ts), then copied out into a buffer of the chunk's own. Read through the page
 * cache, a 64 MiB blob cost the server's threadpool some 40–75 ms of system time filling cache
 * pages nobody reads again (the writes bypass the cache already); the copy costs a few. Chunks
 * are cut at aligned positions, so each aligned read window fits one aligned buffer. When every
 * aligned buffer is taken, or the filesystem refuses O_DIRECT (remembered in `direct`), a chunk
 * is read through the page cache instead.
 */
import { readFully, type FileHandlePort, type FsPort } from "../fs-port.js";
import { alignedBufferBytes, directAlignmentBytes, returnAlignedBuffer, takeAlignedBuffer } from "./aligned-buffers.js";

/** Whether O_DIRECT reads are still tried: until the filesystem refuses one. */
export interface DirectReads {
  enabled: boolean;
}

export interface BlobRangeReads {
  /** At most this many bytes per chunk. */
  chunkBytes: number;
  readAheadChunks: number;
  direct: DirectReads;
  /** The error of a file that ends at `atByte`, before the range does. */
  short: (atByte: number) => Error;
}

/**
 * The chunks of `path`'s bytes in [start, end), in order, with reads ahead. The filesystem's
 * errors pass through as they are.
 */
export async function* readBlobRange(fs: FsPort, path: string, start: number, end: number, options: BlobRangeReads): AsyncIterable<Buffer> {
  const { chunkBytes, direct } = options;
  const useDirect = direct.enabled && chunkBytes % directAlignmentBytes === 0 && chunkBytes <= alignedBufferBytes;
  const source = await ChunkSource.open(fs, path, useDirect, direct, options.short);
  const reads: Promise<Buffer>[] = [];
  let next = start;
  const readNext = (): void => {
    const at = next;
    // Direct reads cut chunks at aligned positions (only the first chunk of an unaligned range is shorter).
    const length = Math.min(source.direct ? chunkBytes - (at % directAlignmentBytes) : chunkBytes, end - at);
    next += length;
    const read = source.read(at, length);
    // Awaited in order later; a failure while an earlier chunk is awaited is not unhandled meanwhile.
    read.catch(() => undefined);
    reads.push(read);
  };
  try {
    while (next < end && reads.length < Math.max(1, options.readAheadChunks)) readNext();
    while (reads.length > 0) {
      const chunk = await reads.shift()!;
      if (next < end) readNext();
      yield chunk;
    }
  } finally {
    // A reader that stopped early: the reads still in flight land before the descriptors go.
    await Promise.allSettled(reads);
    await source.close();
  }
}

class ChunkSource {
  /** The page-cache descriptor: at once when not direct, else opened the first time a chunk needs it. */
  private buffered: Promise<FileHandlePort> | undefined;

  private constructor(
    private readonly fs: FsPort,
    private readonly path: string,
    private readonly directHandle: FileHandlePort | undefined,
    private readonly directReads: DirectReads,
    private readonly short: (at: number) => Error,
  ) {
    if (directHandle === undefined) this.buffered = fs.open(path, "read");
  }

  static async open(fs: FsPort, path: string, direct: boolean, directReads: DirectReads, short: (at: number) => Error): Promise<ChunkSource> {
    if (direct) {
      try {
        return new ChunkSource(fs, path, await fs.open(path, "read", { direct: true }), directReads, short);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
        directReads.enabled = false;
      }
    }
    const source = new ChunkSource(fs, path, undefined, directReads, short);
    // A missing file fails the open, as it always has, not the first read.
    await source.buffered;
    return source;
  }

  get direct(): boolean {
    return this.directHandle !== undefined;
  }

  read(at: number, length: number): Promise<Buffer> {
    if (this.directHandle === undefined || !this.directReads.enabled) return this.readBuffered(at, length);
    const aligned = takeAlignedBuffer();
    if (aligned === undefined) return this.readBuffered(at, length);
    return this.readDirect(this.directHandle, aligned, at, length);
  }

  private async readDirect(handle: FileHandlePort, aligned: Buffer, at: number, length: number): Promise<Buffer> {
    try {
      const from = at - (at % directAlignmentBytes);
      const needed = at + length - from;
      const window = Math.ceil(needed / directAlignmentBytes) * directAlignmentBytes;
      let got = 0;
      while (got < needed) {
        const count = await handle.read(aligned, got, window - got, from + got);
        got += count;
        // A read that ended off the alignment, or read nothing, ended at the end of the file.
        if (count === 0 || got % directAlignmentBytes !== 0) break;
      }
      if (got < needed) throw this.short(from + got);
      const out = Buffer.allocUnsafe(length);
      aligned.copy(out, 0, at - from, needed);
      return out;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
      // Took O_DIRECT at the open, refused it at the read: through the page cache from now on.
      this.directReads.enabled = false;
      return this.readBuffered(at, length);
    } finally {
      returnAlignedBuffer(aligned);
    }
  }

  private async readBuffered(at: number, length: number): Promise<Buffer> {
    this.buffered ??= this.fs.open(this.path, "read");
    const buffer = Buffer.allocUnsafe(length);
    const count = await readFully(await this.buffered, buffer, length, at);
    if (count < length) throw this.short(at + count);
    return buffer;
  }

  async close(): Promise<void> {
    await this.directHandle?.close().catch(() => undefined);
    const buffered = await this.buffered?.catch(() => undefined);
    await buffered?.close().catch(() => undefined);
  }
}
