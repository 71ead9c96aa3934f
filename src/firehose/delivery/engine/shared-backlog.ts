/**
 * A DirectPut stream's backlog as storage holds it, for nodes sharing an engine (docs/cluster.md):
 * the records between the delivery's checkpoint (the next offset it will deliver from, stored by
 * whichever node delivers the stream) and the end of the shared ingest log, whichever node
 * appended them — not only what this node accepted. One node alone counts exactly in memory
 * instead (engine.ts); this is the shared engine's count.
 *
 * Bytes are not in the log's offsets, so each node reads the log's new records once and keeps
 * their sizes in chunks (one per page read: its end offset and bytes); chunks the checkpoint
 * passed are dropped. A chunk the checkpoint is inside counts whole: the estimate may exceed the
 * backlog by one page (`pageBytesMax`), never fall short of what was read. Reading stops once the
 * count passes the bound (it only has to tell that), and goes on from there at the next refresh.
 * Refreshes run in the background, at most every `backlogRefreshMs` per stream, when PutRecord
 * asks; meanwhile what this node itself appended counts at once (`appended`).
 */
import type { Clock } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";
import type { DirectPutLogs } from "../../sources/direct-put-log.js";
import type { DeliveryStreamStore } from "../../store/delivery-streams.js";
import { directPutLane } from "../../sources/direct-put-reader.js";

/** How stale a stream's count may be before the next PutRecord asks storage again. */
export const backlogRefreshMs = 1_000;
const pageRecordsMax = 10_000;
const pageBytesMax = 1024 * 1024;

export interface SharedBacklogDeps {
  clock: Clock;
  logger: Logger;
  store: DeliveryStreamStore;
  ingest: DirectPutLogs;
  /** Past this, reading further cannot change the answer. */
  backlogBytesMax: number;
}

interface Chunk {
  /** One past the chunk's last offset. */
  readonly endOffset: number;
  readonly bytes: number;
}

interface StreamCount {
  chunks: Chunk[];
  /** Where the next read starts. */
  readOffset: number;
  /** The chunks' bytes. */
  readBytes: number;
  /** This node's appends since the last refresh began (the refresh may not have read them). */
  ownBytes: number;
  refreshedAtMs: number;
  refreshing: Promise<void> | undefined;
}

export class SharedBacklog {
  private readonly counts = new Map<string, StreamCount>();
  /** Incarnation → its account (the checkpoint's table is the account's). */
  private readonly accounts = new Map<string, string>();

  constructor(private readonly deps: SharedBacklogDeps) {}

  /** The stream's account, as the engine learns it (a stream it reconciles). */
  learnAccount(incarnationId: string, accountId: string): void {
    this.accounts.set(incarnationId, accountId);
  }

  /** The backlog as last counted plus this node's appends since; starts a refresh when stale. */
  bytes(incarnationId: string): number {
    const count = this.countOf(incarnationId);
    if (count.refreshing === undefined && this.deps.clock.nowMs() - count.refreshedAtMs >= backlogRefreshMs) {
      count.refreshing = this.refresh(incarnationId, count)
        .catch((error: unknown) => this.deps.logger.warn({ err: error, incarnationId }, "firehose backlog could not be counted"))
        .finally(() => (count.refreshing = undefined));
    }
    return count.readBytes + count.ownBytes;
  }

  /** Waits for a refresh in flight (tests). */
  async settled(incarnationId: string): Promise<void> {
    await this.counts.get(incarnationId)?.refreshing;
  }

  appended(incarnationId: string, bytes: number): void {
    this.countOf(incarnationId).ownBytes += bytes;
  }

  forget(incarnationId: string): void {
    this.counts.delete(incarnationId);
    this.accounts.delete(incarnationId);
  }

  private countOf(incarnationId: string): StreamCount {
    let count = this.counts.get(incarnationId);
    if (count === undefined) {
      count = { chunks: [], readOffset: 0, readBytes: 0, ownBytes: 0, refreshedAtMs: Number.NEGATIVE_INFINITY, refreshing: undefined };
      this.counts.set(incarnationId, count);
    }
    return count;
  }

  private async refresh(incarnationId: string, count: StreamCount): Promise<void> {
    const accountId = await this.accountOf(incarnationId);
    if (accountId === undefined) {
      count.refreshedAtMs = this.deps.clock.nowMs();
      return;
    }
    const checkpoint = await this.deps.store.checkpoint(accountId, incarnationId, directPutLane);
    const deliveredTo = checkpoint === undefined ? 0 : Number(checkpoint.position);
    while (count.chunks.length > 0 && count.chunks[0]!.endOffset <= deliveredTo) count.readBytes -= count.chunks.shift()!.bytes;
    if (count.readOffset < deliveredTo) count.readOffset = deliveredTo;
    // Taken together: this node's appends counted so far are below this end, later ones past it.
    const endOffset = this.deps.ingest.endOffset(incarnationId);
    const ownBefore = count.ownBytes;
    while (count.readOffset < endOffset && count.readBytes <= this.deps.backlogBytesMax) {
      const page = await this.deps.ingest.read(incarnationId, count.readOffset, pageRecordsMax, pageBytesMax);
      if (page.records.length === 0 || page.nextOffset <= count.readOffset) break;
      let bytes = 0;
      let nextOffset = count.readOffset;
      for (const record of page.records) {
        if (record.offset >= endOffset) break;
        bytes += record.data.length;
        nextOffset = record.offset + 1;
      }
      if (nextOffset === count.readOffset) break;
      count.chunks.push({ endOffset: nextOffset, bytes });
      count.readBytes += bytes;
      count.readOffset = nextOffset;
    }
    // What this node appended before the end was taken is in what was read (or past the bound).
    count.ownBytes -= ownBefore;
    count.refreshedAtMs = this.deps.clock.nowMs();
  }

  private async accountOf(incarnationId: string): Promise<string | undefined> {
    const known = this.accounts.get(incarnationId);
    if (known !== undefined) return known;
    for (const accountId of await this.deps.store.accounts()) {
      for (const stream of await this.deps.store.list(accountId)) this.accounts.set(stream.incarnationId, accountId);
    }
    return this.accounts.get(incarnationId);
  }
}
