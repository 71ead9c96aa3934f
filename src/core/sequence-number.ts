/**
 * Sequence numbers in AWS's layout: 56-digit decimals that begin with 49, which decode back to a
 * shard and a log offset.
 *
 * The number in hex is 47 digits (188 bits), most significant first. A real one,
 * 49647060812288014558888668248263847763900017820167045122, is
 *   2 | 0656e97f5 | 0 | 00000000000065c6 | 00 | 0656ecc98 | 00000000 | 2
 * and the fields are:
 *   1 digit    2: the layout's marker (so the number is 2^185 and a little: 49…, 56 digits)
 *   9 digits   the shard's epoch in whole seconds (AWS: the shard's creation time; ours may be a
 *              second or so later, see streams/records/sequence-numbers.ts)
 *   1 digit    the shard index's low four bits (AWS's numbers carry it here; kinesalite's tests,
 *              recorded against AWS, match `^20[0-9a-f]{8}<shard>…`)
 *   16 digits  the position in the shard: 0 names the point before its first record (the shard's
 *              StartingSequenceNumber), the record at log offset n has position n + 1
 *   2 digits   00
 *   9 digits   the arrival time in whole seconds
 *   8 digits   the shard index (a signed 32-bit integer)
 *   1 digit    2: the layout's version
 *
 * Within a shard, numbers strictly increase with the offset. Across shards they order by the
 * shard's epoch first, which is how a child shard's numbers all exceed its parents'.
 *
 * AWS still parses two older layouts, told apart by size (kinesalite's parseSequence, from
 * numbers AWS accepted and refused): below 2^124 a number is read as if 2^124 were added, and up
 * to 2^129 it is "version 0" — epoch in hex digits 1–9, shard index in digits 28–31 — so "5"
 * names shard 5; between 2^185 and 1.5·2^185 the last hex digit is the version (1 or 2).
 */

import { shardIdFromIndex } from "./shard-id.js";

export interface SequencePosition {
  /** The shard's epoch in whole seconds (stored as 9 hex digits). */
  shardEpochSeconds: number;
  shardIndex: number;
  /** The record's log offset; -1 names the point before the shard's first record. */
  offset: number;
  /** The arrival time; the number keeps whole seconds (decoding gives them back as ms). */
  arrivalMs: number;
}

/**
 * What a sequence number in any layout AWS parses says; `version` 2 is ours. `"tributary-0"` is the
 * layout Tributary issued before it followed AWS's (marker bit 184, arrival ms, 24-bit shard index,
 * 64-bit offset, 52 zero bits): a range AWS calls invalid, read so that checkpoints stored by an
 * earlier version (KCL lease tables, users' own stores) still resume after an upgrade.
 */
export type ParsedSequenceNumber =
  | ({ version: 2 } & SequencePosition)
  | { version: 0 | 1; shardEpochSeconds: number; shardIndex: number }
  | { version: "tributary-0"; shardIndex: number; offset: number };

const versionShift = 0n;
const shardIndexShift = 4n;
const arrivalShift = 36n;
const positionShift = 80n;
const nibbleShift = 144n;
const epochShift = 148n;
const markerShift = 184n;
const layoutBase = (2n << markerShift) | (2n << versionShift);

const secondsMax = 0xf_ffff_ffff; // 9 hex digits
/** AWS refuses epochs from this second on (kinesalite: "Date too large"). */
const epochSecondsLimit = 16_025_175_000;
const twoTo124 = 1n << 124n;
const twoTo129 = 1n << 129n;
const twoTo185 = 1n << 185n;
const layoutTop = 3n << 184n; // 1.5 · 2^185

export function encodeSequenceNumber(position: SequencePosition): string {
  return encodeValue(position).toString();
}

function encodeValue(position: SequencePosition): bigint {
  const shardIndex = position.shardIndex;
  return (
    layoutBase |
    (BigInt(Math.min(position.shardEpochSeconds, secondsMax)) << epochShift) |
    (BigInt(shardIndex & 0xf) << nibbleShift) |
    (BigInt(position.offset + 1) << positionShift) |
    (BigInt(Math.min(Math.floor(position.arrivalMs / 1000), secondsMax)) << arrivalShift) |
    (BigInt(shardIndex >>> 0) << shardIndexShift)
  );
}

/**
 * Reads a sequence number as AWS does; undefined for a number AWS calls invalid (any layout it
 * does not know, a date too large, a position with its top bit set). Text that is not a decimal
 * number is invalid too (the request shape already refuses it).
 */
