/**
 * Appends and seals of one shard, in call order. One publish per shard is in flight at a time
 * (the next needs the sequence the last one got, to expect it); appends queued behind it go out
 * together as the next message (group commit), so a busy shard sends few large messages. Shards
 * publish independently: a PutRecords spread over shards has all its shards' publishes in flight
 * at once.
 *
 * Order across nodes: every message is published with Nats-Expected-Last-Subject-Sequence = the
 * shard's last sequence this node knows. JetStream stores it only if that is still the subject's
 * last message, so offsets (carried in the headers) stay dense and one order holds whoever
 * writes; on a conflict the writer reads the tail from the stream's leader and tries again with
 * the offsets and arrival time after it. A publish whose outcome is unknown (timeout, a leader
 * election) is sent again unchanged: its Nats-Msg-Id makes JetStream answer a message that landed
 * with its sequence instead of storing it twice.
 */
import type { AppendOutcome, AppendRecord, StorageFailure, WriteOutcome } from "../types.js";
import { systemClock } from "../../util/clock.js";
import type { LogCore, StreamLog } from "./nats-log-core.js";
import { encodeBody, encodeChunkList, header, messageHeaders, type EncodedGroup, type MessageHead } from "./nats-log-format.js";
import { leaderGet, leaderMsgIdAfter, publish, publishAfter, streamExists, type PublishOutcome } from "./nats-log-jetstream.js";
import type { ShardState } from "./nats-log-shard.js";

export type PendingWrite =
  | { kind: "append"; records: readonly AppendRecord[]; arrivalMs: number; resolve: (outcome: AppendOutcome) => void }
  | { kind: "seal"; resolve: (outcome: WriteOutcome) => void };

/** Bytes of appends grouped into one message (less when the server's max_payload is smaller). */
const groupBytesMax = 1024 * 1024;
/** Appends grouped into one message. */
const groupAppendsMax = 256;
/** Conflicts one write meets before it gives up (each is another writer's progress). */
const conflictsMax = 1000;
/** Resends of a publish whose outcome is unknown, with backoff up to `unknownBackoffMsMax` (~30 s in all). */
const unknownRetriesMax = 40;
const unknownBackoffMsMax = 1000;

/** How long a writer that met a conflict waits for its follower to hear the winner before asking the leader. */
const followerWaitMs = 50;
/** Conflicts in a row after which the tail is always read from the leader. */
const leaderReadAfterConflicts = 3;

const sealedFailure: StorageFailure = { kind: "closed", message: "the shard is sealed: no append may follow (its shard was closed by a reshard)" };
const closedFailure: StorageFailure = { kind: "closed", message: "the engine is closed" };
const droppedFailure: StorageFailure = { kind: "closed", message: "the stream's logs were dropped" };

export class ShardWriter {
  private readonly pending: PendingWrite[] = [];
  private writing = false;
  private draining: Promise<void> = Promise.resolve();

  constructor(
    private readonly core: LogCore,
    private readonly stream: StreamLog,
    private readonly state: ShardState,
  ) {}

  /** Resolves once nothing is queued or in flight (close waits for it). */
  settled(): Promise<void> {
    return this.draining;
  }

