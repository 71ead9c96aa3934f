/**
 * CRC32 (IEEE, 0xEDB88320) and CRC32C (Castagnoli, 0x82F63B78) for S3's object checksums,
 * slicing-by-8 over the tables of src/util/crc32.ts. @aws-crypto/crc32 and /crc32c go a byte at a
 * time and measured 50–100 MB/s on this machine (over a second per 64 MiB on the event loop, the
 * SDK's default CRC32 on every PutObject); these measure 450–900 MB/s. Each loop is written out as
 * a module-level function: the closure form measured 10–40 % slower (src/storage/embedded/crc32c.ts).
 *
 * Check values: crc32("123456789") = 0xCBF43926, crc32c("123456789") = 0xE3069283.
 * The same loops run in the hashing worker (hash-worker-source.ts in src/s3/body), as JavaScript source.
 */
import * as zlib from "node:zlib";
import { slicingTables } from "../../util/crc32.js";

/**
 * zlib's CRC-32 where Node has it (20.15 and later): ~3 GB/s against the table loop's 0.9 (22 ms
 * against 75 for 64 MiB). Same function: `zlib.crc32(bytes, previous)` continues a running CRC.
 */
const nativeCrc32 = (zlib as { crc32?: (bytes: Uint8Array, previous?: number) => number }).crc32;

const [a0, a1, a2, a3, a4, a5, a6, a7] = slicingTables(0xedb88320);
const [c0, c1, c2, c3, c4, c5, c6, c7] = slicingTables(0x82f63b78);

/** CRC32 of `bytes`, continuing from `previous` (the CRC of the bytes before, or 0). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return nativeCrc32 !== undefined ? nativeCrc32(bytes, previous) : crc32Loop(bytes, previous);
}

/** The table loop: Node before 20.15, and the reference the tests hold zlib's to. */
export function crc32Loop(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous;
  let i = 0;
  const end = bytes.length;
  const stop8 = end - 8;
  while (i <= stop8) {
    const low = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    const high = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    crc = a7[low & 0xff]! ^ a6[(low >>> 8) & 0xff]! ^ a5[(low >>> 16) & 0xff]! ^ a4[low >>> 24]! ^ a3[high & 0xff]! ^ a2[(high >>> 8) & 0xff]! ^ a1[(high >>> 16) & 0xff]! ^ a0[high >>> 24]!;
    i += 8;
  }
  while (i < end) crc = a0[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC32C of `bytes`, continuing from `previous` (the CRC of the bytes before, or 0). */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous;
  let i = 0;
  const end = bytes.length;
  const stop8 = end - 8;
  while (i <= stop8) {
    const low = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    const high = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    crc = c7[low & 0xff]! ^ c6[(low >>> 8) & 0xff]! ^ c5[(low >>> 16) & 0xff]! ^ c4[low >>> 24]! ^ c3[high & 0xff]! ^ c2[(high >>> 8) & 0xff]! ^ c1[(high >>> 16) & 0xff]! ^ c0[high >>> 24]!;
    i += 8;
  }
  while (i < end) crc = c0[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
