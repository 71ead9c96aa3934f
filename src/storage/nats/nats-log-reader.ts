/**
 * Reads, time lookups and retention of one shard. Offsets are found in JetStream by sequence: the
 * shard's index (recent messages, from the follower and this node's appends) names a message's
 * sequence outright; a read that ended mid-log left a hint for where the next one starts; any
 * other offset is found by probing — a binary search over sequences with direct gets of "the
 * shard's next message at or after sequence s" (offsets and arrival times only grow along a
 * subject), at most ~log2(messages) gets. A read then walks the shard's messages one direct get
 * each, asking for the indexed ones it will need all at once.
 */
import type { ReadLimits, ReadResult, StoredRecord } from "../types.js";
import type { LogCore, StreamLog } from "./nats-log-core.js";
import { arrivalsOf, decodeBody, decodeChunkList, type MessageHead } from "./nats-log-format.js";
import { getExisting, type FetchedMessage } from "./nats-log-jetstream.js";
import type { ShardState } from "./nats-log-shard.js";
import type { NatsContext } from "./nats-context.js";

/** Messages one read asks for at once, when the index names them. */
const prefetchMessagesMax = 64;

function holds(head: MessageHead, offset: number): boolean {
  return head.firstOffset <= offset && offset < head.firstOffset + head.count;
}

/**
 * Gives the records taken from a (shared, cached) body data of their own: one copy of the body
 * when they are most of it, else a copy of each record's data — never a whole large message copied
 * for one small record.
 */
function detach(records: StoredRecord[], from: number, body: Buffer): void {
  let bytes = 0;
  for (let i = from; i < records.length; i++) bytes += records[i]!.data.length;
  if (bytes * 4 < body.length) {
    for (let i = from; i < records.length; i++) records[i]!.data = Buffer.from(records[i]!.data);
    return;
  }
  const own = Buffer.from(body);
  for (let i = from; i < records.length; i++) {
    const data = records[i]!.data;
    const at = data.byteOffset - body.byteOffset;
    records[i]!.data = own.subarray(at, at + data.length);
  }
}

export class ShardReader {
  constructor(
    private readonly core: LogCore,
    private readonly stream: StreamLog,
    private readonly state: ShardState,
  ) {}

  async read(fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
    const { core, stream, state } = this;
    await core.ready(stream, state);
    let offset = Math.max(fromOffset, state.startOffset);
    if (limits.recordsMax <= 0 || offset >= state.endOffset) return { records: [], nextOffset: offset };
    this.prefetch(offset, limits);
    let message = await this.locate(offset);
    if (message !== undefined && message.head.firstOffset > offset) {
      // Trimmed (by any node) below what this node took for the start.
      offset = message.head.firstOffset;
      state.setFirst(message.head);
    }
    const records: StoredRecord[] = [];
    let bytes = 0;
    while (message !== undefined) {
      let nextArrivalMs: number | undefined;
      const taken = records.length;
      decodeBody(message.head, message.body, offset, (record) => {
        if (records.length >= limits.recordsMax || (records.length > 0 && bytes + record.data.length > limits.bytesMax)) {
          nextArrivalMs = record.arrivalMs;
          return false;
        }
        records.push(record);
        bytes += record.data.length;
        offset = record.offset + 1;
        return true;
      });
      detach(records, taken, message.body);
      if (nextArrivalMs !== undefined) {
        state.setHint(offset, message.head.seq);
        return { records, nextOffset: offset, nextArrivalMs };
      }
      offset = message.head.firstOffset + message.head.count;
      if (offset >= state.endOffset) break;
      message = await this.next(message.head);
    }
    return { records, nextOffset: offset };
  }

  /** The first offset whose arrival time is at or after `timestampMs` (endOffset if none). */
  async offsetAtTime(timestampMs: number): Promise<number> {
    const { core, stream, state } = this;
    await core.ready(stream, state);
    if (state.endOffset <= state.startOffset || timestampMs > state.lastArrivalMs) return state.endOffset;
    const head = state.firstArrivedAtOrAfter(timestampMs) ?? (await this.probeTime(timestampMs))?.head;
    if (head === undefined) return state.endOffset;
    state.noteTime(timestampMs, head);
    if (head.firstArrivalMs >= timestampMs) return Math.max(head.firstOffset, state.startOffset);
    const message = await core.message(stream, head.seq);
    if (message === undefined) return state.startOffset;
    const at = arrivalsOf(message.head, message.body).findIndex((arrivalMs) => arrivalMs >= timestampMs);
    return Math.max(head.firstOffset + (at < 0 ? head.count : at), state.startOffset);
  }

