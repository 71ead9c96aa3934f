import { constants, deflateRaw, type ZlibOptions } from "node:zlib";
import { crc32 } from "../../../util/crc32.js";

/**
 * One DEFLATE stream (RFC 1951) compressed in pieces in parallel on the libuv threadpool, as pigz
 * does. The input is cut into pieces of `deflatePieceBytes`; each piece is one async raw deflate
 * job (node:zlib's one-shot deflateRaw), primed with the last 32 KiB of the piece before it as its
 * dictionary, so matches reach back across the cut as they would in one stream, and ended by a
 * sync flush — an empty stored block, which leaves the output byte-aligned and the stream open —
 * except the last piece, which Z_FINISH ends with the final block. The pieces' outputs
 * concatenated are one valid deflate stream: GZIP wraps it in one gzip member (not a
 * concatenation of members, which some readers stop after the first of) and ZIP stores it as its
 * one entry.
 *
 * Why: one zlib stream fed 64 KiB at a time makes a threadpool round trip per write and per 16 KiB
 * of output, each waiting for the event loop, which PutRecordBatch keeps busy; delivery then ran
 * at 40 MB/s behind a 62 MB/s ingest with a core idle (docs/performance.md, Firehose). Here a
 * piece is one or two round trips, and pieces of several buffers run side by side.
 *
 * Where a piece is cut depends only on the byte count, never on how the bytes were written, so the
 * output is the same for the same input. The CRC-32 of the input (GZIP's trailer, ZIP's entry) is
 * taken per piece on the event loop (zlib's, ~3 GB/s).
 */
export const deflatePieceBytes = 1024 * 1024;
const windowBytes = 32 * 1024;

/**
 * Deflate jobs running at once in the whole process, across every compressor: two keep a 2-core
 * machine's cores busy and leave two of libuv's four threads to the file system work (log appends
 * and their fsyncs, object writes) that acknowledgements wait on. Further pieces queue in order.
 */
export const deflateJobsMax = 2;

/** Pieces one compressor may have queued or running before drain() waits: bounds its memory (~4 MiB of input). */
export const piecesPendingMax = 4;

let jobsRunning = 0;
const jobsWaiting: (() => void)[] = [];

function runJob(start: (done: () => void) => void): void {
  const done = (): void => {
    jobsRunning--;
    const next = jobsWaiting.shift();
    if (next !== undefined) {
      jobsRunning++;
      next();
    }
  };
  const go = (): void => start(done);
  if (jobsRunning < deflateJobsMax) {
    jobsRunning++;
    go();
  } else {
    jobsWaiting.push(go);
  }
}

/** Jobs running and queued now (tests check the bound). */
export function deflateJobs(): { running: number; waiting: number } {
  return { running: jobsRunning, waiting: jobsWaiting.length };
}

function deflatePiece(piece: Buffer, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    runJob((done) => {
      deflateRaw(piece, options, (error, output) => {
        done();
        if (error) reject(error);
        // zlib hands back a slice of its output buffer, sized for the worst case: keep only the bytes.
        else resolve(output.byteLength * 2 < output.buffer.byteLength ? Buffer.from(output) : output);
      });
    });
  });
}

export class ParallelDeflate {
  private slab: Buffer = Buffer.allocUnsafe(deflatePieceBytes);
  private filled = 0;
  private dictionary: Buffer | undefined;
  private readonly pieces: Promise<Buffer | undefined>[] = [];
  private pending = 0;
  private drainers: (() => void)[] = [];
  private failure: Error | undefined;
  private finished = false;
  private discarded = false;
  /** CRC-32 (IEEE) of the input so far. */
  crc = 0;
  inputBytes = 0;

  constructor(private readonly level: number) {}

  write(data: Uint8Array): void {
    if (this.finished) throw new Error("compressor already finished");
    this.inputBytes += data.length;
    if (this.filled + data.length < deflatePieceBytes) {
      // The common case (a record), without a view per write.
      this.slab.set(data, this.filled);
      this.filled += data.length;
      return;
    }
    for (let at = 0; at < data.length; ) {
      const take = Math.min(deflatePieceBytes - this.filled, data.length - at);
      this.slab.set(data.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === deflatePieceBytes) this.seal(false);
    }
  }

  /** Resolves once fewer than `piecesPendingMax` pieces wait or run (at once after a failure or discard). */
  drain(): Promise<void> {
    if (this.pending < piecesPendingMax || this.failure !== undefined || this.discarded) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  /**
   * Ends the stream: the last piece (possibly empty) gets the final block. Resolves with the pieces'
   * outputs in order, which concatenated are the deflate stream: the container copies them once,
   * with its own header and trailer (a 128 MiB buffer is ~25 MB of them).
   */
  async finish(): Promise<Buffer[]> {
    if (this.finished) throw new Error("compressor already finished");
    this.seal(true);
    this.finished = true;
    const outputs = await Promise.all(this.pieces);
    this.pieces.length = 0;
    if (this.failure !== undefined) throw this.failure;
    if (this.discarded) throw new Error("compressor discarded");
    return outputs as Buffer[];
  }

  /** Drops the input and every output; jobs already running end on their own and are ignored. */
  discard(): void {
    this.finished = true;
    this.discarded = true;
    this.slab = Buffer.alloc(0);
    this.filled = 0;
    this.dictionary = undefined;
    this.pieces.length = 0;
    this.wakeDrainers();
  }

  private seal(last: boolean): void {
    const piece = this.filled === this.slab.length ? this.slab : this.slab.subarray(0, this.filled);
    this.crc = crc32(piece, 0, piece.length, this.crc);
    const options: ZlibOptions = {
      level: this.level,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      // Room for the whole output at once (deflate's worst case is ~0.03 % over the input, plus
      // the flush), so a piece is one job rather than one per 16 KiB of output.
      chunkSize: piece.length + (piece.length >> 8) + 1024,
      ...(this.dictionary !== undefined && { dictionary: this.dictionary }),
    };
    // The next piece's dictionary is a copy, so this slab is freed once its job is done.
    if (!last) this.dictionary = Buffer.from(piece.subarray(Math.max(0, piece.length - windowBytes)));
    this.pending++;
    this.pieces.push(
      deflatePiece(piece, options).then(
        (output) => {
          this.settled();
          return this.discarded ? undefined : output;
        },
        (error: Error) => {
          this.failure ??= error;
          this.settled();
          return undefined;
        },
      ),
    );
    if (!last) {
      this.slab = Buffer.allocUnsafe(deflatePieceBytes);
      this.filled = 0;
    }
  }

  private settled(): void {
    this.pending--;
    if (this.pending < piecesPendingMax || this.failure !== undefined) this.wakeDrainers();
  }

  private wakeDrainers(): void {
    const woken = this.drainers;
    this.drainers = [];
    for (const wake of woken) wake();
  }
}
