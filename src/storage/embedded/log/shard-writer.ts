/**
 * A shard's writer: group commit, segment rolls and repair after failures.
 *
 * Appends are assigned their offsets and file positions at once, in call order, and queued. The
 * writer takes everything queued since its last round, writes it with one writev and only then
 * resolves the appends — so concurrent requests share one write and one sync. Under fsync=always
 * the segment is written through an O_DSYNC descriptor, so that writev returns only once its data
 * is durable: none is acknowledged before the sync that covers it, and a round takes one trip
 * through the threadpool where a write and then an fdatasync took two (PutRecord p50 1.32 against
 * 1.57 ms on the benchmark machine, docs/performance.md "Single-record latency").
 *
 * A failed round (ENOSPC, EIO) fails its appends and everything queued behind them, cuts the file
 * back to the acknowledged size and makes that durable before reporting the failure; if that
 * repair fails too, the next round retries it first. Nothing acknowledged is ever cut.
 */
import type { AppendOutcome, AppendRecord, StorageFailure } from "../../types.js";
import { isNotFound, replaceFile, writeFully, type FileHandlePort } from "../fs-port.js";
import { assert } from "../../../util/assert.js";
import { batchBytes, encodeBatch, type IndexCursor } from "./frame.js";
import { encodeSegmentHeader, indexFileName, segmentFileName, segmentHeaderBytes, type SegmentHeader } from "./segment-file.js";
import { encodeIndexFile, SegmentIndex } from "./segment-index.js";
import type { ActiveSegment } from "./shard-recovery.js";
import type { LogEnv } from "./log-env.js";
import { storageFailure } from "../failure.js";

/** The shard's files as readers and the writer share them; only the writer changes `active`. */
export interface ShardFiles {
  /** Base offsets of all segments, ascending; the last is the active segment's. */
  segmentBases: number[];
  active: ActiveSegment | undefined;
  state: "open" | "closed" | "dropped";
}

interface PendingBatch {
  buffer: Buffer;
  /** Triples (offset, position, arrivalMs). */
  indexEntries: number[];
  firstOffset: number;
  count: number;
  arrivalMs: number;
  /** File position of the first frame. */
  position: number;
  /** Set when this batch opens a new segment: the header to write before it. */
  opens?: SegmentHeader;
  resolve(outcome: AppendOutcome): void;
}

/** Where the next append goes: the acknowledged state plus everything queued. */
interface Assignment {
  hasSegment: boolean;
  position: number;
  offset: number;
  lastArrivalMs: number;
  firstArrivalMs: number | undefined;
  cursor: IndexCursor;
}

export const closedFailure: StorageFailure = { kind: "closed", message: "the log is closed" };

export class ShardWriter {
  private assigned: Assignment;
  private pending: PendingBatch[] = [];
  private flushQueued = false;
  private writerTail: Promise<unknown> = Promise.resolve();
  /** A failed round left bytes past the acknowledged size (or a half-made segment) to remove. */
  private broken = false;
  private strayPath: string | undefined;
  private dirReady: boolean;
  /** fsync=always: segments are opened O_DSYNC, so every write returns durable. */
  private readonly durableWrites: boolean;

  constructor(
    private readonly env: LogEnv,
    private readonly dir: string,
    /** Directories whose entries lead to `dir`, innermost first: made durable when `dir` is created. */
    private readonly parentDirs: readonly string[],
    private readonly files: ShardFiles,
    /** Called with the new end offset after a round acknowledged records (the log's watch). */
    private readonly onAppended: (endOffset: number) => void = () => {},
  ) {
    this.dirReady = files.active !== undefined;
    this.durableWrites = env.options.fsync === "always";
    this.assigned = this.acknowledgedAssignment();
  }

  /**
   * Rolls a wholly expired, idle active segment over to an empty one so retention can delete it;
   * undefined if the segment is not in that state.
   */
  rollExpired(cutoffMs: number): Promise<AppendOutcome> | undefined {
    const active = this.files.active;
    if (
      !active ||
      this.files.segmentBases.length !== 1 ||
      active.endOffset === active.baseOffset ||
      active.lastArrivalMs >= cutoffMs ||
      this.pending.length > 0 ||
      this.assigned.offset !== active.endOffset
    ) {
      return undefined;
    }
    const opens = this.assignNewSegment();
    return new Promise((resolve) =>
      this.enqueue({ buffer: Buffer.alloc(0), indexEntries: [], firstOffset: opens.baseOffset, count: 0, arrivalMs: 0, position: segmentHeaderBytes, opens, resolve }),
    );
  }

