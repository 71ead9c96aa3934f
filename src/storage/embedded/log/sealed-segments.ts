/**
 * Sealed segments (every segment but a shard's last) are immutable. Their indexes are loaded on
 * first use — from the `.index` file when it is intact and covers the whole segment, otherwise by
 * scanning the segment and rewriting the file — and kept in a bounded LRU, so memory does not grow
 * with the data volume and startup never touches them.
 */
import { readFully, readWholeFile, replaceFile, isNotFound } from "../fs-port.js";
import { indexingVisitor, scanFrames } from "./frame-scanner.js";
import type { FileHandlePort } from "../fs-port.js";
import { decodeSegmentHeader, indexFileName, segmentFileName, segmentHeaderBytes } from "./segment-file.js";
import { decodeIndexFile, encodeIndexFile, SegmentIndex, type IndexCoverage } from "./segment-index.js";
import type { LogEnv } from "./log-env.js";
import { StorageCorruptionError } from "../failure.js";

export interface SealedSegment {
  index: SegmentIndex;
  coverage: IndexCoverage;
  /** Arrival time of the record before this segment (from its header). */
  previousArrivalMs: number;
}

export class SealedCache {
  private readonly entries = new Map<string, SealedSegment>();
  private readonly loading = new Map<string, Promise<SealedSegment>>();

  constructor(private readonly entriesMax: number) {}

  get(path: string): SealedSegment | undefined {
    const entry = this.entries.get(path);
    if (entry) {
      this.entries.delete(path);
      this.entries.set(path, entry);
    }
    return entry;
  }

  set(path: string, segment: SealedSegment): void {
    this.entries.delete(path);
    this.entries.set(path, segment);
    while (this.entries.size > this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(path: string): void {
    this.entries.delete(path);
  }

  forgetUnder(prefix: string): void {
    for (const path of [...this.entries.keys()]) if (path.startsWith(prefix)) this.entries.delete(path);
  }

  /** Loads once even when many readers ask at the same time. */
  load(path: string, loader: () => Promise<SealedSegment>): Promise<SealedSegment> {
    const cached = this.get(path);
    if (cached) return Promise.resolve(cached);
    let pending = this.loading.get(path);
    if (!pending) {
      pending = loader().then(
        (segment) => {
          this.loading.delete(path);
          this.set(path, segment);
          return segment;
        },
        (error: unknown) => {
          this.loading.delete(path);
          throw error;
        },
      );
      this.loading.set(path, pending);
    }
    return pending;
  }
}

/** The sealed segment `baseOffset` of the shard in `dir`, whose successor starts at `nextBaseOffset`. */
export function loadSealedSegment(env: LogEnv, dir: string, baseOffset: number, nextBaseOffset: number): Promise<SealedSegment> {
  const path = `${dir}/${segmentFileName(baseOffset)}`;
  return env.sealed.load(path, () =>
    env.handles.with(path, async (handle) => {
      const size = await handle.size();
      const headerBytes = Buffer.alloc(segmentHeaderBytes);
      await readFully(handle, headerBytes, segmentHeaderBytes, 0);
      const header = decodeSegmentHeader(headerBytes);
      if (!header.ok) throw new StorageCorruptionError(`${path}: ${header.reason}`);
      const fromFile = await readIndexFile(env, dir, baseOffset);
      if (fromFile && fromFile.coverage.coveredBytes === size && fromFile.coverage.endOffset === nextBaseOffset) {
        return { index: fromFile.index, coverage: fromFile.coverage, previousArrivalMs: header.previousArrivalMs };
      }
      return rebuildIndex(env, dir, baseOffset, nextBaseOffset, size, header.previousArrivalMs, handle);
    }),
  );
}

async function readIndexFile(env: LogEnv, dir: string, baseOffset: number) {
  try {
    const decoded = decodeIndexFile(await readWholeFile(env.fs, `${dir}/${indexFileName(baseOffset)}`), baseOffset);
    if (decoded.ok) return decoded;
    env.logger.warn({ dir, baseOffset, reason: decoded.reason }, "segment index unusable; rebuilding it");
  } catch (error) {
    if (!isNotFound(error)) env.logger.warn({ dir, baseOffset, err: error }, "segment index unreadable; rebuilding it");
  }
  return undefined;
}

async function rebuildIndex(
  env: LogEnv,
  dir: string,
  baseOffset: number,
  nextBaseOffset: number,
  size: number,
  previousArrivalMs: number,
  handle: FileHandlePort,
): Promise<SealedSegment> {
  const index = new SegmentIndex(baseOffset);
  const scan = await scanFrames({
    handle,
    from: segmentHeaderBytes,
    end: size,
    expectedOffset: baseOffset,
    previousArrivalMs,
    chunkBytes: Math.max(env.options.readChunkBytes, 1024 * 1024),
    keepChunks: false,
    visit: indexingVisitor(index, env.options.indexIntervalBytes),
  });
  const coverage: IndexCoverage = {
    coveredBytes: scan.position,
    endOffset: scan.nextOffset,
    lastArrivalMs: scan.nextOffset > baseOffset ? scan.lastArrivalMs : 0,
  };
  if (scan.stop !== "end" || scan.nextOffset !== nextBaseOffset) {
    // Sealed segments were made durable before their successor was created, so this is damage
    // after the fact (bit rot, a truncated copy). Serve what verifies; never guess past it.
    env.logger.error(
      { dir, baseOffset, reason: scan.reason, validBytes: scan.position, size, endOffset: scan.nextOffset, nextBaseOffset },
      "sealed segment is damaged: records past the damage are unreadable",
    );
    return { index, coverage, previousArrivalMs };
  }
  try {
    await replaceFile(env.fs, dir, indexFileName(baseOffset), encodeIndexFile(index, coverage), false);
  } catch (error) {
    env.logger.warn({ dir, baseOffset, err: error }, "could not write a rebuilt segment index; will rebuild again when needed");
  }
  return { index, coverage, previousArrivalMs };
}