export function parseSequenceNumber(text: string): ParsedSequenceNumber | undefined {
  if (!/^(0|[1-9]\d{0,128})$/.test(text)) return undefined;
  let value = BigInt(text);
  if (value < twoTo124) value += twoTo124;
  if (value < twoTo129) {
    const hex = value.toString(16);
    const shardEpochSeconds = parseInt(hex.slice(1, 10), 16);
    if (shardEpochSeconds >= epochSecondsLimit) return undefined;
    return { version: 0, shardEpochSeconds, shardIndex: parseInt(hex.slice(28, 32), 16) };
  }
  if (value < twoTo185 && value >> 184n === 1n) return parseTributaryLayout0(value);
  if (value <= twoTo185 || value >= layoutTop) return undefined;
  const hex = value.toString(16);
  const version = hex[46];
  const shardEpochSeconds = parseInt(hex.slice(1, 10), 16);
  const shardIndex = parseInt(hex.slice(38, 46), 16) | 0;
  if (version === "1") return { version: 1, shardEpochSeconds, shardIndex };
  if (version !== "2") return undefined;
  const positionHex = hex.slice(11, 27);
  if (parseInt(positionHex[0]!, 16) > 7 || shardEpochSeconds >= epochSecondsLimit) return undefined;
  const position = parseInt(positionHex, 16);
  return {
    version: 2,
    shardEpochSeconds,
    shardIndex,
    // Beyond 2^53 no offset of ours is meant: the largest exact one stands for "never issued".
    offset: Math.min(position, Number.MAX_SAFE_INTEGER) - 1,
    arrivalMs: parseInt(hex.slice(29, 38), 16) * 1000,
  };
}

const layout0OffsetShift = 52n;
const layout0ShardShift = 116n;

/** Tributary's own pre-AWS layout (see ParsedSequenceNumber), or undefined when its zero bits are not zero. */
function parseTributaryLayout0(value: bigint): ParsedSequenceNumber | undefined {
  if ((value & ((1n << layout0OffsetShift) - 1n)) !== 0n) return undefined;
  const offset = (value >> layout0OffsetShift) & ((1n << 64n) - 1n);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { version: "tributary-0", shardIndex: Number((value >> layout0ShardShift) & 0xff_ffffn), offset: Number(offset) };
}

/** A sequence number in our layout (version 2), or undefined. */
export function decodeSequenceNumber(text: string): SequencePosition | undefined {
  const parsed = parseSequenceNumber(text);
  if (parsed?.version !== 2) return undefined;
  const { version: _version, ...position } = parsed;
  return position;
}

/**
 * The shard id AWS's messages name for an encoded shard index: `shardId-` and 12 digits, a
 * negative index (top bit set) as `shardId--` and 11 (kinesalite's tests, recorded against AWS).
 */
export function encodedShardId(shardIndex: number): string {
  return shardIndex < 0 ? "shardId--" + String(-shardIndex).padStart(11, "0") : shardIdFromIndex(shardIndex);
}

/**
 * The sequence numbers of `count` consecutive offsets from `position.offset`, same arrival and
 * shard: what a PutRecords answers for one shard's share and a GetRecords page holds. Equal to
 * encodeSequenceNumber for each, but only the first is computed with BigInt: one offset adds
 * 2^80 (a 25-digit step) to the last 27 digits, held as three 9-digit small integers (V8 turns
 * small integers into text cheaply; a 14-digit double is five times slower, measured).
 */
export function encodeSequenceNumberRun(position: SequencePosition, count: number): string[] {
  const out = new Array<string>(count);
  if (count === 0) return out;
  const first = encodeSequenceNumber(position);
  out[0] = first;
  // 56 digits = 29-digit prefix + three 9-digit limbs.
  let prefix = first.slice(0, 29);
  let high = Number(first.slice(29, 38));
  let middle = Number(first.slice(38, 47));
  let low = Number(first.slice(47));
  for (let i = 1; i < count; i++) {
    low += stepLow;
    middle += stepMiddle;
    high += stepHigh;
    if (low >= limbBase) {
      low -= limbBase;
      middle++;
    }
    if (middle >= limbBase) {
      middle -= limbBase;
      high++;
    }
    if (high >= limbBase) {
      // Carry into the prefix: rare (about every 800 offsets), so BigInt is fine here.
      high -= limbBase;
      prefix = (BigInt(prefix) + 1n).toString();
      if (prefix.length !== 29) return encodeEach(position, count);
    }
    out[i] = prefix + pad9(high) + pad9(middle) + pad9(low);
  }
  return out;
}

const limbBase = 1e9;
// 2^80 = 1208925 * 10^18 + 819614629 * 10^9 + 174706176
const stepHigh = 1208925;
const stepMiddle = 819614629;
const stepLow = 174706176;

function pad9(limb: number): string {
  return limb >= 1e8 ? String(limb) : String(limb).padStart(9, "0");
}

/** The run whose carry would change the number's length: computed one by one. */
function encodeEach(position: SequencePosition, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = encodeSequenceNumber({ ...position, offset: position.offset + i });
  return out;
}
