/**
 * What a node knows of one shard's log: its tail (end offset, last JetStream sequence, last
 * arrival, seal), its first retained offset, a bounded index of recent messages (offset →
 * sequence) and the shard's watchers. Every source of knowledge — this node's acknowledged
 * publishes, the stream's follower (every node's appends), tails read after a conflict — goes
 * through `observe`, which only moves the tail forward and announces a grown end once the message
 * that holds it is indexed, that is readable through this node.
 */
import { LogWatchers } from "../log-watchers.js";
import { systemClock } from "../../util/clock.js";
import type { MessageHead } from "./nats-log-format.js";

/** Reader positions remembered per shard (offset → the sequence of the message holding it). */
const hintsMax = 256;

export class ShardState {
  readonly watchers = new LogWatchers();
  endOffset = 0;
  startOffset = 0;
  /** JetStream sequence of the shard's last message (0: none), what the next append expects. */
  lastSeq = 0;
  /** A lower bound of the shard's first retained message's sequence (probes start there). */
  firstSeq = 1;
  lastArrivalMs = 0;
  sealed = false;
  /** Set by dropStream: a handle still holding this state looks the shard up again. */
  dropped = false;
  /** Resolves once the tail and start were read from JetStream (reads and appends wait for it). */
  ready: Promise<void> = Promise.resolve();
  /** The last load failed: the next use loads again. */
  loadFailed = false;
  /** The first retained message as this node last saw it (kept out of the index's eviction). */
  firstHead: MessageHead | undefined;
  /** The last time lookup's answer: `head` is the first message whose last arrival is at or after any time in [fromMs, head.lastArrivalMs]. */
  private timeMemo: { fromMs: number; head: MessageHead } | undefined;
  /** Recent messages sorted by sequence; not necessarily contiguous in offsets. */
  private readonly index: MessageHead[] = [];
  /** Writers waiting for the tail to move past a sequence (after a conflict). */
  private readonly tailWaiters = new Set<{ seq: number; wake: () => void }>();
  private readonly hints = new Map<number, number>();

  constructor(
    readonly streamId: string,
    readonly shardIndex: number,
    private readonly indexEntriesMax: number,
  ) {}

  /** Takes what a message says about the shard; announces a grown end. */
  observe(head: MessageHead): void {
    this.remember(head);
    if (head.seq <= this.lastSeq) return;
    this.lastSeq = head.seq;
    for (const waiter of this.tailWaiters) if (head.seq > waiter.seq) waiter.wake();
    this.lastArrivalMs = Math.max(this.lastArrivalMs, head.lastArrivalMs);
    if (head.sealed) this.sealed = true;
    const end = head.firstOffset + head.count;
    if (end > this.endOffset) {
      this.endOffset = end;
      this.watchers.announce(end);
    } else if (end < this.endOffset && head.count > 0) {
      // Only a shard whose JetStream stream was deleted and made again starts over.
      this.endOffset = end;
    }
  }

  /** Notes the first retained message (read at load, kept by a trim, met by a read below the start). */
  setFirst(head: MessageHead): void {
    if (this.firstHead !== undefined && this.firstHead.seq >= head.seq) return;
    this.firstHead = head;
    this.startOffset = Math.max(this.startOffset, head.firstOffset);
    this.firstSeq = Math.max(this.firstSeq, head.seq);
    if (this.timeMemo !== undefined && this.timeMemo.head.seq < head.seq) this.timeMemo = undefined;
  }

  /** Remembers where a time lookup landed, for the next lookups of about the same time (retention's cutoff). */
  noteTime(fromMs: number, head: MessageHead): void {
    this.timeMemo = { fromMs, head };
  }

