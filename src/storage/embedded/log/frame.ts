/**
 * Record frames: how one record lies in a segment file (docs/formats/log-segment.md).
 *
 *   offset  size  field                         (integers little-endian)
 *   0       4     frameBytes                    whole frame, this field included (≥ 32)
 *   4       4     crc32c                        of bytes [8, frameBytes)
 *   8       8     offset                        position of the record in its shard's log
 *   16      8     arrivalMs                     never less than the previous frame's
 *   24      2     partitionKeyBytes
 *   26      1     flags                         bit 0: an explicit hash key is present
 *                                               bit 1: sealed (encryption at rest, docs/encryption.md)
 *   27      1     explicitHashKeyBytes
 *   28      4     dataBytes
 *   32      …     plain:  partition key (UTF-8), explicit hash key (ASCII digits), data
 *                 sealed: key reference (u32), then data: the sealed record; both key lengths 0
 *
 * frameBytes = 32 (+ 4 if sealed) + partitionKeyBytes + explicitHashKeyBytes + dataBytes exactly;
 * a frame that disagrees, fails its checksum, or breaks the offset or time order is corrupt.
 * Sealed frames exist only in data directories whose catalog is format 2 (catalog-file.ts), so a
 * server that predates them refuses the directory rather than cutting them off as corrupt.
 */
import { crc32c } from "../crc32c.js";
import { readU64, writeU64 } from "../binary.js";
import { assert } from "../../../util/assert.js";
import type { AppendRecord, StoredRecord } from "../../types.js";

export const frameHeaderBytes = 32;
/** Larger than any record AWS accepts (10 MiB of data plus keys); anything bigger is garbage. */
export const frameBytesMax = 16 * 1024 * 1024;
const flagExplicitHashKey = 1;
const flagSealed = 2;
/** A sealed frame's key reference, between the header and its data. */
const keyRefBytes = 4;

/** Where the index wants entries, decided while encoding (one flat array: offset, position, arrivalMs…). */
export interface IndexCursor {
  /** File position of the last indexed frame, or -1 if the segment has none yet. */
  lastIndexedPosition: number;
  intervalBytes: number;
}

export interface EncodedBatch {
  buffer: Buffer;
  /** Triples (offset, position, arrivalMs) for the index, in order. */
  indexEntries: number[];
}

/** The bytes `records` take as frames. */
export function batchBytes(records: readonly AppendRecord[]): number {
  // One check per batch: a batch is all sealed or all plain, and plain batches pay nothing more.
  if (records[0]?.sealedWith !== undefined) return sealedBatchBytes(records);
  let total = 0;
  for (const record of records) {
    total += frameHeaderBytes + Buffer.byteLength(record.partitionKey, "utf8") + record.data.length;
    if (record.explicitHashKey !== undefined) total += Buffer.byteLength(record.explicitHashKey, "latin1");
  }
  return total;
}

/**
 * Encodes records as consecutive frames in one buffer of `total` bytes (from batchBytes): one
 * allocation per batch, none per record. `position` is the file position of the first frame; the
 * index cursor is advanced in place.
 */
export function encodeBatch(
  records: readonly AppendRecord[],
  total: number,
  firstOffset: number,
  arrivalMs: number,
  position: number,
  cursor: IndexCursor,
): EncodedBatch {
  if (records[0]?.sealedWith !== undefined) return encodeSealedBatch(records, total, firstOffset, arrivalMs, position, cursor);
  const buffer = Buffer.allocUnsafe(total);
  const indexEntries: number[] = [];
  let at = 0;
  let offset = firstOffset;
  for (const record of records) {
    const partitionKeyBytes = buffer.write(record.partitionKey, at + frameHeaderBytes, "utf8");
    let cursorAt = at + frameHeaderBytes + partitionKeyBytes;
    let explicitHashKeyBytes = 0;
    if (record.explicitHashKey !== undefined) {
      explicitHashKeyBytes = buffer.write(record.explicitHashKey, cursorAt, "latin1");
      cursorAt += explicitHashKeyBytes;
    }
    cursorAt += record.data.copy(buffer, cursorAt);
    const frameBytes = cursorAt - at;
    assert(partitionKeyBytes <= 0xffff && explicitHashKeyBytes <= 0xff, "record keys too long for a frame");
    assert(frameBytes <= frameBytesMax, "record too large for a frame");
    const flags = record.explicitHashKey !== undefined ? flagExplicitHashKey : 0;
    finishFrame(buffer, at, cursorAt, offset, arrivalMs, partitionKeyBytes, flags, explicitHashKeyBytes, record.data.length);
    indexIfDue(cursor, indexEntries, offset, position + at, arrivalMs);
    at = cursorAt;
    offset++;
  }
  assert(at === total, "frame encoding size mismatch");
  return { buffer, indexEntries };
}

