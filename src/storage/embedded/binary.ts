/**
 * Fixed-width integers in the embedded engine's files (log frames, segment headers and indexes,
 * the catalog header): little-endian, 64-bit values held as JavaScript numbers.
 */
const twoTo32 = 2 ** 32;

export function writeU64(buffer: Buffer, value: number, at: number): void {
  buffer.writeUInt32LE(value % twoTo32, at);
  buffer.writeUInt32LE(Math.floor(value / twoTo32), at + 4);
}

/** Reads an unsigned 64-bit value; returns -1 if it is beyond Number.MAX_SAFE_INTEGER. */
export function readU64(buffer: Buffer, at: number): number {
  const high = buffer.readUInt32LE(at + 4);
  if (high > 0x1fffff) return -1;
  return high * twoTo32 + buffer.readUInt32LE(at);
}
