/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and Kafka's
 * record batches. Node 20 has no built-in crc32c and we avoid native addons, so this is the
 * table-driven "slicing-by-8" form: eight 256-entry tables let the loop fold 8 bytes per step
 * instead of one, several times faster than the byte-at-a-time form in V8.
 *
 * Check value: crc32c("123456789") = 0xE3069283.
 */
const polynomial = 0x82f63b78;

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
 * The CRC32C of `bytes[start, end)`, continuing from `previous` (the CRC of the bytes before, or 0).
 *
 * @example crc32c(Buffer.from("123456789")) === 0xe3069283
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
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
