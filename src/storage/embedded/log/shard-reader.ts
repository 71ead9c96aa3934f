/**
 * Reads from a shard's segments: locate the segment by base offset, jump to the nearest index
 * entry, scan at most one index interval to the wanted record, then stream frames until a limit.
 * Reads see only acknowledged records: the active segment is read up to its acknowledged size,
 * captured when the read starts.
 */
import type { ReadLimits, ReadResult, StoredRecord } from "../../types.js";
import { scanFrames } from "./frame-scanner.js";
import { segmentFileName, segmentHeaderBytes } from "./segment-file.js";
import type { SegmentIndex } from "./segment-index.js";
import { loadSealedSegment } from "./sealed-segments.js";
import type { LogEnv } from "./log-env.js";
import { StorageCorruptionError } from "../failure.js";

/** What a read sees of a shard, captured when it starts. */
export interface ShardSnapshot {
  dir: string;
  segmentBases: readonly number[];
  activeIndex: SegmentIndex;
  activeSizeBytes: number;
  activeEndOffset: number;
  activeFirstArrivalMs: number | undefined;
  activePreviousArrivalMs: number;
}

interface SegmentSpan {
  path: string;
  baseOffset: number;
  index: SegmentIndex;
  /** End of the frames to read. */
  byteEnd: number;
  endOffset: number;
  previousArrivalMs: number;
}

async function segmentSpan(env: LogEnv, snapshot: ShardSnapshot, segment: number): Promise<SegmentSpan> {
  const bases = snapshot.segmentBases;
  const baseOffset = bases[segment]!;
  const path = `${snapshot.dir}/${segmentFileName(baseOffset)}`;
  if (segment === bases.length - 1) {
    return {
      path,
      baseOffset,
      index: snapshot.activeIndex,
      byteEnd: snapshot.activeSizeBytes,
      endOffset: snapshot.activeEndOffset,
      previousArrivalMs: snapshot.activePreviousArrivalMs,
    };
  }
  const sealed = await loadSealedSegment(env, snapshot.dir, baseOffset, bases[segment + 1]!);
  return {
    path,
    baseOffset,
    index: sealed.index,
    byteEnd: sealed.coverage.coveredBytes,
    endOffset: sealed.coverage.endOffset,
    previousArrivalMs: sealed.previousArrivalMs,
  };
}

/** The last segment whose base offset is at or below `offset`. */
function segmentOf(bases: readonly number[], offset: number): number {
  let low = 0;
  let high = bases.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bases[middle]! <= offset) low = middle + 1;
    else high = middle;
  }
  return Math.max(0, low - 1);
}

/** Where to start scanning for `entry` of `span.index` (-1: the segment's first frame). */
function scanStart(span: SegmentSpan, entry: number): { from: number; expectedOffset: number; previousArrivalMs: number } {
  if (entry < 0) return { from: segmentHeaderBytes, expectedOffset: span.baseOffset, previousArrivalMs: span.previousArrivalMs };
  return { from: span.index.positionAt(entry), expectedOffset: span.index.offsetAt(entry), previousArrivalMs: span.index.arrivalAt(entry) };
}

function damaged(span: SegmentSpan, reason: string | undefined): StorageCorruptionError {
  return new StorageCorruptionError(`${span.path}: acknowledged data fails its checks: ${reason ?? "records missing"}`);
}

/** Reads from `fromOffset`, which must lie in [start, end) of the snapshot. */
export async function readRecords(env: LogEnv, snapshot: ShardSnapshot, fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
  const records: StoredRecord[] = [];
  let bytes = 0;
  let nextArrivalMs: number | undefined;
  let offset = fromOffset;
  let full = false;
  for (let segment = segmentOf(snapshot.segmentBases, offset); segment < snapshot.segmentBases.length && !full; segment++) {
    const span = await segmentSpan(env, snapshot, segment);
    const wanted = offset;
    const scan = await env.handles.with(span.path, (handle) =>
      scanFrames({
        handle,
        ...scanStart(span, span.index.floorByOffset(wanted)),
        end: span.byteEnd,
        chunkBytes: env.options.readChunkBytes,
        keepChunks: true,
        visit(frame) {
          if (frame.offset < wanted) return true;
          if (records.length >= limits.recordsMax || (records.length > 0 && bytes + frame.dataBytes > limits.bytesMax)) {
            nextArrivalMs = frame.arrivalMs;
            full = true;
            return false;
          }
          records.push(frame.toRecord());
          bytes += frame.dataBytes;
          return true;
        },
      }),
    );
    if (scan.stop === "incomplete" || scan.stop === "corrupt") throw damaged(span, scan.reason);
    if (scan.stop === "end" && scan.nextOffset !== span.endOffset) throw damaged(span, `segment ends at offset ${scan.nextOffset}, expected ${span.endOffset}`);
    offset = Math.max(offset, scan.nextOffset);
  }
  const result: ReadResult = { records, nextOffset: offset };
  if (nextArrivalMs !== undefined) result.nextArrivalMs = nextArrivalMs;
  return result;
}

/** The first offset whose arrival time is at or after `timestampMs`; the snapshot must not be empty. */
export async function findOffsetAtTime(env: LogEnv, snapshot: ShardSnapshot, timestampMs: number): Promise<number> {
  const bases = snapshot.segmentBases;
  const firstArrival = async (segment: number): Promise<number> => {
    if (segment === bases.length - 1) return snapshot.activeFirstArrivalMs ?? Infinity;
    const span = await segmentSpan(env, snapshot, segment);
    return span.index.count > 0 ? span.index.arrivalAt(0) : Infinity;
  };
  // First arrival times never decrease from segment to segment: find the last one that began before the time.
  let low = 0;
  let high = bases.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((await firstArrival(middle)) < timestampMs) low = middle + 1;
    else high = middle;
  }
  if (low === 0) return bases[0]!;
  const span = await segmentSpan(env, snapshot, low - 1);
  let found: number | undefined;
  const scan = await env.handles.with(span.path, (handle) =>
    scanFrames({
      handle,
      ...scanStart(span, span.index.lastBefore(timestampMs)),
      end: span.byteEnd,
      chunkBytes: env.options.readChunkBytes,
      keepChunks: false,
      visit(frame) {
        if (frame.arrivalMs < timestampMs) return true;
        found = frame.offset;
        return false;
      },
    }),
  );
  if (scan.stop === "incomplete" || scan.stop === "corrupt") throw damaged(span, scan.reason);
  return found ?? span.endOffset;
}
