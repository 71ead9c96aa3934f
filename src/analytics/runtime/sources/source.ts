/**
 * An application input's source as the runner reads it: lanes (sources/lane.ts) that fill as their
 * readers read, and the positions to resume from. Kinesis streams (kinesis-source.ts) have a lane
 * per shard, following reshards; a delivery stream (firehose-source.ts) has one.
 */
import type { Lane } from "./lane.js";

/** Where an input resumes: per lane, after a record, at a start, or finished (a closed shard read whole). */
export type LanePosition = { after: string } | { start: "TRIM_HORIZON" } | { start: "AT_TIMESTAMP"; atMs: number } | { ended: true };

export interface InputPositions {
  kind: "kinesis" | "firehose";
  /** The stream or delivery stream read (a changed ARN starts afresh). */
  arn: string;
  lanes: Record<string, LanePosition>;
}

export interface InputSource {
  /** The lanes being read now (a Kinesis source adds children as their parents end). */
  lanes(): readonly Lane[];
  /**
   * Where to resume after the records given to the engine: `pushed` is, per lane, the position
   * after its last record pushed (a lane missing from it resumes where it started).
   */
  positions(pushed: ReadonlyMap<string, string>): InputPositions;
  stop(): Promise<void>;
}

export interface SourceEvents {
  /** A lane gained records: the runner looks again. */
  changed(): void;
  /** A configuration problem the service would log to CloudWatch (the stream is missing). */
  problem(message: string): void;
}

/** The in-application stream a shard feeds when the input has `parallelism` of them: by the shard's number. */
export function streamIndexOfShard(shardId: string, parallelism: number): number {
  const number = Number.parseInt(shardId.slice(shardId.lastIndexOf("-") + 1), 10);
  return Number.isFinite(number) ? number % parallelism : 0;
}
