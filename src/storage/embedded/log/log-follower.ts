/**
 * A read-only follower of the shard logs under a data directory: what a second process holds
 * when it tails the segment files another process's engine writes. It takes no lock and writes
 * nothing; it learns of appends by looking at the files — on each read, and every
 * `pollIntervalMs` (on the injected clock) while someone watches the shard — and announces each
 * new end offset it finds to the shard's watchers.
 *
 * It sees whole, verified frames on disk: under fsync=always those are durable, and a frame a
 * failed write round leaves (and the writer then cuts off) can be seen between the two — the
 * follower is for tailing, not for deciding what was acknowledged. A torn or half-written tail
 * is simply not there yet; a segment whose header is still being written is skipped until whole.
 *
 * The first look at a shard announces what it finds (the follower has no earlier state to
 * compare with): a watcher reads `endOffset()` after that look, as `LogStore.watch` asks.
 */
import type { AppendOutcome, LogStore, LogWatch, ReadLimits, ReadResult, ShardLog } from "../../types.js";
import { assert } from "../../../util/assert.js";
import type { Clock, Timer } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";
import { isNotFound, readFully, type FsPort } from "../fs-port.js";
import { LogWatchers } from "../../log-watchers.js";
import { indexingVisitor, scanFrames } from "./frame-scanner.js";
import { HandleCache } from "./handle-cache.js";
import { defaultLogOptions, type LogEnv } from "./log-env.js";
import { isValidStreamId } from "./log-store.js";
import { SealedCache } from "./sealed-segments.js";
import { decodeSegmentHeader, parseLogFileName, segmentFileName, segmentHeaderBytes } from "./segment-file.js";
import { SegmentIndex } from "./segment-index.js";
import { findOffsetAtTime, readRecords, type ShardSnapshot } from "./shard-reader.js";

export interface LogFollowerOptions {
  dataDir: string;
  fs: FsPort;
  clock: Clock;
  logger: Logger;
  /** How often a watched shard's files are looked at. */
  pollIntervalMs: number;
}

export interface LogFollower extends LogStore {
  /** Stops every poll and closes the files. */
  close(): Promise<void>;
}

const readOnly = { kind: "closed", message: "a log follower is read-only" } as const;
/** Attempts of a read that met a segment retention deleted under it. */
const readAttemptsMax = 3;

export function openLogFollower(options: LogFollowerOptions): LogFollower {
  const logOptions = { ...defaultLogOptions, fsync: "never" as const };
  const env: LogEnv = {
    fs: options.fs,
    clock: options.clock,
    logger: options.logger.child({ component: "log-follower" }),
    options: logOptions,
    handles: new HandleCache(options.fs, logOptions.openFilesMax),
    sealed: new SealedCache(logOptions.sealedIndexesMax),
  };
  const shards = new Map<string, ShardFollower>();
  return {
    shard(streamId, shardIndex) {
      assert(isValidStreamId(streamId), "stream ids are lowercase hex");
      const key = `${streamId}/${shardIndex}`;
      let shard = shards.get(key);
      if (!shard) {
        shard = new ShardFollower(env, `${options.dataDir}/logs/${streamId}/${shardIndex}`, options.pollIntervalMs);
        shards.set(key, shard);
      }
      return shard;
    },
    dropStream() {
      throw new Error("a log follower is read-only: it cannot drop a stream");
    },
    async close() {
      for (const shard of shards.values()) shard.stop();
      await env.handles.closeAll();
    },
  };
}

/** The last segment as last seen: verified up to `sizeBytes`. */
interface Tail {
  baseOffset: number;
  index: SegmentIndex;
  sizeBytes: number;
  endOffset: number;
  previousArrivalMs: number;
  lastArrivalMs: number;
}

class ShardFollower implements ShardLog {
  private segmentBases: number[] = [];
  private tail: Tail | undefined;
  private readonly watchers = new LogWatchers();
  private watching = 0;
  private timer: Timer | undefined;
  private looking: Promise<void> | undefined;

  constructor(
    private readonly env: LogEnv,
    private readonly dir: string,
    private readonly pollIntervalMs: number,
  ) {}

  append(): Promise<AppendOutcome> {
    return Promise.resolve({ ok: false, failure: readOnly });
  }

  startOffset(): number {
    return this.segmentBases[0] ?? this.endOffset();
  }

  endOffset(): number {
    return this.tail?.endOffset ?? 0;
  }

