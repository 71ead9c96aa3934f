import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { systemClock, type Clock } from "../../util/clock.js";
import { systemRandom, type Random } from "../../util/random.js";
import { kinesisRecordBytesMax } from "../kpl/aggregate.js";
import type { StreamRef } from "./shard-map.js";

/** PutRecords' own bounds: 500 entries, 5 MiB of data and partition keys. */
export const putRecordsEntriesMax = 500;
export const putRecordsBytesMax = 5 * 1024 * 1024;
/** A shard's write limit. */
export const shardRecordsPerSecondMax = 1000;
export const shardBytesPerSecondMax = 1024 * 1024;

export interface ProducerOptions extends StreamRef {
  /** The SDK client to send with; the producer never destroys it. */
  client: KinesisClient;
  /** Entries per PutRecords, 1 – 500 (default 500). */
  batchRecordsMax?: number;
  /** Bytes (data plus partition keys) per PutRecords, up to 5 MiB (the default). */
  batchBytesMax?: number;
  /** How long a record may wait for others to fill its batch (default 100 ms, as the KPL's RecordMaxBufferedTime). */
  lingerMs?: number;
  /** Pack records bound for the same shard into KPL aggregated records (default false). */
  aggregate?: boolean;
  /** An aggregated record's maximum size, up to 1 MiB (default 51,200 bytes, the KPL's AggregationMaxSize). */
  aggregationBytesMax?: number;
  /**
   * Keep each partition key's records in the order they were put, also across retries (default
   * false): a key has at most one PutRecords entry in flight, and a record waits while an earlier
   * record of its key waits for a retry.
   */
  ordered?: boolean;
  /** Times a record is sent before it fails for good (default 10). */
  attemptsMax?: number;
  /** Backoff between attempts: full jitter over baseMs × 2^(attempt−1), capped at maxMs (defaults 100 and 5,000 ms). */
  backoffMsBase?: number;
  backoffMsMax?: number;
  /** PutRecords calls in flight at once (default 4). */
  requestsInFlightMax?: number;
  /** Stay under each shard's write limit, predicted with ListShards (default true). */
  rateLimit?: boolean;
  shardRecordsPerSecond?: number;
  shardBytesPerSecond?: number;
  /** Records accepted but not yet settled, and their bytes; put waits while either is reached (defaults 10,000 and 64 MiB). */
  bufferedRecordsMax?: number;
  bufferedBytesMax?: number;
  /** A record's maximum size, data plus partition key (default 1 MiB, Kinesis's default maximum, or batchBytesMax if that is less). */
  recordBytesMax?: number;
  /** Reads the time and schedules the producer's wake-ups (default the system clock). */
  clock?: Clock;
  random?: Random;
}

export type ProducerConfig = Required<Omit<ProducerOptions, "StreamName" | "StreamARN">> & { stream: StreamRef };

export function producerConfig(options: ProducerOptions): ProducerConfig {
  const { StreamName, StreamARN, ...rest } = options;
  if (StreamName === undefined && StreamARN === undefined) throw new TypeError("Producer needs a StreamName or a StreamARN");
  const config: ProducerConfig = {
    batchRecordsMax: putRecordsEntriesMax,
    batchBytesMax: putRecordsBytesMax,
    lingerMs: 100,
    aggregate: false,
    aggregationBytesMax: Math.min(51_200, rest.recordBytesMax ?? kinesisRecordBytesMax, rest.batchBytesMax ?? putRecordsBytesMax),
    ordered: false,
    attemptsMax: 10,
    backoffMsBase: 100,
    backoffMsMax: 5000,
    requestsInFlightMax: 4,
    rateLimit: true,
    shardRecordsPerSecond: shardRecordsPerSecondMax,
    shardBytesPerSecond: shardBytesPerSecondMax,
    bufferedRecordsMax: 10_000,
    bufferedBytesMax: 64 * 1024 * 1024,
    recordBytesMax: Math.min(kinesisRecordBytesMax, rest.batchBytesMax ?? putRecordsBytesMax),
    clock: systemClock,
    random: systemRandom,
    ...definedOnly(rest),
    stream: { ...(StreamName !== undefined && { StreamName }), ...(StreamARN !== undefined && { StreamARN }) },
  } as ProducerConfig;
  checkRange("batchRecordsMax", config.batchRecordsMax, 1, putRecordsEntriesMax);
  checkRange("batchBytesMax", config.batchBytesMax, 1, putRecordsBytesMax);
  checkRange("recordBytesMax", config.recordBytesMax, 1, Math.min(kinesisRecordBytesMax, config.batchBytesMax));
  checkRange("aggregationBytesMax", config.aggregationBytesMax, 1, config.recordBytesMax);
  checkRange("lingerMs", config.lingerMs, 0, 3_600_000);
  checkRange("attemptsMax", config.attemptsMax, 1, 1000);
  checkRange("backoffMsBase", config.backoffMsBase, 0, 3_600_000);
  checkRange("backoffMsMax", config.backoffMsMax, 0, 3_600_000);
  checkRange("requestsInFlightMax", config.requestsInFlightMax, 1, 1000);
  checkRange("shardRecordsPerSecond", config.shardRecordsPerSecond, 1, Number.MAX_SAFE_INTEGER);
  checkRange("shardBytesPerSecond", config.shardBytesPerSecond, 1, Number.MAX_SAFE_INTEGER);
  checkRange("bufferedRecordsMax", config.bufferedRecordsMax, 1, Number.MAX_SAFE_INTEGER);
  checkRange("bufferedBytesMax", config.bufferedBytesMax, 1, Number.MAX_SAFE_INTEGER);
  return config;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as Partial<T>;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`Producer option ${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
}
