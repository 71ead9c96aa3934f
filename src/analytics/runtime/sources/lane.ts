/**
 * One lane of an input: a Kinesis shard, or a delivery stream's ingest log. A lane buffers the
 * records read ahead of the engine and knows a lower bound on the arrival time of every record it
 * has not yet handed out — what the watermark is made of (sources/merge.ts):
 *
 * - records buffered: the first one's arrival (records come in arrival order within a lane);
 * - none buffered, the last read at the end of the lane, no append announced since that read
 *   began: now − grace (a record appended later arrives later; the grace covers a record whose
 *   arrival was taken before the read began but that became readable after, its append's latency);
 * - an append announced since: the time it was announced − grace, until the next read takes it;
 * - otherwise (reading, behind): no bound yet (−∞): the watermark waits for the lane.
 */
export interface SourceRecord {
  readonly data: Buffer;
  readonly arrivalMs: number;
  /** Kinesis only. */
  readonly partitionKey?: string;
  readonly sequenceNumber?: string;
  /** Where the lane resumes after this record (a sequence number, or the log offset after it). */
  readonly position: string;
}

/** Records a lane holds at most before its reader waits for the engine to take some. */
export const laneBufferedMax = 20_000;

export class Lane {
  private buffer: SourceRecord[] = [];
  private head = 0;
  /** The last read found the end of the lane. */
  caughtUp = false;
  /** Set when an append is announced after the current read began. */
  private announcedAtMs: number | undefined;
  /** The lane is finished: a closed shard read to its end and every record handed out. */
  ended = false;
  /** Where the lane resumes: after the last record handed out, or where it started. */
  consumedPosition: string | undefined;
  private wake: (() => void) | undefined;
  /** An append was announced while the reader was not waiting: its next wait ends at once. */
  private pendingAnnouncement = false;

  constructor(
    readonly id: string,
    /** Which of the input's in-application streams the lane feeds. */
    readonly streamIndex: number,
    startPosition: string | undefined,
  ) {
    this.consumedPosition = startPosition;
  }

  get buffered(): number {
    return this.buffer.length - this.head;
  }

  peek(): SourceRecord | undefined {
    return this.buffer[this.head];
  }

  take(): SourceRecord {
    const record = this.buffer[this.head++]!;
    this.consumedPosition = record.position;
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    if (this.buffered < laneBufferedMax / 2) this.wake?.();
    return record;
  }

  /** A read is starting: appends announced from now on are after it. */
  readStarting(): void {
    this.announcedAtMs = undefined;
  }

  /** The read's records (possibly none: the lane's end was reached). */
  readDone(records: readonly SourceRecord[]): void {
    for (const record of records) this.buffer.push(record);
    this.caughtUp = records.length === 0;
  }

  /** The watch announced an append (or a change of the shard). */
  announced(nowMs: number): void {
    if (this.announcedAtMs === undefined) this.announcedAtMs = nowMs;
    if (this.wake !== undefined) this.wake();
    else this.pendingAnnouncement = true;
  }

  bound(nowMs: number, graceMs: number): number {
    const first = this.buffer[this.head];
    if (first !== undefined) return first.arrivalMs;
    if (this.ended) return Infinity;
    if (!this.caughtUp) return -Infinity;
    return (this.announcedAtMs ?? nowMs) - graceMs;
  }

  /** Resolves when the reader should look again: an append announced, room in the buffer, or `waitMs` passed. */
  waitForReader(sleep: (ms: number, signal: AbortSignal) => Promise<void>, waitMs: number): Promise<void> {
    if (this.pendingAnnouncement && !this.full()) {
      this.pendingAnnouncement = false;
      return Promise.resolve();
    }
    const controller = new AbortController();
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        controller.abort();
        resolve();
      };
      sleep(waitMs, controller.signal).then(
        () => this.wake?.(),
        () => undefined,
      );
    });
  }

  /** Ends a wait (the source is stopping, or was asked to look again). */
  wakeReader(): void {
    this.pendingAnnouncement = false;
    this.wake?.();
  }

  full(): boolean {
    return this.buffered >= laneBufferedMax;
  }
}
