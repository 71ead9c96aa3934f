/**
 * When a source position may be checkpointed (docs/firehose.md, "Delivery guarantees"): the
 * engine reads its source in chunks, per lane (the DirectPut log, or one Kinesis shard), and a
 * chunk's records spread over the buffers of their partitions. A chunk is settled once every
 * buffer holding some of its records has been delivered (or given up to the error output) and
 * its failed records are written to the error output. A lane's checkpoint advances to the end of
 * the longest prefix of settled chunks — never past a record that is still only in memory — so
 * a crash repeats only records read after the checkpoint: those buffered, or delivered while an
 * earlier chunk of the lane was still buffered.
 */
interface Chunk {
  readonly seq: number;
  readonly lane: string;
  readonly endPosition: string;
  readonly bytes: number;
  holds: number;
}

export type CommitListener = (lane: string, position: string, settledBytes: number) => void;

export class CheckpointTracker {
  private nextSeq = 0;
  private readonly lanes = new Map<string, Chunk[]>();
  private readonly bySeq = new Map<number, Chunk>();

  constructor(private readonly onCommit: CommitListener) {}

  /** A chunk read from `lane` up to `endPosition`; held once until `release` (its processing). */
  open(lane: string, endPosition: string, bytes: number): number {
    const chunk: Chunk = { seq: this.nextSeq++, lane, endPosition, bytes, holds: 1 };
    let queue = this.lanes.get(lane);
    if (queue === undefined) {
      queue = [];
      this.lanes.set(lane, queue);
    }
    queue.push(chunk);
    this.bySeq.set(chunk.seq, chunk);
    return chunk.seq;
  }

  hold(seq: number): void {
    this.bySeq.get(seq)!.holds++;
  }

  release(seq: number): void {
    const chunk = this.bySeq.get(seq);
    if (chunk === undefined) return;
    chunk.holds--;
    if (chunk.holds === 0) this.advance(chunk.lane);
  }

  /** Chunks not yet settled (for health and tests). */
  get pendingChunks(): number {
    return this.bySeq.size;
  }

  private advance(lane: string): void {
    const queue = this.lanes.get(lane)!;
    let last: Chunk | undefined;
    let bytes = 0;
    while (queue.length > 0 && queue[0]!.holds === 0) {
      last = queue.shift()!;
      bytes += last.bytes;
      this.bySeq.delete(last.seq);
    }
    if (last !== undefined) this.onCommit(lane, last.endPosition, bytes);
  }
}
