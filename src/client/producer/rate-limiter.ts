/**
 * The producer's own view of a shard's write limit (1,000 records and 1 MiB a second): two token
 * buckets holding one second each, as Tributary's server and AWS meter them. Staying under them
 * avoids most ProvisionedThroughputExceededException round trips; other producers writing to the
 * same shard still cause some, and those are retried.
 */
export class ShardBudget {
  private records: number;
  private bytes: number;
  private updatedMs: number;

  constructor(
    private readonly recordsPerSecond: number,
    private readonly bytesPerSecond: number,
    nowMs: number,
  ) {
    this.records = recordsPerSecond;
    this.bytes = bytesPerSecond;
    this.updatedMs = nowMs;
  }

  /**
   * Whether `records` and `bytes` can be taken now. A full bucket always admits, so a record
   * larger than one second's bytes (when a caller sets a low rate) still goes, then waits it off.
   */
  canTake(records: number, bytes: number, nowMs: number): boolean {
    this.refill(nowMs);
    return (this.records >= records || this.records >= this.recordsPerSecond) && (this.bytes >= bytes || this.bytes >= this.bytesPerSecond);
  }

  take(records: number, bytes: number, nowMs: number): void {
    this.refill(nowMs);
    this.records -= records;
    this.bytes -= bytes;
  }

  /** Milliseconds until canTake(records, bytes) holds, at least 1. */
  msUntil(records: number, bytes: number, nowMs: number): number {
    this.refill(nowMs);
    const recordsNeeded = Math.min(records, this.recordsPerSecond) - this.records;
    const bytesNeeded = Math.min(bytes, this.bytesPerSecond) - this.bytes;
    const waitMs = Math.max((recordsNeeded / this.recordsPerSecond) * 1000, (bytesNeeded / this.bytesPerSecond) * 1000);
    return Math.max(1, Math.ceil(waitMs));
  }

  private refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.updatedMs);
    this.updatedMs = Math.max(this.updatedMs, nowMs);
    this.records = Math.min(this.recordsPerSecond, this.records + (elapsedMs / 1000) * this.recordsPerSecond);
    this.bytes = Math.min(this.bytesPerSecond, this.bytes + (elapsedMs / 1000) * this.bytesPerSecond);
  }
}