  enqueue(write: PendingWrite): void {
    this.pending.push(write);
    if (this.writing) return;
    this.writing = true;
    // A microtask later, so appends made in the same turn leave as one message.
    this.draining = new Promise((resolve) => queueMicrotask(() => void this.drain().then(resolve)));
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.write(batch);
        } catch (error) {
          const failure: StorageFailure = { kind: "io", message: `shard log write failed: ${(error as Error).message}`, cause: error };
          for (const write of batch) resolveFailure(write, failure);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private takeBatch(): PendingWrite[] {
    const first = this.pending.shift()!;
    const batch = [first];
    if (first.kind === "seal") return batch;
    const bytesMax = Math.min(groupBytesMax, this.core.inlineBytesMax());
    let bytes = appendBytes(first);
    while (batch.length < groupAppendsMax) {
      const next = this.pending[0];
      if (next === undefined || next.kind !== "append") break;
      const size = appendBytes(next);
      if (bytes + size > bytesMax) break;
      bytes += size;
      batch.push(this.pending.shift()!);
    }
    return batch;
  }

  private async write(batch: PendingWrite[]): Promise<void> {
    const { core, stream, state } = this;
    await core.ready(stream, state);
    if (core.closed) return batch.forEach((write) => resolveFailure(write, closedFailure));
    await core.create(stream);
    if (batch[0]!.kind === "seal") return this.seal(batch[0]!.resolve);
    const appends = batch as Extract<PendingWrite, { kind: "append" }>[];
    let chunks: { seqs: number[]; firstSeq: number } | undefined;
    for (let conflicts = 0; ; conflicts++) {
      if (state.dropped) return appends.forEach((write) => resolveFailure(write, droppedFailure));
      if (state.sealed) return appends.forEach((write) => resolveFailure(write, sealedFailure));
      if (conflicts > conflictsMax) throw new Error(`${conflictsMax} conflicting appends from other nodes in a row`);
      const baseOffset = state.endOffset;
      const expectedSeq = state.lastSeq;
      let arrivalMs = state.lastArrivalMs;
      let offset = baseOffset;
      const groups: (EncodedGroup & { firstOffset: number })[] = [];
      for (const write of appends) {
        arrivalMs = Math.max(arrivalMs, write.arrivalMs);
        groups.push({ records: write.records, arrivalMs, firstOffset: offset });
        offset += write.records.length;
      }
      const answer = () => appends.forEach((write, i) => write.resolve({ ok: true, firstOffset: groups[i]!.firstOffset, arrivalMs: groups[i]!.arrivalMs }));
      if (offset === baseOffset) {
        // Nothing to store: the arrival times still never go backwards for this node.
        state.lastArrivalMs = arrivalMs;
        return answer();
      }
      const filled = groups.filter((group) => group.records.length > 0);
      const firstArrivalMs = filled[0]!.arrivalMs;
      const body = encodeBody(filled);
      const h = messageHeaders({ firstOffset: baseOffset, count: offset - baseOffset, firstArrivalMs, lastArrivalMs: arrivalMs });
      let payload: Buffer = body;
      if (body.length > core.inlineBytesMax()) {
        // Chunks must come after the message before ours (a trim relies on it): sent again after a conflict moved it.
        if (chunks === undefined || chunks.firstSeq <= expectedSeq) chunks = await this.publishChunks(body);
        payload = encodeChunkList(chunks.seqs);
        h.set(header.chunks, String(chunks.seqs.length));
      }
      const outcome = await this.publishSettled(payload, h, expectedSeq);
      if (outcome.kind === "ok") {
        const head: MessageHead = { seq: outcome.seq, firstOffset: baseOffset, count: offset - baseOffset, firstArrivalMs, lastArrivalMs: arrivalMs, sealed: false, chunks: chunks?.seqs.length ?? 0, sizeBytes: payload.length };
        state.observe(head);
        return answer();
      }
      if (outcome.kind === "failed") throw outcome.error;
      await this.afterConflict(expectedSeq, conflicts);
    }
  }

  private async seal(resolve: (outcome: WriteOutcome) => void): Promise<void> {
    const { state } = this;
    for (let conflicts = 0; ; conflicts++) {
      if (state.sealed) return resolve({ ok: true });
      if (state.dropped) return resolve({ ok: false, failure: droppedFailure });
      if (conflicts > conflictsMax) throw new Error(`${conflictsMax} conflicting appends from other nodes in a row`);
      const fields = { firstOffset: state.endOffset, count: 0, firstArrivalMs: state.lastArrivalMs, lastArrivalMs: state.lastArrivalMs, sealed: true };
      const expectedSeq = state.lastSeq;
      const outcome = await this.publishSettled(Buffer.alloc(0), messageHeaders(fields), expectedSeq);
      if (outcome.kind === "ok") {
        state.observe({ ...fields, seq: outcome.seq, chunks: 0, sizeBytes: 0 });
        return resolve({ ok: true });
      }
      if (outcome.kind === "failed") throw outcome.error;
      await this.afterConflict(expectedSeq, conflicts);
    }
  }

  /**
   * After a conflict: the follower soon hears the append that won (it costs nothing to wait for);
   * if it has not within `followerWaitMs`, or conflicts repeat, the tail is read from the leader
   * (a get whose answer carries the whole body, base64 in JSON).
   */
  private async afterConflict(expectedSeq: number, conflicts: number): Promise<void> {
    if (expectedSeq >= 0 && conflicts < leaderReadAfterConflicts && (await this.state.tailPast(expectedSeq, followerWaitMs))) return;
    await this.readTail();
  }

  /**
   * Publishes after `expectedSeq`, sending the same message again (same Msg-Id) while the outcome
   * is unknown; answers ok, conflict or failed.
   */
  private async publishSettled(payload: Buffer, h: ReturnType<typeof messageHeaders>, expectedSeq: number): Promise<Exclude<PublishOutcome, { kind: "unknown" }>> {
    const { core, stream, state } = this;
    const msgId = `${core.incarnation}.${state.shardIndex}.${expectedSeq}`;
    const subject = stream.names.subject(state.shardIndex);
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await publishAfter(core.ctx, subject, payload, h, expectedSeq, msgId);
      if (outcome.kind === "conflict" && uncertain) {
        // Resent after a lost answer: the conflict may be our own first send, stored.
        const after = await leaderMsgIdAfter(core.ctx, stream.names.stream, subject, expectedSeq);
        if (after?.msgId === msgId) return { kind: "ok", seq: after.seq };
      }
      if (outcome.kind === "ok") core.counters.publishes++;
      if (outcome.kind === "conflict") core.counters.conflicts++;
      if (outcome.kind !== "unknown") return outcome;
      uncertain = true;
      if (attempt >= unknownRetriesMax || core.closed || state.dropped) return { kind: "failed", error: outcome.error };
      await systemClock.sleep(Math.min(unknownBackoffMsMax, 25 * 2 ** attempt));
      // Dropped meanwhile (here, or by another node as its advisory tells): never make it again.
      if (state.dropped) return { kind: "failed", error: outcome.error };
      // No JetStream stream answers (dropped by another node?): make it again, and the tail will say where we are.
      if (!(await streamExists(core.ctx, stream.names.stream).catch(() => true))) {
        stream.created = undefined;
        await core.create(stream);
      }
    }
  }

