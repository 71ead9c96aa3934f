/**
 * Opening a shard's directory after a clean stop or a crash. Only the last segment can hold a torn
 * or unsynced tail (a segment is made durable before its successor is created), so only it is
 * checked: from its index checkpoint (bytes already verified and made durable) to its end, every
 * frame is verified, and the file is cut at the first one that fails. Sealed segments are not read
 * at all, so startup time does not grow with the data volume.
 */
import { isNotFound, readFully, readWholeFile, type FileHandlePort } from "../fs-port.js";
import { indexingVisitor, scanFrames } from "./frame-scanner.js";
import { decodeSegmentHeader, indexFileName, parseLogFileName, segmentFileName, segmentHeaderBytes } from "./segment-file.js";
import { decodeIndexFile, SegmentIndex, type IndexCoverage } from "./segment-index.js";
import type { LogEnv } from "./log-env.js";

/** The last segment of a shard: the one appends go to. All fields describe acknowledged data. */
export interface ActiveSegment {
  baseOffset: number;
  path: string;
  index: SegmentIndex;
  /** Bytes of the file that hold acknowledged frames (header included). */
  sizeBytes: number;
  /** One past the last acknowledged record. */
  endOffset: number;
  /** Arrival of the last record, or previousArrivalMs while the segment is empty. */
  lastArrivalMs: number;
  /** Arrival of the first record; undefined while the segment is empty. */
  firstArrivalMs: number | undefined;
  previousArrivalMs: number;
  /** Bytes written to the file, acknowledged or not (≥ sizeBytes while a flush is in flight). */
  writtenBytes: number;
  /** Bytes known to be durable. */
  syncedBytes: number;
  /** Bytes covered by the index file on disk. */
  checkpointedBytes: number;
  /** Whether that index file is known durable (a clean stop leaves it so). */
  checkpointDurable: boolean;
  /** The writer's handle, opened on first write. */
  handle: FileHandlePort | undefined;
}

export interface RecoveredShard {
  /** Base offsets of all segments, ascending; the last is the active segment's. */
  segmentBases: number[];
  active: ActiveSegment | undefined;
}

export class UnreadableDataError extends Error {
  override name = "UnreadableDataError";
}

export async function recoverShard(env: LogEnv, dir: string): Promise<RecoveredShard> {
  const bases: number[] = [];
  const indexes = new Set<number>();
  for (const entry of await env.fs.readdir(dir)) {
    if (entry.isDirectory) continue;
    if (entry.name.endsWith(".tmp")) {
      await env.fs.unlink(`${dir}/${entry.name}`);
      continue;
    }
    const parsed = parseLogFileName(entry.name);
    if (!parsed) {
      env.logger.warn({ dir, file: entry.name }, "ignoring a file the log did not write");
      continue;
    }
    if (parsed.kind === "log") bases.push(parsed.baseOffset);
    else indexes.add(parsed.baseOffset);
  }
  bases.sort((a, b) => a - b);
  for (const base of indexes) if (!bases.includes(base)) await unlinkQuietly(env, `${dir}/${indexFileName(base)}`);

  while (bases.length > 0) {
    const base = bases[bases.length - 1]!;
    const active = await recoverLastSegment(env, dir, base);
    if (active) return { segmentBases: bases, active };
    bases.pop();
  }
  return { segmentBases: [], active: undefined };
}

/** Recovers the last segment, or returns undefined after deleting it if its header never became durable. */
async function recoverLastSegment(env: LogEnv, dir: string, baseOffset: number): Promise<ActiveSegment | undefined> {
  const path = `${dir}/${segmentFileName(baseOffset)}`;
  const handle = await env.fs.open(path, "readWrite");
  try {
    const size = await handle.size();
    const headerBytes = Buffer.alloc(segmentHeaderBytes);
    await readFully(handle, headerBytes, segmentHeaderBytes, 0);
    const header = decodeSegmentHeader(headerBytes);
    if (!header.ok) {
      if (header.fatal) throw new UnreadableDataError(`${path}: ${header.reason}`);
      // A segment is created with its header and first records in one write, made durable before
      // anything in it is acknowledged: a torn header means nothing in it was acknowledged.
      env.logger.warn({ path, reason: header.reason, size }, "removing a segment whose creation did not complete");
      await unlinkQuietly(env, `${dir}/${indexFileName(baseOffset)}`);
      await env.fs.unlink(path);
      await env.fs.syncDir(dir);
      return undefined;
    }
    if (header.baseOffset !== baseOffset) throw new UnreadableDataError(`${path}: header names base offset ${header.baseOffset}`);
    const checkpoint = await readCheckpoint(env, dir, baseOffset, size);
    const index = checkpoint?.index ?? new SegmentIndex(baseOffset);
    const from = checkpoint?.coverage.coveredBytes ?? segmentHeaderBytes;
    const fromOffset = checkpoint?.coverage.endOffset ?? baseOffset;
    const previousArrivalMs = fromOffset > baseOffset ? checkpoint!.coverage.lastArrivalMs : header.previousArrivalMs;
    const scan = await scanFrames({
      handle,
      from,
      end: size,
      expectedOffset: fromOffset,
      previousArrivalMs,
      chunkBytes: Math.max(env.options.readChunkBytes, 1024 * 1024),
      keepChunks: false,
      visit: indexingVisitor(index, env.options.indexIntervalBytes),
    });
    if (scan.stop !== "end") {
      env.logger.warn({ path, reason: scan.reason, keptBytes: scan.position, cutBytes: size - scan.position }, "cutting a torn or corrupt tail");
      await handle.truncate(scan.position);
      await handle.datasync();
    }
    if (from < size || scan.stop !== "end") {
      env.logger.info({ path, checkedBytes: size - from, records: scan.nextOffset - fromOffset }, "checked the tail of the last segment");
    }
    const empty = scan.nextOffset === baseOffset;
    return {
      baseOffset,
      path,
      index,
      sizeBytes: scan.position,
      endOffset: scan.nextOffset,
      lastArrivalMs: empty ? header.previousArrivalMs : scan.lastArrivalMs,
      firstArrivalMs: index.count > 0 ? index.arrivalAt(0) : undefined,
      previousArrivalMs: header.previousArrivalMs,
      writtenBytes: scan.position,
      syncedBytes: scan.position,
      checkpointedBytes: from,
      // A checkpoint that covered everything was left by a clean stop; it is only a hint anyway.
      checkpointDurable: from === size,
      handle: undefined,
    };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The index checkpoint, if it is intact and covers no more than the file holds. */
async function readCheckpoint(
  env: LogEnv,
  dir: string,
  baseOffset: number,
  size: number,
): Promise<{ index: SegmentIndex; coverage: IndexCoverage } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readWholeFile(env.fs, `${dir}/${indexFileName(baseOffset)}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const decoded = decodeIndexFile(bytes, baseOffset);
  if (!decoded.ok) {
    env.logger.warn({ dir, baseOffset, reason: decoded.reason }, "ignoring an unusable index checkpoint");
    return undefined;
  }
  const { coveredBytes, endOffset } = decoded.coverage;
  if (coveredBytes < segmentHeaderBytes || coveredBytes > size || endOffset < baseOffset || (endOffset === baseOffset) !== (decoded.index.count === 0)) {
    env.logger.warn({ dir, baseOffset, coveredBytes, size }, "ignoring an index checkpoint that does not match its segment");
    return undefined;
  }
  return decoded;
}

async function unlinkQuietly(env: LogEnv, path: string): Promise<void> {
  try {
    await env.fs.unlink(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