/** Writes a frame's header over [at, at + 32) once its body up to `end` is in place, checksum last. */
function finishFrame(
  buffer: Buffer,
  at: number,
  end: number,
  offset: number,
  arrivalMs: number,
  partitionKeyBytes: number,
  flags: number,
  explicitHashKeyBytes: number,
  dataBytes: number,
): void {
  buffer.writeUInt32LE(end - at, at);
  writeU64(buffer, offset, at + 8);
  writeU64(buffer, arrivalMs, at + 16);
  buffer.writeUInt16LE(partitionKeyBytes, at + 24);
  buffer[at + 26] = flags;
  buffer[at + 27] = explicitHashKeyBytes;
  buffer.writeUInt32LE(dataBytes, at + 28);
  buffer.writeUInt32LE(crc32c(buffer, at + 8, end), at + 4);
}

/** Adds an index entry for the frame at `framePosition` when the sparse index is due one. */
function indexIfDue(cursor: IndexCursor, indexEntries: number[], offset: number, framePosition: number, arrivalMs: number): void {
  if (cursor.lastIndexedPosition < 0 || framePosition - cursor.lastIndexedPosition >= cursor.intervalBytes) {
    indexEntries.push(offset, framePosition, arrivalMs);
    cursor.lastIndexedPosition = framePosition;
  }
}

function sealedBatchBytes(records: readonly AppendRecord[]): number {
  let total = 0;
  for (const record of records) total += frameHeaderBytes + keyRefBytes + record.data.length;
  return total;
}

/** encodeBatch for sealed records: the key reference, then the sealed bytes, no keys in the clear. */
function encodeSealedBatch(
  records: readonly AppendRecord[],
  total: number,
  firstOffset: number,
  arrivalMs: number,
  position: number,
  cursor: IndexCursor,
): EncodedBatch {
  const buffer = Buffer.allocUnsafe(total);
  const indexEntries: number[] = [];
  let at = 0;
  let offset = firstOffset;
  for (const record of records) {
    const keyRef = record.sealedWith;
    assert(keyRef !== undefined && record.partitionKey === "" && record.explicitHashKey === undefined, "a batch is all sealed or all plain");
    assert(Number.isInteger(keyRef) && keyRef >= 0 && keyRef <= 0xffffffff, "key references are u32");
    const end = at + frameHeaderBytes + keyRefBytes + record.data.copy(buffer, at + frameHeaderBytes + keyRefBytes);
    const frameBytes = end - at;
    assert(frameBytes <= frameBytesMax, "record too large for a frame");
    buffer.writeUInt32LE(keyRef, at + frameHeaderBytes);
    finishFrame(buffer, at, end, offset, arrivalMs, 0, flagSealed, 0, record.data.length);
    indexIfDue(cursor, indexEntries, offset, position + at, arrivalMs);
    at = end;
    offset++;
  }
  assert(at === total, "frame encoding size mismatch");
  return { buffer, indexEntries };
}

/** What decoding a frame at some position found. */
export type FrameStatus =
  | "ok"
  /** Fewer bytes than a whole frame before the end: a torn write. */
  | "incomplete"
  /** A length, checksum or ordering that cannot be right. */
  | "corrupt";

/** A decoded frame header, reused across frames to avoid an allocation per frame. */
export class FrameView {
  buffer: Buffer = Buffer.alloc(0);
  /** Index of the frame's first byte in `buffer`. */
  start = 0;
  /** The frame's position in its file (set by the scanner). */
  position = 0;
  frameBytes = 0;
  offset = 0;
  arrivalMs = 0;
  partitionKeyBytes = 0;
  hasExplicitHashKey = false;
  explicitHashKeyBytes = 0;
  dataBytes = 0;
  /** A sealed frame's key reference; -1 for a plain frame. */
  sealedWith = -1;