  /** After a conflict: the tail as the stream's leader has it. */
  private async readTail(): Promise<void> {
    const { core, stream, state } = this;
    const tail = await leaderGet(core.ctx, stream.names.stream, { last_by_subj: stream.names.subject(state.shardIndex) });
    if (tail !== undefined) state.observe(tail.head);
    else if (state.lastSeq > 0) state.reset();
  }

  private async publishChunks(body: Buffer): Promise<{ seqs: number[]; firstSeq: number }> {
    const { core, stream, state } = this;
    const chunkBytes = core.inlineBytesMax();
    const seqs: number[] = [];
    for (let at = 0; at < body.length; at += chunkBytes) {
      const piece = body.subarray(at, at + chunkBytes);
      const h = messageHeaders({ firstOffset: 0, count: 0, firstArrivalMs: 0, lastArrivalMs: 0 });
      h.set(header.msgId, `${core.incarnation}.c.${core.nextChunkId()}`);
      let outcome: PublishOutcome;
      for (let attempt = 0; ; attempt++) {
        outcome = await publish(core.ctx, stream.names.chunkSubject(state.shardIndex), piece, h);
        if (outcome.kind !== "unknown" || attempt >= unknownRetriesMax || core.closed) break;
        await systemClock.sleep(Math.min(unknownBackoffMsMax, 25 * 2 ** attempt));
      }
      if (outcome.kind !== "ok") throw new Error(`a chunk of a large append was not stored (${outcome.kind})`, { cause: "error" in outcome ? outcome.error : undefined });
      seqs.push(outcome.seq);
    }
    return { seqs, firstSeq: seqs[0]! };
  }
}

function appendBytes(write: Extract<PendingWrite, { kind: "append" }>): number {
  let bytes = 0;
  for (const record of write.records) bytes += record.data.length + record.partitionKey.length + 8;
  return bytes;
}

function resolveFailure(write: PendingWrite, failure: StorageFailure): void {
  write.resolve({ ok: false, failure });
}
