import type { Compressor } from "./compressor.js";
import { compressBlocks } from "./snappy-workers.js";

/**
 * Firehose's two Snappy CompressionFormats are two containers around raw Snappy blocks
 * (google/snappy format_description.txt; the blocks come from snappyjs). Objects delivered by
 * Firehose are byte for byte what xerial snappy-java's streams write with their defaults:
 *
 * `Snappy` — snappy-java's SnappyOutputStream (magic 0x82 "SNAPPY" 0x00; not the framing format
 * of google/snappy framing_format.txt, and not Hadoop's), Content-Encoding `snappy-java`:
 *
 *   stream  = header block*
 *   header  = 82 53 4E 41 50 50 59 00  version:u32be(1)  compatibleVersion:u32be(1)   (16 bytes)
 *   block   = compressedLength:u32be  rawSnappy[compressedLength]
 *
 * `HADOOP_SNAPPY` — Hadoop's BlockCompressorStream as SnappyHadoopCompatibleOutputStream writes
 * it (one compressed chunk per block, no stream header), Content-Encoding `hadoop-snappy`:
 *
 *   stream  = block*
 *   block   = uncompressedLength:u32be  chunk+        (the chunks' uncompressed sizes sum to it)
 *   chunk   = compressedLength:u32be  rawSnappy[compressedLength]
 *
 * Both cut the input into blocks of 32 KiB (snappy-java's DEFAULT_BLOCK_SIZE); the last block
 * holds the rest. An empty Snappy stream is its 16-byte header; an empty Hadoop stream is empty.
 */
export const snappyBlockBytes = 32 * 1024;
export const snappyJavaMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const snappyJavaVersion = 1;
const snappyJavaCompatibleVersion = 1;

export type SnappyFraming = "snappy-java" | "hadoop";

/**
 * Blocks are compressed 32 at a time (1 MiB of input) by a worker thread (snappy-workers.ts), off
 * the event loop; the pieces are framed by the worker and concatenate in order, so the stream is
 * byte for byte the one a serial writer makes. At most `snappyPiecesPendingMax` pieces per
 * compressor wait or run before drain() waits.
 */
export const snappyPieceBytes = 32 * snappyBlockBytes;
export const snappyPiecesPendingMax = 4;

export function snappyCompressor(framing: SnappyFraming): Compressor {
  const pieces: Promise<Buffer | undefined>[] = [];
  let slab = Buffer.allocUnsafeSlow(snappyPieceBytes);
  let filled = 0;
  let inputBytes = 0;
  let pending = 0;
  let drainers: (() => void)[] = [];
  let failure: Error | undefined;
  let finished = false;
  let discarded = false;

  const wake = (): void => {
    const woken = drainers;
    drainers = [];
    for (const resolve of woken) resolve();
  };
  const settled = (): void => {
    pending--;
    if (pending < snappyPiecesPendingMax || failure !== undefined) wake();
  };
  const seal = (): void => {
    if (filled === 0) return;
    pending++;
    pieces.push(
      compressBlocks(slab, filled, snappyBlockBytes, framing).then(
        (output) => {
          settled();
          return discarded ? undefined : output;
        },
        (error: Error) => {
          failure ??= error;
          settled();
          return undefined;
        },
      ),
    );
    // The slab's memory went to the worker with the job.
    slab = Buffer.allocUnsafeSlow(snappyPieceBytes);
    filled = 0;
  };

  return {
    write(data) {
      if (finished) throw new Error("compressor already finished");
      inputBytes += data.length;
      if (filled + data.length < snappyPieceBytes) {
        // The common case (a record), without a view per write.
        slab.set(data, filled);
        filled += data.length;
        return;
      }
      for (let at = 0; at < data.length; ) {
        const take = Math.min(snappyPieceBytes - filled, data.length - at);
        slab.set(data.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === snappyPieceBytes) seal();
      }
    },
    drain() {
      if (pending < snappyPiecesPendingMax || failure !== undefined || discarded) return Promise.resolve();
      return new Promise((resolve) => drainers.push(resolve));
    },
    async finish() {
      if (finished) throw new Error("compressor already finished");
      finished = true;
      seal();
      const outputs = await Promise.all(pieces);
      pieces.length = 0;
      if (failure !== undefined) throw failure;
      if (discarded) throw new Error("compressor discarded");
      const body = outputs as Buffer[];
      return Buffer.concat(framing === "snappy-java" ? [snappyJavaHeader(), ...body] : body);
    },
    discard() {
      finished = true;
      discarded = true;
      pieces.length = 0;
      slab = Buffer.alloc(0);
      filled = 0;
      wake();
    },
    get inputBytes() {
      return inputBytes;
    },
  };
}

function snappyJavaHeader(): Buffer {
  const header = Buffer.alloc(16);
  snappyJavaMagic.copy(header, 0);
  header.writeUInt32BE(snappyJavaVersion, 8);
  header.writeUInt32BE(snappyJavaCompatibleVersion, 12);
  return header;
}