  /** Copies the frame out as a record; the data stays a view into `buffer` (no copy). */
  toRecord(): StoredRecord {
    if (this.sealedWith >= 0) return this.toSealedRecord();
    const keyStart = this.start + frameHeaderBytes;
    const hashKeyStart = keyStart + this.partitionKeyBytes;
    const dataStart = hashKeyStart + this.explicitHashKeyBytes;
    const record: StoredRecord = {
      offset: this.offset,
      arrivalMs: this.arrivalMs,
      partitionKey: this.buffer.toString("utf8", keyStart, hashKeyStart),
      data: this.buffer.subarray(dataStart, dataStart + this.dataBytes),
    };
    if (this.hasExplicitHashKey) record.explicitHashKey = this.buffer.toString("latin1", hashKeyStart, dataStart);
    return record;
  }

  private toSealedRecord(): StoredRecord {
    const dataStart = this.start + frameHeaderBytes + keyRefBytes;
    return {
      offset: this.offset,
      arrivalMs: this.arrivalMs,
      partitionKey: "",
      data: this.buffer.subarray(dataStart, dataStart + this.dataBytes),
      sealedWith: this.sealedWith,
    };
  }
}

/** Reads the frame length at `start` if 4 bytes are there, else -1. */
export function peekFrameBytes(buffer: Buffer, start: number, end: number): number {
  return end - start < 4 ? -1 : buffer.readUInt32LE(start);
}

/**
 * Decodes and verifies the frame at `buffer[start, end)` into `view`. `end` is where valid bytes
 * stop (the chunk end, or the file end). Checks the length fields and the checksum; the caller
 * checks the offset and time order, which need context.
 */
export function decodeFrame(buffer: Buffer, start: number, end: number, view: FrameView): FrameStatus {
  if (end - start < frameHeaderBytes) return "incomplete";
  const frameBytes = buffer.readUInt32LE(start);
  if (frameBytes < frameHeaderBytes || frameBytes > frameBytesMax) return "corrupt";
  if (end - start < frameBytes) return "incomplete";
  const partitionKeyBytes = buffer.readUInt16LE(start + 24);
  const flags = buffer[start + 26]!;
  const explicitHashKeyBytes = buffer[start + 27]!;
  const dataBytes = buffer.readUInt32LE(start + 28);
  if ((flags & ~(flagExplicitHashKey | flagSealed)) !== 0) return "corrupt";
  if ((flags & flagExplicitHashKey) === 0 && explicitHashKeyBytes !== 0) return "corrupt";
  const sealed = (flags & flagSealed) !== 0;
  // A sealed frame keeps both keys inside its sealed data: nothing of them in the clear.
  if (sealed && (partitionKeyBytes !== 0 || (flags & flagExplicitHashKey) !== 0)) return "corrupt";
  const bodyStart = sealed ? frameHeaderBytes + keyRefBytes : frameHeaderBytes;
  if (bodyStart + partitionKeyBytes + explicitHashKeyBytes + dataBytes !== frameBytes) return "corrupt";
  if (crc32c(buffer, start + 8, start + frameBytes) !== buffer.readUInt32LE(start + 4)) return "corrupt";
  const offset = readU64(buffer, start + 8);
  const arrivalMs = readU64(buffer, start + 16);
  if (offset < 0 || arrivalMs < 0) return "corrupt";
  view.buffer = buffer;
  view.start = start;
  view.frameBytes = frameBytes;
  view.offset = offset;
  view.arrivalMs = arrivalMs;
  view.partitionKeyBytes = partitionKeyBytes;
  view.hasExplicitHashKey = (flags & flagExplicitHashKey) !== 0;
  view.explicitHashKeyBytes = explicitHashKeyBytes;
  view.dataBytes = dataBytes;
  view.sealedWith = sealed ? buffer.readUInt32LE(start + frameHeaderBytes) : -1;
  return "ok";
}
