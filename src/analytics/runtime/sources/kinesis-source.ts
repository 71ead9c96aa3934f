/**
 * A Kinesis stream input: a lane per shard, read through StreamAccess (GetRecords' reads in
 * process). Reshards are followed as the KCL does: a closed shard is read to its end, and a child
 * starts at its TRIM_HORIZON once every parent still retained has ended. New shards are found by
 * describing the stream every `discoverIntervalMs` and whenever a lane ends.
 *
 * Starting points: NOW reads the shards open at the start from that instant (AT_TIMESTAMP, so a
 * restart before any record was taken starts at the same place); TRIM_HORIZON reads every shard
 * from its oldest record, parents first; a resume (LAST_STOPPED_POINT, or a restart after a crash)
 * continues each lane after the last record the engine took.
 */
import type { ShardPosition, StreamAccess, StreamShardView } from "../../../storage/stream-access.js";
import type { Clock } from "../../../util/clock.js";
import { Lane, type SourceRecord } from "./lane.js";
import { streamIndexOfShard, type InputPositions, type InputSource, type LanePosition, type SourceEvents } from "./source.js";

export type KinesisStart = { type: "NOW"; atMs: number } | { type: "TRIM_HORIZON" } | { type: "RESUME"; lanes: Record<string, LanePosition> };

export interface KinesisSourceOptions {
  access: StreamAccess;
  clock: Clock;
  streamArn: string;
  parallelism: number;
  start: KinesisStart;
  events: SourceEvents;
  /** How long an idle lane waits before reading again without an announced append. */
  pollMs?: number;
  discoverIntervalMs?: number;
  recordsPerReadMax?: number;
}

const readBytesMax = 4 * 1024 * 1024;

export class KinesisSource implements InputSource {
  private readonly lanesById = new Map<string, Lane>();
  /**
   * Shards finished — read to their end and every record taken, or closed before a NOW start —
   * with the position of their last record (undefined: none was read): their children may start.
   */
  private readonly ended = new Map<string, { last: string | undefined; start: string }>();
  private readonly stopController = new AbortController();
  private readonly readers: Promise<void>[] = [];
  private discovery: Promise<void> | undefined;
  private lastProblem: string | undefined;

  constructor(private readonly options: KinesisSourceOptions) {
    const start = options.start;
    if (start.type === "RESUME") {
      for (const [shardId, position] of Object.entries(start.lanes)) {
        if ("ended" in position) this.ended.set(shardId, { last: undefined, start: "TRIM_HORIZON" });
        else this.addLane(shardId, position);
      }
    }
    this.discovery = this.discoverLoop();
  }

  lanes(): readonly Lane[] {
    return [...this.lanesById.values()];
  }

  positions(pushed: ReadonlyMap<string, string>): InputPositions {
    const lanes: Record<string, LanePosition> = {};
    for (const [shardId, { last, start }] of this.ended) {
      const after = pushed.get(shardId);
      // A shard ends for a resume only once its last record reached the engine.
      lanes[shardId] = last === undefined || after === last ? { ended: true } : after !== undefined ? { after } : decodePosition(start);
    }
    for (const lane of this.lanesById.values()) {
      const after = pushed.get(lane.id);
      lanes[lane.id] = after !== undefined ? { after } : decodePosition(lane.startPosition);
    }
    return { kind: "kinesis", arn: this.options.streamArn, lanes };
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    for (const lane of this.lanesById.values()) lane.wakeReader();
    await Promise.all([...this.readers, this.discovery]);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private sleep = (ms: number, signal: AbortSignal) => this.options.clock.sleep(ms, { signal, unref: true });

  private async discoverLoop(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      try {
        await this.discover(first);
        first = false;
      } catch (error) {
        this.problem(`Reading the stream ${this.options.streamArn} failed: ${(error as Error).message}`);
      }
      try {
        await this.sleep(this.options.discoverIntervalMs ?? 1000, this.stopController.signal);
      } catch {
        return;
      }
    }
  }

  /** Adds lanes for shards ready to be read; the first time, per the starting point. */
  private async discover(first: boolean): Promise<void> {
    const view = await this.options.access.describeStream(this.options.streamArn);
    if (view === undefined) {
      this.problem(`The input stream ${this.options.streamArn} does not exist.`);
      return;
    }
    this.lastProblem = undefined;
    const shards = view.shards;
    const start = this.options.start;
    if (first && start.type === "NOW") {
      for (const shard of shards) {
        if (shard.endingSequenceNumber !== undefined) this.ended.set(shard.shardId, { last: undefined, start: "TRIM_HORIZON" });
        else if (!this.lanesById.has(shard.shardId)) this.addLane(shard.shardId, { start: "AT_TIMESTAMP", atMs: start.atMs });
      }
      return;
    }
    const retained = new Set(shards.map((shard) => shard.shardId));
    for (const shard of shards) {
      if (this.lanesById.has(shard.shardId) || this.ended.has(shard.shardId)) continue;
      if (parentsOf(shard).every((parent) => !retained.has(parent) || this.ended.has(parent))) this.addLane(shard.shardId, { start: "TRIM_HORIZON" });
    }
  }

