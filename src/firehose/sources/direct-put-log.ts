/**
 * DirectPut's durable ingest log: PutRecord and PutRecordBatch append to shard 0 of a LogStore
 * stream whose id is the delivery stream's incarnationId, and answer only once the append is
 * durable (ShardLog.append resolves under the engine's fsync policy). The embedded engine keeps
 * only logs a catalog entry names, so each log has one: under the account `firehose@<accountId>`,
 * `StreamName` = the delivery stream's name, `streamId` = the log's id (the streams service does
 * not see these entries: streams/stream-catalog.ts, kinesisOnlyCatalog). A reset drops every
 * catalog entry's logs (server/drop-all-state.ts), these with them.
 *
 * Records are stored as they came (no partition key); the log offset is the record's position,
 * from which the engine derives its recordId (stable across restarts and retries).
 */
import type { AppendOutcome, Catalog, LogStore, ReadResult, WriteOutcome } from "../../storage/types.js";

export const ingestCatalogNamespace = "firehose";
const ingestShardIndex = 0;

/** The catalog entry naming a delivery stream's ingest log. */
export interface IngestLogEntry {
  accountId: string;
  StreamName: string;
  streamId: string;
  service: "firehose";
}

export class DirectPutLogs {
  /** Per log, the arrival time of its last append: appends must never go back in time. */
  private readonly lastArrivalMs = new Map<string, number>();

  constructor(
    private readonly catalog: Catalog,
    private readonly logs: LogStore,
  ) {}

  static catalogAccount(accountId: string): string {
    return `${ingestCatalogNamespace}@${accountId}`;
  }

  /** Names the log in the catalog before any record is appended to it. */
  register(accountId: string, deliveryStreamName: string, streamId: string): Promise<WriteOutcome> {
    const catalogAccount = DirectPutLogs.catalogAccount(accountId);
    const entry: IngestLogEntry = { accountId: catalogAccount, StreamName: deliveryStreamName, streamId, service: "firehose" };
    return this.catalog.put(catalogAccount, deliveryStreamName, entry);
  }

  /** The catalog entry first, then the records: a crash between leaves logs the next open removes. */
  async unregister(accountId: string, deliveryStreamName: string, streamId: string): Promise<void> {
    const catalogAccount = DirectPutLogs.catalogAccount(accountId);
    const entry = (await this.catalog.get(catalogAccount, deliveryStreamName)) as IngestLogEntry | undefined;
    if (entry?.streamId === streamId) await this.catalog.remove(catalogAccount, deliveryStreamName);
    await this.logs.dropStream(streamId);
    this.lastArrivalMs.delete(streamId);
  }

  append(streamId: string, records: readonly Buffer[], nowMs: number): Promise<AppendOutcome> {
    const arrivalMs = Math.max(nowMs, this.lastArrivalMs.get(streamId) ?? 0);
    this.lastArrivalMs.set(streamId, arrivalMs);
    return this.logs.shard(streamId, ingestShardIndex).append(
      records.map((data) => ({ partitionKey: "", data })),
      arrivalMs,
    );
  }

  read(streamId: string, fromOffset: number, recordsMax: number, bytesMax: number): Promise<ReadResult> {
    return this.logs.shard(streamId, ingestShardIndex).read(fromOffset, { recordsMax, bytesMax });
  }

  endOffset(streamId: string): number {
    return this.logs.shard(streamId, ingestShardIndex).endOffset();
  }

  watch(streamId: string, listener: () => void): { stop(): void } {
    return this.logs.shard(streamId, ingestShardIndex).watch(() => listener());
  }
}
