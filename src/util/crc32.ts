/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of zlib, PNG and AWS's
 * `application/vnd.amazon.eventstream` framing — not CRC32C, which the log uses. Node 20 has no
 * `zlib.crc32` (it arrived in 22), so this is the table-driven "slicing-by-8" form, as
 * src/storage/log/crc32c.ts: eight 256-entry tables fold 8 bytes per step.
 *
 * Check value: crc32("123456789") = 0xCBF43926.
 */
const polynomial = 0xedb88320;

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const first = tables[0]!;
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    first[byte] = crc;
  }
  for (let t = 1; t < 8; t++) {
    const previous = tables[t - 1]!;
    const current = tables[t]!;
    for (let byte = 0; byte < 256; byte++) {
      const value = previous[byte]!;
      current[byte] = (value >>> 8) ^ first[value & 0xff]!;
    }
  }
  return tables;
}

const [t0, t1, t2, t3, t4, t5, t6, t7] = buildTables() as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

/**
 * The CRC-32 of `bytes[start, end)`, continuing from `previous` (the CRC of the bytes before, or 0),
 * so `crc32(b, 0, b.length, crc32(a)) === crc32(a ++ b)`.
 *
 * @example crc32(Buffer.from("123456789")) === 0xcbf43926
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  let crc = ~previous;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    const low = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    const high = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    crc =
      t7[low & 0xff]! ^
      t6[(low >>> 8) & 0xff]! ^
      t5[(low >>> 16) & 0xff]! ^
      t4[low >>> 24]! ^
      t3[high & 0xff]! ^
      t2[(high >>> 8) & 0xff]! ^
      t1[(high >>> 16) & 0xff]! ^
      t0[high >>> 24]!;
    i += 8;
  }
  while (i < end) {
    crc = t0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}