  private addLane(shardId: string, position: Exclude<LanePosition, { ended: true }>): void {
    const lane = new Lane(shardId, streamIndexOfShard(shardId, this.options.parallelism), encodePosition(position));
    this.lanesById.set(shardId, lane);
    this.readers.push(this.readLane(lane, toShardPosition(position)));
    this.options.events.changed();
  }

  private async readLane(lane: Lane, startPosition: ShardPosition): Promise<void> {
    const { access, streamArn, clock } = this.options;
    let position = startPosition;
    const watch = access.watchShard(streamArn, lane.id, () => {
      lane.announced();
      this.options.events.changed();
    });
    let last: string | undefined;
    try {
      while (!this.stopped) {
        if (lane.full()) {
          await lane.waitForReader(this.sleep, this.options.pollMs ?? 1000);
          continue;
        }
        const read = await access.readShard(streamArn, lane.id, position, { recordsMax: this.options.recordsPerReadMax ?? 10_000, bytesMax: readBytesMax });
        if (this.stopped) return;
        if (!read.ok) {
          if (read.reason === "invalid-position") {
            // The position fell out of retention (a long stop): go on from the oldest record.
            position = { type: "TRIM_HORIZON" };
            continue;
          }
          this.problem(`Reading shard ${lane.id} of ${streamArn} failed: ${read.reason}.`);
          if (read.reason === "shard-not-found") return this.laneEnded(lane, last);
          await lane.waitForReader(this.sleep, this.options.pollMs ?? 1000);
          continue;
        }
        position = read.next;
        lane.readDone(read.records.map((record): SourceRecord => ({ data: record.data, arrivalMs: record.approximateArrivalTimestampMs, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, position: record.sequenceNumber })));
        last = read.records.at(-1)?.sequenceNumber ?? last;
        this.options.events.changed();
        if (read.records.length > 0) continue;
        if (read.shardEnded) return await this.drainThenEnd(lane, last);
        await lane.waitForReader(this.sleep, this.options.pollMs ?? 1000);
      }
    } finally {
      watch.stop();
    }
  }

  /** A closed shard read to its end: it ends once the engine has taken its last record. */
  private async drainThenEnd(lane: Lane, last: string | undefined): Promise<void> {
    lane.drained = true;
    while (!this.stopped && lane.buffered > 0) await lane.waitForReader(this.sleep, this.options.pollMs ?? 1000);
    if (!this.stopped) this.laneEnded(lane, last);
  }

  private laneEnded(lane: Lane, last: string | undefined): void {
    this.ended.set(lane.id, { last, start: lane.startPosition });
    this.lanesById.delete(lane.id);
    this.options.events.changed();
    void this.discover(false).catch(() => undefined);
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.events.problem(message);
  }
}

function parentsOf(shard: StreamShardView): string[] {
  return [shard.parentShardId, shard.adjacentParentShardId].filter((parent): parent is string => parent !== undefined);
}

/** Lanes keep their position as text: `after:<sequence number>`, `TRIM_HORIZON`, `AT_TIMESTAMP:<ms>`. */
function encodePosition(position: Exclude<LanePosition, { ended: true }>): string {
  if ("after" in position) return position.after;
  return position.start === "TRIM_HORIZON" ? "TRIM_HORIZON" : `AT_TIMESTAMP:${position.atMs}`;
}

function decodePosition(text: string): Exclude<LanePosition, { ended: true }> {
  if (text === "TRIM_HORIZON") return { start: "TRIM_HORIZON" };
  if (text.startsWith("AT_TIMESTAMP:")) return { start: "AT_TIMESTAMP", atMs: Number(text.slice("AT_TIMESTAMP:".length)) };
  return { after: text };
}

function toShardPosition(position: Exclude<LanePosition, { ended: true }>): ShardPosition {
  if ("after" in position) return { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: position.after };
  return position.start === "TRIM_HORIZON" ? { type: "TRIM_HORIZON" } : { type: "AT_TIMESTAMP", timestampMs: position.atMs };
}