  /**
   * Purges the shard's messages whose every record arrived before the cutoff, always keeping the
   * last one (it carries the end offset and any seal, which MaxAge would not keep).
   */
  async trimBefore(cutoffMs: number): Promise<void> {
    const { core, stream, state } = this;
    await core.ready(stream, state);
    if (state.lastSeq === 0) return;
    const keep = state.firstArrivedAtOrAfter(cutoffMs) ?? (await this.probeTime(cutoffMs))?.head ?? (await this.tailHead());
    if (keep === undefined || keep.seq <= state.firstSeq) return;
    const { names } = stream;
    await purgeBelow(core, names.stream, names.subject(state.shardIndex), keep.seq);
    // Chunks of kept messages come after the message before their own (the writer sees to it):
    // all but the kept message's own chunks below its sequence are expired or orphaned. Its chunk
    // count is read from the message itself: a head this node learned from its follower (another
    // node's append) may not carry it, and purging below the kept message's own chunks loses them.
    const raw = await getExisting(core.ctx, names.stream, { seq: keep.seq });
    if (raw !== undefined) {
      const chunksBelow = raw.head.chunks > 0 ? Math.min(...decodeChunkList(raw.body, raw.head.chunks)) : keep.seq;
      await purgeBelow(core, names.stream, names.chunkSubject(state.shardIndex), chunksBelow);
    }
    state.setFirst(keep);
    state.forgetBefore(keep.seq);
  }

  /** Asks at once for the indexed messages a read from `offset` will need. */
  private prefetch(offset: number, limits: ReadLimits): void {
    const run = this.state.run(offset, prefetchMessagesMax);
    let records = 0;
    let bytes = 0;
    for (const head of run) {
      if (records > limits.recordsMax || bytes > limits.bytesMax) break;
      records += head.count;
      bytes += head.sizeBytes;
      this.core.message(this.stream, head.seq).catch(() => {});
    }
  }

  /** The message holding `offset`, or the first after it (the offset was trimmed); undefined if none. */
  private async locate(offset: number): Promise<FetchedMessage | undefined> {
    const { core, stream, state } = this;
    const indexed = state.holding(offset);
    if (indexed !== undefined) {
      const message = await core.message(stream, indexed.seq);
      if (message !== undefined) return message;
      // Purged, and purges take a prefix: everything indexed before it is gone too.
      state.forgetBefore(indexed.seq + 1);
    }
    const hinted = state.hint(offset);
    if (hinted !== undefined) {
      const message = await core.message(stream, hinted);
      if (message !== undefined && holds(message.head, offset)) return message;
    }
    return this.probeOffset(offset);
  }

  /** The message after `head` (undefined at the end, or at a seal). */
  private async next(head: MessageHead): Promise<FetchedMessage | undefined> {
    const { core, stream, state } = this;
    const indexed = state.after(head);
    if (indexed !== undefined) {
      const message = await core.message(stream, indexed.seq);
      if (message !== undefined) return message;
    }
    const message = await core.nextMessage(stream, state.shardIndex, head.seq + 1);
    return message === undefined || message.head.count === 0 ? undefined : message;
  }

  private async probeOffset(offset: number): Promise<FetchedMessage | undefined> {
    const { core, stream, state } = this;
    let low = state.firstSeq;
    let high = state.lastSeq;
    let after: FetchedMessage | undefined;
    const oldest = state.firstIndexed();
    let afterSeq: number | undefined;
    if (oldest !== undefined && oldest.firstOffset > offset) {
      high = Math.min(high, oldest.seq - 1);
      afterSeq = oldest.seq;
    }
    while (low <= high) {
      const mid = Math.floor((low + high) / 2);
      const message = await core.nextMessage(stream, state.shardIndex, mid);
      if (message === undefined || message.head.seq > high) {
        high = mid - 1;
        continue;
      }
      if (holds(message.head, offset)) return message;
      if (message.head.firstOffset > offset || message.head.count === 0) {
        if (message.head.count > 0) after = message;
        high = mid - 1;
      } else low = message.head.seq + 1;
    }
    if (after === undefined && afterSeq !== undefined) {
      // The oldest indexed message, or (trimmed meanwhile by another node) the first one left after it.
      const next = await core.nextMessage(stream, state.shardIndex, afterSeq);
      if (next !== undefined && next.head.count > 0) after = next;
    }
    return after;
  }

  /** The first message (with records) whose last arrival is at or after `timestampMs`. */
  private async probeTime(timestampMs: number): Promise<FetchedMessage | undefined> {
    const { core, stream, state } = this;
    let low = state.firstSeq;
    let high = state.lastSeq;
    let found: FetchedMessage | undefined;
    while (low <= high) {
      const mid = Math.floor((low + high) / 2);
      const message = await core.nextMessage(stream, state.shardIndex, mid);
      if (message === undefined || message.head.seq > high || message.head.count === 0) {
        high = mid - 1;
        continue;
      }
      if (message.head.lastArrivalMs >= timestampMs) {
        found = message;
        high = mid - 1;
      } else low = message.head.seq + 1;
    }
    return found;
  }

  private async tailHead(): Promise<MessageHead | undefined> {
    const { core, stream, state } = this;
    return (await core.message(stream, state.lastSeq))?.head;
  }
}

/**
 * Purges the filter's messages below `seq`. JetStream reads a purge's `seq` of 1 (or 0) as no bound
 * at all and purges every message of the filter (measured on nats-server 2.10.27): with nothing
 * below sequence 1 there is nothing to purge, so no request is made.
 */
async function purgeBelow(core: { ctx: NatsContext }, stream: string, filter: string, seq: number): Promise<void> {
  if (seq <= 1) return;
  await core.ctx.jsm.streams.purge(stream, { filter, seq });
}
