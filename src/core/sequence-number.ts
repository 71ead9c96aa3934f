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

/**
 * The sequence numbers of `count` consecutive offsets from `position.offset`, same arrival and
 * shard: what a PutRecords answers for one shard's share. Equal to calling encodeSequenceNumber
 * for each, but only the first is computed with BigInt; each next one adds 2^52 (one offset) to
 * the last 18 digits held as two 9-digit small integers, which V8 turns into text cheaply.
 */
export function encodeSequenceNumberRun(position: SequencePosition, count: number): string[] {
  const out = new Array<string>(count);
  if (count === 0) return out;
  const first = encodeSequenceNumber(position);
  out[0] = first;
  // 56 digits = 38-digit prefix + two 9-digit limbs.
  let prefix = first.slice(0, 38);
  let middle = Number(first.slice(38, 47));
  let low = Number(first.slice(47));
  for (let i = 1; i < count; i++) {
    low += offsetStepLow;
    let carry = 0;
    if (low >= limbBase) {
      low -= limbBase;
      carry = 1;
    }
    middle += offsetStepMiddle + carry;
    if (middle >= limbBase) {
      // Carry into the prefix: rare (every ~222 offsets), so BigInt is fine here.
      middle -= limbBase;
      prefix = (BigInt(prefix) + 1n).toString();
      if (prefix.length !== 38) return encodeEach(position, count);
    }
    out[i] = prefix + pad9(middle) + pad9(low);
  }
  return out;
}

const limbBase = 1e9;
// 2^52 = 4503599 * 10^9 + 627370496
const offsetStepMiddle = 4503599;
const offsetStepLow = 627370496;

function pad9(limb: number): string {
  return limb >= 1e8 ? String(limb) : String(limb).padStart(9, "0");
}

/** The run whose carry would reach the marker digit: computed one by one. */
function encodeEach(position: SequencePosition, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = encodeSequenceNumber({ ...position, offset: position.offset + i });
  return out;
}
