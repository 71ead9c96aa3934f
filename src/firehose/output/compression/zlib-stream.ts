import type { Transform } from "node:stream";
import { ChunkList } from "./compressor.js";

/**
 * A node:zlib stream (gzip, deflate-raw) fed through a staging buffer. zlib streams compress on
 * the libuv threadpool, off the event loop, but each write is one threadpool job: 1 KiB records
 * written one by one would spend more time queueing jobs than deflating, so bytes are staged and
 * handed over `stagingBytes` at a time.
 */
export const stagingBytes = 64 * 1024;

export class StagedZlib {
  private staging = Buffer.allocUnsafe(stagingBytes);
  private staged = 0;
  private readonly output = new ChunkList();
  private failure: Error | undefined;
  private finished = false;
  inputBytes = 0;

  constructor(private readonly stream: Transform) {
    stream.on("data", (chunk: Buffer) => this.output.push(chunk));
    stream.on("error", (error: Error) => {
      this.failure ??= error;
    });
  }

  write(data: Uint8Array): void {
    if (this.finished) throw new Error("compressor already finished");
    this.inputBytes += data.length;
    if (this.staged + data.length <= stagingBytes) {
      this.staging.set(data, this.staged);
      this.staged += data.length;
      if (this.staged === stagingBytes) this.handOver();
      return;
    }
    this.handOver();
    if (data.length >= stagingBytes) {
      // Large writes go straight through, copied: the caller may reuse its buffer.
      this.stream.write(Buffer.from(data));
      return;
    }
    this.staging.set(data, 0);
    this.staged = data.length;
  }

  drain(): Promise<void> {
    if (!this.stream.writableNeedDrain || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("error", done);
    });
  }

  /** Ends the stream; resolves with everything it produced. */
  finish(): Promise<Buffer> {
    if (this.finished) return Promise.reject(new Error("compressor already finished"));
    this.handOver();
    this.finished = true;
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.once("end", () => (this.failure ? reject(this.failure) : resolve(this.output.concat())));
      this.stream.once("error", reject);
      this.stream.end();
    });
  }

  discard(): void {
    this.finished = true;
    this.output.clear();
    this.stream.destroy();
  }

  private handOver(): void {
    if (this.staged === 0) return;
    this.stream.write(this.staged === stagingBytes ? this.staging : this.staging.subarray(0, this.staged));
    // The stream owns the handed-over bytes until it has compressed them.
    this.staging = Buffer.allocUnsafe(stagingBytes);
    this.staged = 0;
  }
}
