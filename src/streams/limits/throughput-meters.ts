/**
 * The per-shard throughput meters of every stream (shard-meters.ts), by stream incarnation
 * (streamId) and shard index. PutRecord/PutRecords admit each record through `writes`, GetRecords
 * admits each call through `admitRead` and pays for what it read with `chargeRead`. The on-demand
 * scaler samples the write meters and drops those of streams that are gone (`retain`). In a
 * cluster, each node also takes the other nodes' admissions from its buckets (`debitWrites`,
 * `debitReads`) and reports its own from the streams `takeDirty` names (cluster-rates.ts).
 *
 * Absent with `--limits off`: actions then skip every check (context.throughput is undefined).
 *
 * @example
 *   const writes = context.throughput?.writes(meta, nowMs);
 *   if (writes && !writes.admit(shard.shardIndex, entry.PartitionKey, entry.Data)) // throttled
 */
import type { StoredRecord } from "../../storage/types.js";
import type { StreamMeta } from "../model.js";
import { limits } from "../limits.js";
import { ShardReadMeter, ShardWriteMeter, shardWriteBytesPerSecond } from "./shard-meters.js";

/** One stream's meters; also the write admission of the request being routed (no allocation per request). */
export class StreamMeters {
  /** Indexed by shard index; a shard's meters are made, full, on its first use. */
  readonly writers: (ShardWriteMeter | undefined)[] = [];
  readonly readers: (ShardReadMeter | undefined)[] = [];
  /** In ThroughputMeters' dirty list: taken a request since the last report to the other nodes. */
  dirty = false;
  private nowMs = 0;
  private bytesCapacity = shardWriteBytesPerSecond;

  constructor(readonly streamId: string) {}

  /** The write byte bucket's size the last request set (one second's bytes, or one maximal record). */
  get writeBytesCapacity(): number {
    return this.bytesCapacity;
  }

  /** Sets the request's time and the stream's byte burst; called by ThroughputMeters.writes. */
  prepare(meta: StreamMeta, nowMs: number): this {
    this.nowMs = nowMs;
    const recordBytesMax = (meta.MaxRecordSizeInKiB ?? limits.maxRecordSizeKiBDefault) * 1024;
    this.bytesCapacity = Math.max(shardWriteBytesPerSecond, recordBytesMax);
    return this;
  }

  /** Admits one record to the shard, or refuses it (throttled) and counts nothing. */
  admit(shardIndex: number, partitionKey: string, data: Buffer): boolean {
    let meter = this.writers[shardIndex];
    if (meter === undefined) meter = this.writers[shardIndex] = new ShardWriteMeter(this.nowMs, this.bytesCapacity);
    // AWS counts the partition key's UTF-8 bytes towards the shard's 1 MiB/s, as towards the record size.
    return meter.admit(this.nowMs, data.length + Buffer.byteLength(partitionKey, "utf8"), this.bytesCapacity);
  }
}

export class ThroughputMeters {
  private readonly streams = new Map<string, StreamMeters>();
  /**
   * Streams that took a request since the last report (cluster-rates.ts), each once: kept only
   * when the node reports to peers (`trackRequests`), so one process alone pays nothing for it.
   */
  private dirty: StreamMeters[] | undefined;

  /** Keeps the streams that take requests from now on, for `takeDirty` (cluster-rates.ts). */
  trackRequests(): void {
    this.dirty ??= [];
  }

  /** The streams that took a request since the last call, each once, and clears their mark. */
  takeDirty(): StreamMeters[] {
    const dirty = this.dirty ?? [];
    if (dirty.length > 0) this.dirty = [];
    for (const stream of dirty) stream.dirty = false;
    return dirty;
  }

  /** The stream's write admission for a request at `nowMs`. */
  writes(meta: StreamMeta, nowMs: number): StreamMeters {
    const stream = this.of(meta.streamId);
    // Once per request, not per record: the report diffs the shards' counters.
    if (this.dirty !== undefined && !stream.dirty) this.mark(stream);
    return stream.prepare(meta, nowMs);
  }

  /** Admits one GetRecords call on the shard, or refuses it. */
  admitRead(meta: StreamMeta, shardIndex: number, nowMs: number): boolean {
    const stream = this.of(meta.streamId);
    if (this.dirty !== undefined && !stream.dirty) this.mark(stream);
    const readers = stream.readers;
    let meter = readers[shardIndex];
    if (meter === undefined) meter = readers[shardIndex] = new ShardReadMeter(nowMs);
    return meter.admit(nowMs);
  }

  /** Charges an admitted GetRecords call for the data it returned. */
  chargeRead(meta: StreamMeta, shardIndex: number, nowMs: number, records: readonly StoredRecord[]): void {
    const stream = this.streams.get(meta.streamId);
    const meter = stream?.readers[shardIndex];
    if (meter === undefined || records.length === 0) return;
    let bytes = 0;
    for (let index = 0; index < records.length; index++) bytes += records[index]!.data.length;
    meter.charge(nowMs, bytes);
    if (this.dirty !== undefined && !stream!.dirty) this.mark(stream!);
  }

  /** Takes another node's admitted writes on the shard from its buckets (cluster-rates.ts). */
  debitWrites(streamId: string, shardIndex: number, nowMs: number, records: number, bytes: number, bytesCapacity: number): void {
    const writers = this.of(streamId).writers;
    let meter = writers[shardIndex];
    if (meter === undefined) meter = writers[shardIndex] = new ShardWriteMeter(nowMs, bytesCapacity);
    meter.debit(nowMs, records, bytes, bytesCapacity);
  }

  /** Takes another node's GetRecords calls and bytes on the shard from its buckets (cluster-rates.ts). */
  debitReads(streamId: string, shardIndex: number, nowMs: number, calls: number, bytes: number): void {
    const readers = this.of(streamId).readers;
    let meter = readers[shardIndex];
    if (meter === undefined) meter = readers[shardIndex] = new ShardReadMeter(nowMs);
    meter.debit(nowMs, calls, bytes);
  }

  /** The shard's write meter, if it has taken a write (for the on-demand scaler). */
  writeMeter(streamId: string, shardIndex: number): ShardWriteMeter | undefined {
    return this.streams.get(streamId)?.writers[shardIndex];
  }

  /** Drops the meters of stream incarnations not in `streamIds` (deleted streams). */
  retain(streamIds: ReadonlySet<string>): void {
    for (const streamId of this.streams.keys()) if (!streamIds.has(streamId)) this.streams.delete(streamId);
  }

  private of(streamId: string): StreamMeters {
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      stream = new StreamMeters(streamId);
      this.streams.set(streamId, stream);
    }
    return stream;
  }

  private mark(stream: StreamMeters): void {
    stream.dirty = true;
    this.dirty!.push(stream);
  }
}
