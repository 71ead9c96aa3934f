import { constants } from "node:zlib";
import type { Compressor } from "./compressor.js";
import { ParallelDeflate } from "./parallel-deflate.js";

/**
 * GZIP (RFC 1952): one gzip member over the whole object, what `gunzip` and S3 readers expect:
 *
 *   member  = 1F 8B 08 flags(0) mtime:u32le(0) xfl os(3)  deflate  crc32:u32le  isize:u32le
 *
 * The deflate stream is compressed in parallel pieces (parallel-deflate.ts) and framed here; the
 * header is the one zlib writes (XFL 4 at level 1, 2 at 9, otherwise 0; OS 3, Unix). Level 6 is
 * zlib's default and Java's Deflater.DEFAULT_COMPRESSION, which Firehose (a Java service) writes
 * with; it is a parameter so delivery can trade ratio for speed.
 */
export function gzipCompressor(level: number = constants.Z_DEFAULT_COMPRESSION): Compressor {
  const deflate = new ParallelDeflate(level);
  return {
    write: (data) => deflate.write(data),
    drain: () => deflate.drain(),
    async finish() {
      const pieces = await deflate.finish();
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(deflate.crc >>> 0, 0);
      trailer.writeUInt32LE(deflate.inputBytes % 2 ** 32, 4);
      return Buffer.concat([gzipHeader(level), ...pieces, trailer]);
    },
    discard: () => deflate.discard(),
    get inputBytes() {
      return deflate.inputBytes;
    },
  };
}

function gzipHeader(level: number): Buffer {
  const extraFlags = level === 9 ? 2 : level === 1 ? 4 : 0;
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, 3]);
}
