import { createGzip, constants } from "node:zlib";
import type { Compressor } from "./compressor.js";
import { StagedZlib } from "./zlib-stream.js";

/**
 * GZIP (RFC 1952): one gzip member over the whole object, what `gunzip` and S3 readers expect.
 * Level 6 is zlib's default and Java's Deflater.DEFAULT_COMPRESSION, which Firehose (a Java
 * service) writes with; it is a parameter so a benchmark can trade ratio for speed.
 */
export function gzipCompressor(level: number = constants.Z_DEFAULT_COMPRESSION): Compressor {
  const staged = new StagedZlib(createGzip({ level }));
  return {
    write: (data) => staged.write(data),
    drain: () => staged.drain(),
    finish: () => staged.finish(),
    discard: () => staged.discard(),
    get inputBytes() {
      return staged.inputBytes;
    },
  };
}
