/**
 * One mapping's reader of one shard: reads from the checkpoint (or the mapping's starting
 * position), drops what FilterCriteria reject, routes each record to its lane by a hash of its
 * partition key, and checkpoints below the lowest unfinished record after each finished batch.
 * When the shard is closed and every record of it is finished, it checkpoints the shard as ended
 * (its children may start) and returns.
 */
import type { ShardPosition, StreamRecordView } from "../../storage/stream-access.js";
import type { BatchScope } from "./batch-invoker.js";
import type { Checkpoint } from "./checkpoint-store.js";
import type { EngineDeps } from "./engine-deps.js";
import type { RecordFilter } from "./filter-port.js";
import { Lane } from "./lane.js";
import type { MappingRecord } from "./mapping.js";
import { Wake } from "./wake.js";
import type { HeldLease } from "../../storage/work-leases.js";

/** Records read ahead of the slowest lane, at most (memory bound). */
const inflightBytesMax = 32 * 1024 * 1024;
const readBytesMax = 8 * 1024 * 1024;

export interface ShardPollerScope {
  deps: EngineDeps;
  mapping: MappingRecord;
  /** Where records are read from: the stream (a consumer mapping reads its stream's shards). */
  streamArn: string;
  shardId: string;
  filter: RecordFilter | undefined;
  signal: AbortSignal;
  /** The mapping's work lease on this node: checkpoints are written only under it. */
  lease?: HeldLease;
  report(result: string): void;
}

