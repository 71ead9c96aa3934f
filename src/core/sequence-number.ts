/**
 * Sequence numbers: AWS-shaped 56-digit decimal strings that decode back to a log position.
 *
 * Layout of the underlying unsigned integer, most significant first:
 *   bit 184          marker: always 1, so every number has exactly 56 decimal digits
 *   bits 140..183    arrivalMs (44 bits; until the year 2527)
 *   bits 116..139    shard index (24 bits)
 *   bits 52..115     offset: the record's position in its shard's log (64 bits)
 *   bits 0..51       zero (room for later versions)
 *
 * Within a shard, offsets strictly increase and arrival times never decrease, so sequence
 * numbers strictly increase; across shards a later arrival gives a larger number.
 */
const markerBit = 184n;
const arrivalShift = 140n;
const shardShift = 116n;
const offsetShift = 52n;
const arrivalMask = (1n << 44n) - 1n;
const shardMask = (1n << 24n) - 1n;
const offsetMask = (1n << 64n) - 1n;

export interface SequencePosition {
  arrivalMs: number;
  shardIndex: number;
  offset: number;
}

export function encodeSequenceNumber(position: SequencePosition): string {
  const value =
    (1n << markerBit) |
    ((BigInt(position.arrivalMs) & arrivalMask) << arrivalShift) |
    ((BigInt(position.shardIndex) & shardMask) << shardShift) |
    ((BigInt(position.offset) & offsetMask) << offsetShift);
  return value.toString();
}

/** Returns undefined for any string that is not one of ours. */
export function decodeSequenceNumber(text: string): SequencePosition | undefined {
  if (!/^\d{56}$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value >> markerBit !== 1n) return undefined;
  if ((value & ((1n << offsetShift) - 1n)) !== 0n) return undefined;
  const offset = (value >> offsetShift) & offsetMask;
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return {
    arrivalMs: Number((value >> arrivalShift) & arrivalMask),
    shardIndex: Number((value >> shardShift) & shardMask),
    offset: Number(offset),
  };
}
