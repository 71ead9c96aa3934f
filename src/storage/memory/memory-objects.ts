/**
 * The memory engine's objects: the shared metadata (StateObjectStore) and each blob's bytes as the
 * chunks it was written in, nothing on disk. A write is durable when it is applied.
 *
 * Released blobs stay readable (not nameable) among the most recent `releasedBytesMax` bytes of
 * releases, so a GetObject that read a record just before it was replaced still reads its bytes
 * (the memory engine has no clock for the embedded engine's grace period).
 */
import type { BlobOutcome, BlobRef, WriteBlobOptions, WriteOutcome } from "../types.js";
import type { Random } from "../../util/random.js";
import { StateObjectStore, closedFailure, done, readChunkBytes } from "../objects/state-object-store.js";
import { newBlobId } from "../objects/blob-ids.js";

/** How many bytes of released blobs stay readable. */
export const releasedBytesMax = 64 * 1024 * 1024;

export class MemoryObjectStore extends StateObjectStore {
  private readonly blobs = new Map<string, Buffer[]>();
  /** Released blobs still readable, oldest first (a Map keeps insertion order). */
  private readonly released = new Map<string, Buffer[]>();
  private releasedBytes = 0;

  constructor(private readonly random: Random) {
    super();
  }

  close(): void {
    this.closed = true;
  }

  protected async persist(): Promise<WriteOutcome> {
    return done;
  }

  protected async removeBlob(blobId: string): Promise<void> {
    this.blobs.delete(blobId);
  }

  protected override async releaseBlobs(blobIds: readonly string[]): Promise<void> {
    for (const blobId of blobIds) {
      const chunks = this.blobs.get(blobId);
      this.blobs.delete(blobId);
      if (chunks === undefined) continue;
      this.released.set(blobId, chunks);
      this.releasedBytes += sizeOf(chunks);
    }
    for (const [oldest, oldChunks] of this.released) {
      if (this.releasedBytes <= releasedBytesMax) break;
      this.released.delete(oldest);
      this.releasedBytes -= sizeOf(oldChunks);
    }
  }

  /** The size hint changes nothing here: every blob is chunks in memory. */
  async writeBlob(source: AsyncIterable<Uint8Array>, _options?: WriteBlobOptions): Promise<BlobOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    for await (const chunk of source) {
      if (chunk.length === 0) continue;
      // A copy: the caller may reuse its buffer.
      chunks.push(Buffer.from(chunk));
      sizeBytes += chunk.length;
    }
    if (this.closed) return { ok: false, failure: closedFailure };
    const blobId = newBlobId(this.random, (id) => this.blobs.has(id) || this.released.has(id));
    this.blobs.set(blobId, chunks);
    this.pending.add(blobId);
    return { ok: true, blob: { blobId, sizeBytes } };
  }

  async *readBlob(blob: BlobRef, startByte = 0, endByteExclusive = blob.sizeBytes): AsyncIterable<Buffer> {
    const chunks = this.blobs.get(blob.blobId) ?? this.released.get(blob.blobId);
    if (chunks === undefined) throw new Error(`blob ${blob.blobId} is gone (released)`);
    let chunkStart = 0;
    for (const chunk of chunks) {
      const chunkEnd = chunkStart + chunk.length;
      for (let at = Math.max(startByte, chunkStart); at < Math.min(endByteExclusive, chunkEnd); at += readChunkBytes) {
        const end = Math.min(at + readChunkBytes, endByteExclusive, chunkEnd);
        // Readers get their own bytes, as from a disk engine.
        yield Buffer.from(chunk.subarray(at - chunkStart, end - chunkStart));
      }
      chunkStart = chunkEnd;
      if (chunkStart >= endByteExclusive) break;
    }
  }
}

function sizeOf(chunks: readonly Buffer[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}