/** FNV-1a over the partition key's UTF-16 units: which lane a key's records take. */
function laneOf(partitionKey: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0x811c9dc5;
  for (let index = 0; index < partitionKey.length; index += 1) {
    hash ^= partitionKey.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/** Whether a record passes FilterCriteria, matched on the record as Lambda filters Kinesis records (data decoded by the filter, only if it reads it). */
function passes(filter: RecordFilter | undefined, record: StreamRecordView): boolean {
  if (filter === undefined) return true;
  return filter.matches({
    kinesisSchemaVersion: "1.0",
    partitionKey: record.partitionKey,
    sequenceNumber: record.sequenceNumber,
    approximateArrivalTimestamp: record.approximateArrivalTimestampMs / 1000,
    data: record.data,
  });
}

export function startPosition(mapping: MappingRecord, checkpoint: Checkpoint | undefined): ShardPosition {
  if (checkpoint?.afterSequenceNumber !== undefined) return { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: checkpoint.afterSequenceNumber };
  // LATEST is "from the mapping's creation on", fixed as a time so that a restart starts there too.
  if (mapping.StartingPosition === "LATEST") return { type: "AT_TIMESTAMP", timestampMs: checkpoint?.latestFromMs ?? mapping.createdAtMs };
  if (mapping.StartingPosition === "AT_TIMESTAMP") return { type: "AT_TIMESTAMP", timestampMs: mapping.StartingPositionTimestampMs ?? 0 };
  return { type: "TRIM_HORIZON" };
}

export class ShardPoller {
  /** Records read and not yet finished, in shard order (from `head`). */
  private inflight: StreamRecordView[] = [];
  private inflightDone: boolean[] = [];
  private head = 0;
  private inflightBytes = 0;
  private readonly indexOf = new Map<StreamRecordView, number>();
  private base = 0;
  private lastFinished: string | undefined;
  private checkpointWriting: Promise<void> | undefined;
  private checkpointDirty = false;
  private readonly progress: Wake;
  private readonly lanes: Lane[] = [];

  constructor(
    private readonly scope: ShardPollerScope,
    private readonly checkpoint: Checkpoint,
  ) {
    this.progress = new Wake(scope.deps.clock);
    this.lastFinished = checkpoint.afterSequenceNumber;
    const batchScope: BatchScope = {
      deps: scope.deps,
      mapping: scope.mapping,
      shardId: scope.shardId,
      streamArn: scope.streamArn,
      signal: scope.signal,
      report: scope.report,
      finished: (records) => this.finish(records),
    };
    for (let index = 0; index < scope.mapping.ParallelizationFactor; index += 1) {
      this.lanes.push(new Lane(index, batchScope, checkpoint.windows?.[String(index)]));
    }
  }

  /** Reads to the shard's end (resolves true) or until stopped (false). */
  async run(): Promise<boolean> {
    const { deps, mapping, signal, shardId, streamArn } = this.scope;
    let position = startPosition(mapping, this.checkpoint);
    const watchWake = new Wake(deps.clock);
    const watch = deps.streamAccess.watchShard(streamArn, shardId, () => watchWake.notify());
    try {
      const recordsMax = Math.min(10_000, mapping.BatchSize * mapping.ParallelizationFactor);
      while (!signal.aborted) {
        if (this.inflightBytes >= inflightBytesMax || this.inflight.length - this.head >= recordsMax * 4) {
          await this.progress.wait(deps.tuning.idlePollMs, signal);
          continue;
        }
        const outcome = await deps.streamAccess.readShard(streamArn, shardId, position, { recordsMax, bytesMax: readBytesMax });
        if (!outcome.ok) {
          if (outcome.reason === "invalid-position") position = { type: "TRIM_HORIZON" };
          else await watchWake.wait(deps.tuning.idlePollMs, signal);
          continue;
        }
        position = outcome.next;
        if (outcome.records.length > 0) {
          this.admit(outcome.records);
          continue;
        }
        if (outcome.shardEnded) return await this.drain();
        await watchWake.wait(deps.tuning.idlePollMs, signal);
      }
      return false;
    } finally {
      watch.stop();
      if (signal.aborted) {
        // In-flight batches finish (their checkpoints are right) before a restarted poller reads the checkpoint.
        for (const lane of this.lanes) lane.nudge();
        await Promise.all(this.lanes.map((lane) => lane.finished()));
        while (this.checkpointWriting !== undefined) await this.checkpointWriting;
      }
    }
  }

  private admit(records: readonly StreamRecordView[]): void {
    const lanes = this.lanes;
    const touched = new Set<Lane>();
    for (const record of records) {
      const index = this.base + this.inflight.length;
      this.inflight.push(record);
      if (!passes(this.scope.filter, record)) {
        this.inflightDone.push(true);
        continue;
      }
      this.inflightDone.push(false);
      this.indexOf.set(record, index);
      this.inflightBytes += record.data.length;
      const lane = lanes[laneOf(record.partitionKey, lanes.length)]!;
      lane.push(record);
      touched.add(lane);
    }
    this.advance();
    for (const lane of touched) lane.nudge();
  }

  private finish(records: readonly StreamRecordView[]): void {
    for (const record of records) {
      const index = this.indexOf.get(record);
      if (index === undefined) continue;
      this.indexOf.delete(record);
      this.inflightDone[index - this.base] = true;
      this.inflightBytes -= record.data.length;
    }
    this.advance();
    this.progress.notify();
  }

  /** Moves the checkpoint over the finished prefix. */
  private advance(): void {
    let moved = false;
    while (this.head < this.inflight.length && this.inflightDone[this.head]) {
      this.lastFinished = this.inflight[this.head]!.sequenceNumber;
      this.head += 1;
      moved = true;
    }
    if (this.head > 4096 && this.head * 2 > this.inflight.length) {
      this.inflight = this.inflight.slice(this.head);
      this.inflightDone = this.inflightDone.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    if (moved || this.lanes.some((lane) => lane.window !== undefined)) this.scheduleCheckpoint();
  }

  private snapshot(ended: boolean): Checkpoint {
    const checkpoint: Checkpoint = {};
    if (this.lastFinished !== undefined) checkpoint.afterSequenceNumber = this.lastFinished;
    if (this.checkpoint.latestFromMs !== undefined) checkpoint.latestFromMs = this.checkpoint.latestFromMs;
    if (ended) checkpoint.ended = true;
    const windows: Record<string, { startMs: number; state: Record<string, unknown> }> = {};
    for (const lane of this.lanes) if (lane.window !== undefined) windows[String(lane.index)] = lane.window;
    if (Object.keys(windows).length > 0) checkpoint.windows = windows;
    return checkpoint;
  }

  /** One checkpoint write at a time; changes during a write are written right after it. */
  private scheduleCheckpoint(): void {
    if (this.checkpointWriting !== undefined) {
      this.checkpointDirty = true;
      return;
    }
    this.checkpointWriting = (async () => {
      do {
        this.checkpointDirty = false;
        const { deps, mapping, shardId } = this.scope;
        try {
          await deps.checkpoints.put(mapping.accountId, mapping.UUID, shardId, this.snapshot(false), this.scope.lease);
        } catch (error) {
          deps.logger.warn({ err: error }, `event source mapping ${mapping.UUID}: checkpoint of ${shardId} not written`);
        }
      } while (this.checkpointDirty && !this.scope.signal.aborted);
      this.checkpointWriting = undefined;
    })();
  }

  /** The shard is read to its end: every lane finishes, then the shard is checkpointed as ended. */
  private async drain(): Promise<boolean> {
    for (const lane of this.lanes) {
      lane.drained = true;
      lane.nudge();
    }
    await Promise.all(this.lanes.map((lane) => lane.finished()));
    if (this.scope.signal.aborted) return false;
    while (this.checkpointWriting !== undefined) await this.checkpointWriting;
    const { deps, mapping, shardId } = this.scope;
    await deps.checkpoints.put(mapping.accountId, mapping.UUID, shardId, this.snapshot(true), this.scope.lease);
    return true;
  }
}