  async read(fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
    for (let attempt = 1; ; attempt++) {
      await this.look();
      const offset = Math.max(fromOffset, this.startOffset());
      if (offset >= this.endOffset() || limits.recordsMax <= 0) return { records: [], nextOffset: offset };
      try {
        return await readRecords(this.env, this.snapshot(), offset, limits);
      } catch (error) {
        // Retention deleted a segment under the read: look again and start from the new start.
        if (!isNotFound(error) || attempt >= readAttemptsMax) throw error;
        this.segmentBases = [];
      }
    }
  }

  async offsetAtTime(timestampMs: number): Promise<number> {
    await this.look();
    if (this.startOffset() >= this.endOffset()) return this.endOffset();
    return findOffsetAtTime(this.env, this.snapshot(), timestampMs);
  }

  async trimBefore(): Promise<void> {
    // Retention is the writer's; readers filter by arrival time.
  }

  watch(listener: (endOffset: number) => void): LogWatch {
    const watch = this.watchers.watch(listener);
    if (this.watching++ === 0) {
      this.timer = this.env.clock.setInterval(() => void this.look(), this.pollIntervalMs, { unref: true });
      void this.look();
    }
    let stopped = false;
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        watch.stop();
        if (--this.watching === 0) this.stop();
      },
    };
  }

  stop(): void {
    this.env.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Looks at the files once (one look at a time: a caller during a look waits for it). */
  look(): Promise<void> {
    this.looking ??= this.lookNow()
      .catch((error: unknown) => this.env.logger.warn({ dir: this.dir, err: error }, "could not follow the shard's files; will look again"))
      .finally(() => (this.looking = undefined));
    return this.looking;
  }

  private async lookNow(): Promise<void> {
    const before = this.endOffset();
    const bases = await this.listSegments();
    // The newest segment whose header is whole is the tail; a newer one still being created is not there yet.
    for (let last = bases.length - 1; last >= 0; last--) {
      const base = bases[last]!;
      const tail = this.tail?.baseOffset === base ? this.tail : await this.openTail(base);
      if (tail === undefined) continue;
      await this.extend(tail);
      this.tail = tail;
      this.segmentBases = bases.slice(0, last + 1);
      break;
    }
    const after = this.endOffset();
    if (after > before) this.watchers.announce(after);
  }

  private async listSegments(): Promise<number[]> {
    try {
      const bases: number[] = [];
      for (const entry of await this.env.fs.readdir(this.dir)) {
        const parsed = entry.isDirectory ? undefined : parseLogFileName(entry.name);
        if (parsed?.kind === "log") bases.push(parsed.baseOffset);
      }
      return bases.sort((a, b) => a - b);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  private async openTail(baseOffset: number): Promise<Tail | undefined> {
    const header = Buffer.alloc(segmentHeaderBytes);
    const path = `${this.dir}/${segmentFileName(baseOffset)}`;
    try {
      await this.env.handles.with(path, async (handle) => {
        if ((await handle.size()) < segmentHeaderBytes) return;
        await readFully(handle, header, segmentHeaderBytes, 0);
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const decoded = decodeSegmentHeader(header);
    if (!decoded.ok || decoded.baseOffset !== baseOffset) return undefined;
    const { previousArrivalMs } = decoded;
    return { baseOffset, index: new SegmentIndex(baseOffset), sizeBytes: segmentHeaderBytes, endOffset: baseOffset, previousArrivalMs, lastArrivalMs: previousArrivalMs };
  }

  /** Verifies and indexes the frames written past what was seen, up to the first incomplete one. */
  private async extend(tail: Tail): Promise<void> {
    const path = `${this.dir}/${segmentFileName(tail.baseOffset)}`;
    await this.env.handles.with(path, async (handle) => {
      const size = await handle.size();
      if (size <= tail.sizeBytes) return;
      const scan = await scanFrames({
        handle,
        from: tail.sizeBytes,
        end: size,
        expectedOffset: tail.endOffset,
        previousArrivalMs: tail.lastArrivalMs,
        chunkBytes: this.env.options.readChunkBytes,
        keepChunks: false,
        visit: indexingVisitor(tail.index, this.env.options.indexIntervalBytes),
      });
      tail.sizeBytes = scan.position;
      if (scan.nextOffset > tail.endOffset) tail.lastArrivalMs = scan.lastArrivalMs;
      tail.endOffset = scan.nextOffset;
    });
  }

  private snapshot(): ShardSnapshot {
    const tail = this.tail!;
    return {
      dir: this.dir,
      segmentBases: [...this.segmentBases],
      activeIndex: tail.index,
      activeSizeBytes: tail.sizeBytes,
      activeEndOffset: tail.endOffset,
      activeFirstArrivalMs: tail.index.count > 0 ? tail.index.arrivalAt(0) : undefined,
      activePreviousArrivalMs: tail.previousArrivalMs,
    };
  }
}