  /**
   * Resolves true once the tail this node knows has moved past `seq` (the follower heard the
   * append that won a conflict), false after `timeoutMs`.
   */
  tailPast(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.lastSeq > seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        seq,
        wake: () => {
          systemClock.clearTimer(timer);
          this.tailWaiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = systemClock.setTimeout(() => {
        this.tailWaiters.delete(waiter);
        resolve(false);
      }, timeoutMs, { unref: true });
      this.tailWaiters.add(waiter);
    });
  }

  /** Forgets the tail (the JetStream stream is gone): the shard is empty again. */
  reset(): void {
    this.firstHead = undefined;
    this.timeMemo = undefined;
    this.endOffset = 0;
    this.startOffset = 0;
    this.lastSeq = 0;
    this.firstSeq = 1;
    this.sealed = false;
    this.index.length = 0;
    this.hints.clear();
  }

  /** Adds a message to the index (sorted by sequence, bounded: the oldest go first). */
  remember(head: MessageHead): void {
    if (head.count === 0 && !head.sealed) return;
    const index = this.index;
    const last = index.at(-1);
    if (last === undefined || last.seq < head.seq) index.push(head);
    else {
      const at = this.seqPosition(head.seq);
      if (index[at]?.seq === head.seq) return;
      index.splice(at, 0, head);
    }
    if (index.length > this.indexEntriesMax) index.splice(0, index.length - this.indexEntriesMax);
  }

  /** Forgets indexed messages before `seq` (trimmed) and a message that is gone. */
  forgetBefore(seq: number): void {
    const at = this.seqPosition(seq);
    if (at > 0) this.index.splice(0, at);
    for (const [offset, hinted] of this.hints) if (hinted < seq) this.hints.delete(offset);
  }

  forget(seq: number): void {
    const at = this.seqPosition(seq);
    if (this.index[at]?.seq === seq) this.index.splice(at, 1);
  }

  /** The indexed message holding `offset`, if the index has it. */
  holding(offset: number): MessageHead | undefined {
    const at = this.offsetPosition(offset);
    const head = this.index[at];
    return head !== undefined && head.firstOffset <= offset && offset < head.firstOffset + head.count ? head : undefined;
  }

  /** The indexed message right after `head` if the index holds it (offsets contiguous). */
  after(head: MessageHead): MessageHead | undefined {
    let at = this.seqPosition(head.seq + 1);
    const end = head.firstOffset + head.count;
    // Seal markers and empty entries hold no records; skip them.
    while (this.index[at] !== undefined && this.index[at]!.count === 0) at++;
    const next = this.index[at];
    return next !== undefined && next.firstOffset === end ? next : undefined;
  }

  /**
   * The indexed messages holding records from `offset` on, as long as they follow each other,
   * up to `messagesMax`: what a read will fetch, so it can fetch them at once.
   */
  run(offset: number, messagesMax: number): MessageHead[] {
    const first = this.holding(offset);
    if (first === undefined) return [];
    const out = [first];
    for (let head = this.after(first); head !== undefined && out.length < messagesMax; head = this.after(head)) out.push(head);
    return out;
  }

  /**
   * The first indexed message whose last arrival is at or after `timestampMs`, if the index can
   * tell (the message before it is indexed too, or it is the first retained one).
   */
  firstArrivedAtOrAfter(timestampMs: number): MessageHead | undefined {
    const first = this.firstHead;
    if (first !== undefined && first.count > 0 && timestampMs <= first.lastArrivalMs) return first;
    const memo = this.timeMemo;
    if (memo !== undefined && memo.fromMs <= timestampMs && timestampMs <= memo.head.lastArrivalMs) return memo.head;
    const index = this.index;
    let low = 0;
    let high = index.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (index[mid]!.lastArrivalMs < timestampMs) low = mid + 1;
      else high = mid;
    }
    const found = index[low];
    if (found === undefined) return undefined;
    if (found.firstOffset <= this.startOffset) return found;
    const before = index[low - 1];
    return before !== undefined && before.firstOffset + before.count === found.firstOffset ? found : undefined;
  }

  /** The sequence of the message holding `offset`, if a read ended there. */
  hint(offset: number): number | undefined {
    return this.hints.get(offset);
  }

  setHint(offset: number, seq: number): void {
    this.hints.delete(offset);
    this.hints.set(offset, seq);
    if (this.hints.size > hintsMax) this.hints.delete(this.hints.keys().next().value!);
  }

  /** The oldest indexed message (probes for older offsets search below it). */
  firstIndexed(): MessageHead | undefined {
    return this.index[0];
  }

  private seqPosition(seq: number): number {
    const index = this.index;
    let low = 0;
    let high = index.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (index[mid]!.seq < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The position of the last indexed message whose first offset is at or before `offset`. */
  private offsetPosition(offset: number): number {
    const index = this.index;
    let low = 0;
    let high = index.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (index[mid]!.firstOffset <= offset) low = mid + 1;
      else high = mid;
    }
    // Among messages starting at the same offset (a seal marker after the last records), take the one with records.
    let at = low - 1;
    while (at > 0 && index[at]!.count === 0) at--;
    return Math.max(at, 0);
  }
}
