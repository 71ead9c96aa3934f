/**
 * Bounds the memory GetRecords takes at once. A call may return up to 10 MiB of data, and while it
 * runs that data is held twice (the records read, then their JSON or CBOR, a third larger again),
 * so a few concurrent readers of large records would each hold ~25 MB. Concurrent calls share one
 * budget instead: each asks for an equal share of it, never less than a floor. AWS allows any
 * call to return fewer bytes than the most it may — readers follow NextShardIterator — so this
 * changes nothing a client can rely on, while the server's memory stays bounded whatever the
 * number of readers and the size of their records.
 */
export class ReadBudget {
  private active = 0;

  constructor(
    /** Data bytes all concurrent GetRecords calls may hold together. */
    private readonly totalBytes: number,
    /** What any one call may read at least (a single record larger than this is still returned whole). */
    private readonly floorBytes: number,
  ) {}

  /** Enters a call; returns the data bytes it may read. Pair with leave(). */
  enter(callBytesMax: number): number {
    this.active++;
    return Math.min(callBytesMax, Math.max(this.floorBytes, Math.floor(this.totalBytes / this.active)));
  }

  leave(): void {
    this.active--;
  }
}

/** 20 MiB shared: two full-size calls at once, or four of 5 MiB. */
export const readBudgetBytesDefault = 20 * 1024 * 1024;
export const readBudgetFloorBytes = 1024 * 1024;
