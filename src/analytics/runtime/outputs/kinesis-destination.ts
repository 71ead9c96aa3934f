/**
 * A Kinesis stream output: PutRecords (StreamAccess.putRecords) of up to 500 records and 5 MiB.
 * A record's partition key is a hash of its data, so rows spread over the shards. The last
 * sequence number written to each shard is the mark a recovery reads back after.
 */
import type { StreamAccess } from "../../../storage/stream-access.js";
import type { Clock } from "../../../util/clock.js";
import type { Destination, OutputMark, WriteOutcome } from "./destination.js";

export class KinesisDestination implements Destination {
  readonly recordsPerWriteMax = 500;
  readonly bytesPerWriteMax = 5 * 1024 * 1024;
  private readonly lastSequenceByShard: Record<string, string> = {};

  constructor(
    private readonly access: StreamAccess,
    private readonly clock: Clock,
    private readonly arn: string,
  ) {}

  get description(): string {
    return `the output stream ${this.arn}`;
  }

  async write(records: readonly Buffer[]): Promise<WriteOutcome> {
    const outcome = await this.access.putRecords(
      this.arn,
      records.map((data) => ({ partitionKey: partitionKeyOf(data), data })),
    );
    if (!outcome.ok) return { ok: false, message: `${outcome.errorCode}: ${outcome.errorMessage}` };
    const failed: number[] = [];
    outcome.results.forEach((result, index) => {
      if ("sequenceNumber" in result) this.lastSequenceByShard[result.shardId] = result.sequenceNumber;
      else failed.push(index);
    });
    return { ok: true, failed };
  }

  async mark(): Promise<OutputMark> {
    return { kind: "kinesis", arn: this.arn, atMs: this.clock.nowMs(), shards: { ...this.lastSequenceByShard } };
  }
}

/** FNV-1a over the bytes, as 8 hex digits: cheap, and spreads rows over the shards. */
export function partitionKeyOf(data: Buffer): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < data.length; index++) hash = Math.imul(hash ^ data[index]!, 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}