  append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> {
    if (this.files.state !== "open") return Promise.resolve({ ok: false, failure: closedFailure });
    const at = Math.max(arrivalMs, this.assigned.lastArrivalMs);
    if (records.length === 0) return Promise.resolve({ ok: true, firstOffset: this.assigned.offset, arrivalMs: at });
    const total = batchBytes(records);
    const assigned = this.assigned;
    const segmentHasRecords = assigned.firstArrivalMs !== undefined;
    const rolls =
      !assigned.hasSegment ||
      (segmentHasRecords &&
        (assigned.position + total > this.env.options.segmentBytesMax || at - assigned.firstArrivalMs! >= this.env.options.segmentAgeMsMax));
    const opens = rolls ? this.assignNewSegment() : undefined;
    const firstOffset = assigned.offset;
    const encoded = encodeBatch(records, total, firstOffset, at, assigned.position, assigned.cursor);
    return new Promise((resolve) => {
      const batch: PendingBatch = {
        buffer: encoded.buffer,
        indexEntries: encoded.indexEntries,
        firstOffset,
        count: records.length,
        arrivalMs: at,
        position: assigned.position,
        resolve,
      };
      if (opens) batch.opens = opens;
      assigned.position += total;
      assigned.offset += records.length;
      assigned.lastArrivalMs = at;
      assigned.firstArrivalMs ??= at;
      this.enqueue(batch);
    });
  }

  /** Bytes written but not yet known durable (for the interval syncer). */
  hasUnsyncedBytes(): boolean {
    return this.files.active !== undefined && this.files.active.syncedBytes < this.files.active.writtenBytes;
  }

  /** Flushes what is queued, makes it durable, checkpoints the index and releases the file. */
  close(): Promise<void> {
    if (this.files.state === "open") this.files.state = "closed";
    return this.exclusive(async () => {
      await this.flush();
      // Failed records must not come back at the next start just because their repair failed.
      if (this.broken) await this.repair();
      const active = this.files.active;
      if (!active) return;
      try {
        await this.syncActive();
        // Durable, so the next start checks nothing even after a power loss.
        if (active.checkpointedBytes < active.sizeBytes || !active.checkpointDurable) await this.writeCheckpoint(active, true);
      } catch (error) {
        this.env.logger.error({ dir: this.dir, err: error }, "could not make the log durable at close");
      }
      await this.releaseWriter(active);
    });
  }

  /** Marks a log created after its store closed: appends fail as closed. */
  markClosed(): void {
    this.files.state = "closed";
  }

  /** For dropStream: fails what is queued and releases the file; the directory is removed by the store. */
  drop(): Promise<void> {
    this.files.state = "dropped";
    return this.exclusive(async () => {
      this.failQueued(this.pending.splice(0), closedFailure);
      if (this.files.active) await this.releaseWriter(this.files.active);
      this.files.active = undefined;
      this.files.segmentBases.length = 0;
    });
  }

  /** Background fdatasync for fsync=interval. */
  syncInBackground(): Promise<void> {
    return this.exclusive(async () => {
      try {
        await this.syncActive();
      } catch (error) {
        this.env.logger.error({ dir: this.dir, err: error }, "background fsync failed; will retry");
      }
    });
  }

  private acknowledgedAssignment(): Assignment {
    const active = this.files.active;
    const intervalBytes = this.env.options.indexIntervalBytes;
    if (!active) return { hasSegment: false, position: 0, offset: 0, lastArrivalMs: 0, firstArrivalMs: undefined, cursor: { lastIndexedPosition: -1, intervalBytes } };
    const entries = active.index.count;
    return {
      hasSegment: true,
      position: active.sizeBytes,
      offset: active.endOffset,
      lastArrivalMs: active.lastArrivalMs,
      firstArrivalMs: active.firstArrivalMs,
      cursor: { lastIndexedPosition: entries > 0 ? active.index.positionAt(entries - 1) : -1, intervalBytes },
    };
  }

  /** Points the assignment at a new, empty segment starting at the next offset. */
  private assignNewSegment(): SegmentHeader {
    const assigned = this.assigned;
    const header: SegmentHeader = { baseOffset: assigned.offset, createdAtMs: this.env.clock.nowMs(), previousArrivalMs: assigned.lastArrivalMs };
    assigned.hasSegment = true;
    assigned.position = segmentHeaderBytes;
    assigned.firstArrivalMs = undefined;
    assigned.cursor.lastIndexedPosition = -1;
    return header;
  }

