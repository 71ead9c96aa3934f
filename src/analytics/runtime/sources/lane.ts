/**
 * One lane of an input: a Kinesis shard, or a delivery stream's ingest log. A lane buffers the
 * records read ahead of the engine (at most `laneBufferedMax`); the runner takes them in order.
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
  /** The reader found the lane's end: a closed shard read whole (it ends once everything is taken). */
  drained = false;
  private wake: (() => void) | undefined;
  /** An append was announced while the reader was not waiting: its next wait ends at once. */
  private pendingAnnouncement = false;

  constructor(
    readonly id: string,
    /** Which of the input's in-application streams the lane feeds. */
    readonly streamIndex: number,
    /** Where the lane started: the position text a resume would start it from (kinesis-source.ts). */
    readonly startPosition: string,
  ) {}

  get buffered(): number {
    return this.buffer.length - this.head;
  }

  take(): SourceRecord {
    const record = this.buffer[this.head++]!;
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    if (this.buffered < laneBufferedMax / 2) this.wake?.();
    return record;
  }

  /** The read's records (possibly none). */
  readDone(records: readonly SourceRecord[]): void {
    for (const record of records) this.buffer.push(record);
  }

  /** The watch announced an append (or a change of the shard). */
  announced(): void {
    if (this.wake !== undefined) this.wake();
    else this.pendingAnnouncement = true;
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

  /** Ends a wait (the source is stopping). */
  wakeReader(): void {
    this.pendingAnnouncement = false;
    this.wake?.();
  }

  full(): boolean {
    return this.buffered >= laneBufferedMax;
  }
}
