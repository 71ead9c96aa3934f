/**
 * The incremental compressor the S3 destination feeds record bytes into as a batch is assembled.
 * Each CompressionFormat of ExtendedS3DestinationConfiguration has one (codecs.ts): write() takes
 * bytes as they come and never blocks on I/O; finish() gives the object's whole body.
 */
export interface Compressor {
  /** Feeds bytes. The bytes are copied or consumed at once: the caller may reuse its buffer. */
  write(data: Uint8Array): void;
  /**
   * Resolves when the codec's internal queue has room again (GZIP and ZIP compress 1 MiB pieces on
   * the threadpool, so a fast writer can run ahead of them). Optional to await: without it the
   * queue grows to at most the batch's own size.
   */
  drain(): Promise<void>;
  /** Ends the stream and gives the compressed object body. Call once; write() after it throws. */
  finish(): Promise<Buffer>;
  /** Drops everything (a batch given up), freeing the codec's native resources. */
  discard(): void;
  /** Uncompressed bytes written so far. */
  readonly inputBytes: number;
}

/** Collects output chunks and concatenates them once at the end. */
export class ChunkList {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }
  get length(): number {
    return this.bytes;
  }
  concat(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
  }
  clear(): void {
    this.chunks.length = 0;
    this.bytes = 0;
  }
}

/** The UNCOMPRESSED codec: the records' bytes, concatenated. */
export function uncompressedCompressor(): Compressor {
  const chunks = new ChunkList();
  let finished = false;
  return {
    write(data) {
      if (finished) throw new Error("compressor already finished");
      chunks.push(Buffer.from(data));
    },
    drain: async () => {},
    async finish() {
      finished = true;
      return chunks.concat();
    },
    discard() {
      finished = true;
      chunks.clear();
    },
    get inputBytes() {
      return chunks.length;
    },
  };
}