  private enqueue(batch: PendingBatch): void {
    this.pending.push(batch);
    if (this.flushQueued) return;
    this.flushQueued = true;
    void this.exclusive(() => {
      this.flushQueued = false;
      return this.flush();
    });
  }

  /** Runs file work one task at a time per shard, in order. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writerTail.then(task);
    this.writerTail = run.catch(() => undefined);
    return run;
  }

  /** One group-commit round: everything queued goes out in as few writes and fsyncs as possible. */
  private async flush(): Promise<void> {
    const batches = this.pending.splice(0);
    if (batches.length === 0) return;
    if (this.broken) {
      const repaired = await this.repair();
      if (!repaired.ok) return this.failRound(batches, repaired.failure);
    }
    let next = 0;
    try {
      while (next < batches.length) {
        let end = next + 1;
        while (end < batches.length && !batches[end]!.opens) end++;
        const group = batches.slice(next, end);
        if (group[0]!.opens) {
          // A segment is durable before its successor exists, so only the last can have a torn tail.
          if (this.files.active) await this.syncActive();
          await this.openSegment(group);
          this.commit(group);
        } else {
          const active = this.files.active!;
          await writeFully(await this.writer(active), group.map((batch) => batch.buffer), group[0]!.position);
          active.writtenBytes = group[group.length - 1]!.position + group[group.length - 1]!.buffer.length;
          // Written through O_DSYNC: returned means durable.
          if (this.durableWrites) active.syncedBytes = active.writtenBytes;
          this.commit(group);
        }
        next = end;
      }
    } catch (error) {
      await this.failRound(batches.slice(next), storageFailure(error, "append"));
      return;
    }
    await this.checkpointIfDue();
  }

  /** Marks batches acknowledged, in order, and resolves their appends. */
  private commit(batches: readonly PendingBatch[]): void {
    for (const batch of batches) {
      const active = this.files.active!;
      assert(batch.position === active.sizeBytes && batch.firstOffset === active.endOffset, "commits must follow the acknowledged end");
      for (let at = 0; at < batch.indexEntries.length; at += 3) {
        active.index.push(batch.indexEntries[at]!, batch.indexEntries[at + 1]!, batch.indexEntries[at + 2]!);
      }
      active.sizeBytes = batch.position + batch.buffer.length;
      active.endOffset = batch.firstOffset + batch.count;
      if (batch.count > 0) {
        active.lastArrivalMs = batch.arrivalMs;
        active.firstArrivalMs ??= batch.arrivalMs;
      }
      batch.resolve({ ok: true, firstOffset: batch.firstOffset, arrivalMs: batch.arrivalMs });
    }
    // Readers see these records now: watchers hear once per round, before any append's caller resumes.
    const active = this.files.active;
    if (active !== undefined && batches.some((batch) => batch.count > 0)) this.onAppended(active.endOffset);
  }

