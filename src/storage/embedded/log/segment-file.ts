/**
 * Segment files: names and the 40-byte header (docs/formats/log-segment.md).
 *
 *   <20-digit base offset>.log      header, then record frames
 *   <20-digit base offset>.index    the segment's sparse offset/time index (segment-index.ts)
 *
 * Header (little-endian):
 *   0   4  magic "TRLG"
 *   4   2  format version (1)
 *   6   2  header bytes (40)
 *   8   8  base offset: the offset of the segment's first record
 *   16  8  createdAtMs
 *   24  8  previousArrivalMs: arrival time of the record before the base offset (0 if none), so
 *          time order is checkable even after older segments are deleted
 *   32  4  reserved, zero
 *   36  4  crc32c of bytes [0, 36)
 */
import { crc32c } from "../crc32c.js";
import { readU64, writeU64 } from "../binary.js";

export const segmentHeaderBytes = 40;
export const segmentFormatVersion = 1;
const magic = Buffer.from("TRLG", "latin1");
const namePattern = /^(\d{20})\.(log|index)$/;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, "0")}.log`;
}

export function indexFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, "0")}.index`;
}

/** Parses a file name the log wrote; undefined for anything else. */
export function parseLogFileName(name: string): { baseOffset: number; kind: "log" | "index" } | undefined {
  const match = namePattern.exec(name);
  if (!match) return undefined;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return undefined;
  return { baseOffset, kind: match[2] as "log" | "index" };
}

export interface SegmentHeader {
  baseOffset: number;
  createdAtMs: number;
  previousArrivalMs: number;
}

export function encodeSegmentHeader(header: SegmentHeader): Buffer {
  const buffer = Buffer.alloc(segmentHeaderBytes);
  magic.copy(buffer, 0);
  buffer.writeUInt16LE(segmentFormatVersion, 4);
  buffer.writeUInt16LE(segmentHeaderBytes, 6);
  writeU64(buffer, header.baseOffset, 8);
  writeU64(buffer, header.createdAtMs, 16);
  writeU64(buffer, header.previousArrivalMs, 24);
  buffer.writeUInt32LE(crc32c(buffer, 0, 36), 36);
  return buffer;
}

export type SegmentHeaderOutcome =
  | ({ ok: true } & SegmentHeader)
  /** `fatal`: the file is intact but not ours to read (a newer format): never delete it. */
  | { ok: false; reason: string; fatal: boolean };

export function decodeSegmentHeader(header: Buffer): SegmentHeaderOutcome {
  if (header.length < segmentHeaderBytes) return { ok: false, reason: "header is incomplete", fatal: false };
  if (crc32c(header, 0, 36) !== header.readUInt32LE(36)) return { ok: false, reason: "header checksum mismatch", fatal: false };
  if (!header.subarray(0, 4).equals(magic)) return { ok: false, reason: "not a segment file", fatal: true };
  const version = header.readUInt16LE(4);
  if (version !== segmentFormatVersion) return { ok: false, reason: `unsupported segment format version ${version}`, fatal: true };
  if (header.readUInt16LE(6) !== segmentHeaderBytes) return { ok: false, reason: "unexpected header size", fatal: true };
  const baseOffset = readU64(header, 8);
  const createdAtMs = readU64(header, 16);
  const previousArrivalMs = readU64(header, 24);
  if (baseOffset < 0 || createdAtMs < 0 || previousArrivalMs < 0) return { ok: false, reason: "header field out of range", fatal: false };
  return { ok: true, baseOffset, createdAtMs, previousArrivalMs };
}
