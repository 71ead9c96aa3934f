/**
 * One shard's log: reads, time lookups and retention here; appends go through the shard's writer
 * (shard-writer.ts), which alone changes the files. Reads see only acknowledged records.
 */
import type { AppendOutcome, AppendRecord, LogWatch, ReadLimits, ReadResult, ShardLog } from "../../types.js";
import { LogWatchers } from "../../log-watchers.js";
import { isNotFound } from "../fs-port.js";
import { indexFileName, segmentFileName } from "./segment-file.js";
import { loadSealedSegment } from "./sealed-segments.js";
import { findOffsetAtTime, readRecords, type ShardSnapshot } from "./shard-reader.js";
import type { RecoveredShard } from "./shard-recovery.js";
import { ShardWriter, type ShardFiles } from "./shard-writer.js";
import type { LogEnv } from "./log-env.js";

export class EmbeddedShardLog implements ShardLog {
  private readonly files: ShardFiles;
  private readonly writer: ShardWriter;
  private readonly watchers = new LogWatchers();

  constructor(
    private readonly env: LogEnv,
    private readonly dir: string,
    /** Directories whose entries lead to `dir`, innermost first: made durable when `dir` is created. */
    parentDirs: readonly string[],
    recovered: RecoveredShard,
  ) {
    this.files = { segmentBases: recovered.segmentBases, active: recovered.active, state: "open" };
    this.writer = new ShardWriter(env, dir, parentDirs, this.files, (endOffset) => this.watchers.announce(endOffset));
  }

  startOffset(): number {
    return this.files.segmentBases[0] ?? this.endOffset();
  }

  endOffset(): number {
    return this.files.active?.endOffset ?? 0;
  }

  /** Bytes written but not yet known durable (for the interval syncer). */
  hasUnsyncedBytes(): boolean {
    return this.writer.hasUnsyncedBytes();
  }

  append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> {
    return this.writer.append(records, arrivalMs);
  }

  async read(fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      const start = this.startOffset();
      const offset = Math.max(fromOffset, start);
      if (offset >= this.endOffset() || limits.recordsMax <= 0) return { records: [], nextOffset: offset };
      try {
        return await readRecords(this.env, this.snapshot(), offset, limits);
      } catch (error) {
        // Retention deleted a segment under the read: start again from the new start.
        if (isNotFound(error) && attempt < 3 && this.startOffset() !== start) continue;
        throw error;
      }
    }
  }

  async offsetAtTime(timestampMs: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const start = this.startOffset();
      if (start >= this.endOffset()) return this.endOffset();
      try {
        return await findOffsetAtTime(this.env, this.snapshot(), timestampMs);
      } catch (error) {
        if (isNotFound(error) && attempt < 3 && this.startOffset() !== start) continue;
        throw error;
      }
    }
  }

  /**
   * Deletes whole segments whose every record arrived before the cutoff. An idle active segment
   * that has wholly expired is first rolled over to an empty one, so its space is released too.
   */
  async trimBefore(cutoffMs: number): Promise<void> {
    try {
      await this.trim(cutoffMs);
    } catch (error) {
      // Retention is retried on the next call; readers filter expired records meanwhile.
      this.env.logger.warn({ dir: this.dir, err: error }, "retention could not delete expired segments");
    }
  }

  private async trim(cutoffMs: number): Promise<void> {
    if (this.files.state !== "open") return;
    await this.deleteExpiredSealed(cutoffMs);
    const rolled = this.writer.rollExpired(cutoffMs);
    if (!rolled) return;
    const outcome = await rolled;
    if (!outcome.ok) this.env.logger.warn({ dir: this.dir, failure: outcome.failure.message }, "could not roll an expired segment");
    await this.deleteExpiredSealed(cutoffMs);
  }

  private async deleteExpiredSealed(cutoffMs: number): Promise<void> {
    while (this.files.segmentBases.length > 1 && this.files.state === "open") {
      const [base, next] = this.files.segmentBases as [number, number];
      const sealed = await loadSealedSegment(this.env, this.dir, base, next);
      if (sealed.coverage.lastArrivalMs >= cutoffMs) return;
      if (this.files.segmentBases[0] !== base) continue;
      this.files.segmentBases.shift();
      await this.deleteSegmentFiles(base);
    }
  }

  watch(listener: (endOffset: number) => void): LogWatch {
    return this.watchers.watch(listener);
  }

  /** Flushes what is queued, makes it durable, checkpoints the index and releases the file. */
  close(): Promise<void> {
    return this.writer.close();
  }

  /** Marks a log created after its store closed: appends fail as closed. */
  markClosed(): void {
    this.writer.markClosed();
  }

  /** For dropStream: fails what is queued and releases the file; the directory is removed by the store. */
  drop(): Promise<void> {
    return this.writer.drop();
  }

  /** Background fdatasync for fsync=interval. */
  syncInBackground(): Promise<void> {
    return this.writer.syncInBackground();
  }

  private snapshot(): ShardSnapshot {
    const active = this.files.active!;
    return {
      dir: this.dir,
      segmentBases: [...this.files.segmentBases],
      activeIndex: active.index,
      activeSizeBytes: active.sizeBytes,
      activeEndOffset: active.endOffset,
      activeFirstArrivalMs: active.firstArrivalMs,
      activePreviousArrivalMs: active.previousArrivalMs,
    };
  }

  private async deleteSegmentFiles(baseOffset: number): Promise<void> {
    for (const name of [segmentFileName(baseOffset), indexFileName(baseOffset)]) {
      const path = `${this.dir}/${name}`;
      this.env.handles.forget(path);
      this.env.sealed.forget(path);
      try {
        await this.env.fs.unlink(path);
      } catch (error) {
        if (!isNotFound(error)) this.env.logger.warn({ path, err: error }, "could not delete an expired segment; will retry");
      }
    }
  }
}
