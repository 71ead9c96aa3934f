/**
 * The sparse segment index: one entry (offset, file position, arrivalMs) for the first frame of the
 * segment and then for the first frame after every `indexIntervalBytes`. Offsets increase and
 * arrival times never decrease along a shard's log, so the same entries serve as the offset index
 * (AT/AFTER_SEQUENCE_NUMBER: greatest entry at or below the offset) and as the time index
 * (AT_TIMESTAMP: greatest entry that arrived before the time); a lookup scans at most one interval.
 *
 * On disk (`<base>.index`, little-endian, docs/formats/log-segment.md):
 *   0   4  magic "TRIX"
 *   4   2  format version (1)
 *   6   2  header bytes (48)
 *   8   8  base offset (must match the segment)
 *   16  8  coveredBytes: the segment file is valid and indexed up to here
 *   24  8  endOffset: one past the last record in the covered bytes
 *   32  8  lastArrivalMs: arrival time of that record (0 if none)
 *   40  4  entry count
 *   44  4  crc32c of bytes [0, 44) followed by all entries
 *   48  16 × count: relative offset (u32), position (u32), arrivalMs (u64)
 *
 * The file is a checkpoint, never the truth: it is trusted only if its checksum holds and it covers
 * no more than the segment file holds; otherwise the segment is scanned and the index rebuilt.
 */
import { crc32c } from "../crc32c.js";
import { readU64, writeU64 } from "../binary.js";
import { assert } from "../../../util/assert.js";

export const indexFormatVersion = 1;
const headerBytes = 48;
const entryBytes = 16;
const magic = Buffer.from("TRIX", "latin1");

export class SegmentIndex {
  private offsets: Float64Array;
  private positions: Uint32Array;
  private arrivals: Float64Array;
  private length = 0;

  constructor(readonly baseOffset: number, capacity = 8) {
    this.offsets = new Float64Array(capacity);
    this.positions = new Uint32Array(capacity);
    this.arrivals = new Float64Array(capacity);
  }

  get count(): number {
    return this.length;
  }

  /** Bytes held, for cache accounting. */
  get sizeBytes(): number {
    return this.offsets.length * 20;
  }

  push(offset: number, position: number, arrivalMs: number): void {
    if (this.length > 0) {
      assert(offset > this.offsets[this.length - 1]! && position > this.positions[this.length - 1]!, "index entries must increase");
      assert(arrivalMs >= this.arrivals[this.length - 1]!, "index arrival times must not decrease");
    }
    if (this.length === this.offsets.length) this.grow();
    this.offsets[this.length] = offset;
    this.positions[this.length] = position;
    this.arrivals[this.length] = arrivalMs;
    this.length++;
  }

  offsetAt(entry: number): number {
    return this.offsets[entry]!;
  }
  positionAt(entry: number): number {
    return this.positions[entry]!;
  }
  arrivalAt(entry: number): number {
    return this.arrivals[entry]!;
  }

  /** The last entry whose offset is at or below `offset`, or -1. */
  floorByOffset(offset: number): number {
    return this.lastWhere((entry) => this.offsets[entry]! <= offset);
  }

  /** The last entry that arrived strictly before `timestampMs`, or -1. */
  lastBefore(timestampMs: number): number {
    return this.lastWhere((entry) => this.arrivals[entry]! < timestampMs);
  }

  /** Binary search for the last entry satisfying a predicate that holds for a prefix. */
  private lastWhere(holds: (entry: number) => boolean): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (holds(middle)) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  private grow(): void {
    const capacity = this.offsets.length * 2;
    const offsets = new Float64Array(capacity);
    const positions = new Uint32Array(capacity);
    const arrivals = new Float64Array(capacity);
    offsets.set(this.offsets);
    positions.set(this.positions);
    arrivals.set(this.arrivals);
    this.offsets = offsets;
    this.positions = positions;
    this.arrivals = arrivals;
  }
}

/** What an index file says beyond its entries. */
export interface IndexCoverage {
  coveredBytes: number;
  endOffset: number;
  lastArrivalMs: number;
}

export function encodeIndexFile(index: SegmentIndex, coverage: IndexCoverage): Buffer {
  const buffer = Buffer.alloc(headerBytes + index.count * entryBytes);
  magic.copy(buffer, 0);
  buffer.writeUInt16LE(indexFormatVersion, 4);
  buffer.writeUInt16LE(headerBytes, 6);
  writeU64(buffer, index.baseOffset, 8);
  writeU64(buffer, coverage.coveredBytes, 16);
  writeU64(buffer, coverage.endOffset, 24);
  writeU64(buffer, coverage.lastArrivalMs, 32);
  buffer.writeUInt32LE(index.count, 40);
  for (let entry = 0; entry < index.count; entry++) {
    const at = headerBytes + entry * entryBytes;
    buffer.writeUInt32LE(index.offsetAt(entry) - index.baseOffset, at);
    buffer.writeUInt32LE(index.positionAt(entry), at + 4);
    writeU64(buffer, index.arrivalAt(entry), at + 8);
  }
  const crc = crc32c(buffer, headerBytes, buffer.length, crc32c(buffer, 0, 44));
  buffer.writeUInt32LE(crc, 44);
  return buffer;
}

export type IndexFileOutcome =
  | { ok: true; index: SegmentIndex; coverage: IndexCoverage }
  | { ok: false; reason: string };

export function decodeIndexFile(buffer: Buffer, baseOffset: number): IndexFileOutcome {
  if (buffer.length < headerBytes) return { ok: false, reason: "index file is incomplete" };
  if (!buffer.subarray(0, 4).equals(magic)) return { ok: false, reason: "not an index file" };
  if (buffer.readUInt16LE(4) !== indexFormatVersion || buffer.readUInt16LE(6) !== headerBytes) {
    return { ok: false, reason: `unsupported index format version ${buffer.readUInt16LE(4)}` };
  }
  const count = buffer.readUInt32LE(40);
  if (buffer.length !== headerBytes + count * entryBytes) return { ok: false, reason: "index file length mismatch" };
  const crc = crc32c(buffer, headerBytes, buffer.length, crc32c(buffer, 0, 44));
  if (crc !== buffer.readUInt32LE(44)) return { ok: false, reason: "index checksum mismatch" };
  if (readU64(buffer, 8) !== baseOffset) return { ok: false, reason: "index belongs to another segment" };
  const coverage: IndexCoverage = {
    coveredBytes: readU64(buffer, 16),
    endOffset: readU64(buffer, 24),
    lastArrivalMs: readU64(buffer, 32),
  };
  const index = new SegmentIndex(baseOffset, Math.max(8, count));
  for (let entry = 0; entry < count; entry++) {
    const at = headerBytes + entry * entryBytes;
    const offset = baseOffset + buffer.readUInt32LE(at);
    const position = buffer.readUInt32LE(at + 4);
    const arrivalMs = readU64(buffer, at + 8);
    const previous = index.count - 1;
    if (previous >= 0 && (offset <= index.offsetAt(previous) || position <= index.positionAt(previous) || arrivalMs < index.arrivalAt(previous))) {
      return { ok: false, reason: "index entries out of order" };
    }
    if (position >= coverage.coveredBytes || offset >= coverage.endOffset) return { ok: false, reason: "index entry beyond its coverage" };
    index.push(offset, position, arrivalMs);
  }
  return { ok: true, index, coverage };
}