  /** Creates the segment `group` opens, writes its header and the group, and makes both durable. */
  private async openSegment(group: readonly PendingBatch[]): Promise<void> {
    const header = group[0]!.opens!;
    await this.ensureDir();
    const path = `${this.dir}/${segmentFileName(header.baseOffset)}`;
    this.strayPath = path;
    const handle = await this.env.fs.open(path, "createTruncate", { dsync: this.durableWrites });
    let end = segmentHeaderBytes;
    try {
      await writeFully(handle, [encodeSegmentHeader(header), ...group.map((batch) => batch.buffer)], 0);
      for (const batch of group) end = batch.position + batch.buffer.length;
      if (!this.durableWrites) await handle.datasync();
      await this.env.fs.syncDir(this.dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.strayPath = undefined;
    const previous = this.files.active;
    this.files.active = {
      baseOffset: header.baseOffset,
      path,
      index: new SegmentIndex(header.baseOffset),
      sizeBytes: segmentHeaderBytes,
      endOffset: header.baseOffset,
      lastArrivalMs: header.previousArrivalMs,
      firstArrivalMs: undefined,
      previousArrivalMs: header.previousArrivalMs,
      writtenBytes: end,
      syncedBytes: end,
      checkpointedBytes: segmentHeaderBytes,
      checkpointDurable: false,
      handle,
    };
    this.files.segmentBases.push(header.baseOffset);
    if (previous) await this.seal(previous);
  }

  /** The previous active segment becomes immutable: cache its index and write it out. */
  private async seal(segment: ActiveSegment): Promise<void> {
    const coverage = {
      coveredBytes: segment.sizeBytes,
      endOffset: segment.endOffset,
      lastArrivalMs: segment.endOffset > segment.baseOffset ? segment.lastArrivalMs : 0,
    };
    this.env.sealed.set(segment.path, { index: segment.index, coverage, previousArrivalMs: segment.previousArrivalMs });
    await this.releaseWriter(segment);
    try {
      await replaceFile(this.env.fs, this.dir, indexFileName(segment.baseOffset), encodeIndexFile(segment.index, coverage), false);
    } catch (error) {
      this.env.logger.warn({ dir: this.dir, err: error }, "could not write a sealed segment's index; it will be rebuilt when needed");
    }
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    await this.env.fs.mkdir(this.dir);
    for (const parent of this.parentDirs) await this.env.fs.syncDir(parent);
    this.dirReady = true;
  }

  private async writer(active: ActiveSegment): Promise<FileHandlePort> {
    active.handle ??= await this.env.fs.open(active.path, "readWrite", { dsync: this.durableWrites });
    return active.handle;
  }

  private async releaseWriter(segment: ActiveSegment): Promise<void> {
    const handle = segment.handle;
    segment.handle = undefined;
    await handle?.close().catch((error: unknown) => this.env.logger.warn({ dir: this.dir, err: error }, "closing a segment failed"));
  }

  private async syncActive(): Promise<void> {
    const active = this.files.active;
    if (!active || active.syncedBytes >= active.writtenBytes) return;
    const target = active.writtenBytes;
    await (await this.writer(active)).datasync();
    active.syncedBytes = Math.max(active.syncedBytes, target);
  }

  /** Bounds recovery work: the index on disk covers all but the last checkpointIntervalBytes. */
  private async checkpointIfDue(): Promise<void> {
    const active = this.files.active;
    if (!active || active.sizeBytes - active.checkpointedBytes < this.env.options.checkpointIntervalBytes) return;
    try {
      await this.syncActive();
      await this.writeCheckpoint(active, false);
    } catch (error) {
      this.env.logger.warn({ dir: this.dir, err: error }, "index checkpoint failed; recovery will scan further");
    }
  }

  /** Writes the active index covering the acknowledged bytes, which must already be durable. */
  private async writeCheckpoint(active: ActiveSegment, durable: boolean): Promise<void> {
    const coveredBytes = active.sizeBytes;
    assert(active.syncedBytes >= coveredBytes, "a checkpoint may cover only durable bytes");
    const coverage = { coveredBytes, endOffset: active.endOffset, lastArrivalMs: active.endOffset > active.baseOffset ? active.lastArrivalMs : 0 };
    await replaceFile(this.env.fs, this.dir, indexFileName(active.baseOffset), encodeIndexFile(active.index, coverage), durable);
    active.checkpointedBytes = coveredBytes;
    active.checkpointDurable = durable;
  }

  /** Fails a round and everything queued behind it, after removing their bytes from the disk. */
  private async failRound(batches: readonly PendingBatch[], failure: StorageFailure): Promise<void> {
    this.broken = true;
    const failed = [...batches, ...this.pending.splice(0)];
    this.assigned = this.acknowledgedAssignment();
    this.env.logger.error({ dir: this.dir, failure: failure.message, records: failed.reduce((sum, batch) => sum + batch.count, 0) }, "append failed");
    await this.repair();
    this.failQueued(failed, failure);
  }

  private failQueued(batches: readonly PendingBatch[], failure: StorageFailure): void {
    for (const batch of batches) batch.resolve({ ok: false, failure });
  }

  /** Cuts the active segment back to its acknowledged size and removes a half-made segment. */
  private async repair(): Promise<{ ok: true } | { ok: false; failure: StorageFailure }> {
    try {
      if (this.strayPath) {
        await this.env.fs.unlink(this.strayPath).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
        await this.env.fs.syncDir(this.dir);
        this.strayPath = undefined;
      }
      const active = this.files.active;
      if (active) {
        // A descriptor that saw a write error may report it again; start from a fresh one.
        await this.releaseWriter(active);
        const handle = await this.writer(active);
        await handle.truncate(active.sizeBytes);
        await handle.datasync();
        active.writtenBytes = active.sizeBytes;
        active.syncedBytes = active.sizeBytes;
      }
      this.broken = false;
      return { ok: true };
    } catch (error) {
      const failure = storageFailure(error, "repair after a failed append");
      this.env.logger.error({ dir: this.dir, failure: failure.message }, "could not repair the log; will retry on the next append");
      return { ok: false, failure };
    }
  }
}
