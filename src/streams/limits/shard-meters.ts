/**
 * One shard's throughput meters, in the token-bucket arithmetic of token-bucket.ts (thousandths,
 * integers), with the buckets' fields inlined so the write path costs a few additions per record
 * and allocates nothing. docs/limits.md explains the bucket sizes.
 *
 * Writes (PutRecord, PutRecords): 1,000 records and 1 MiB (data plus partition key) a second. The
 * record bucket holds one second; the byte bucket holds one second or, on a stream whose
 * MaxRecordSizeInKiB is larger, one maximal record: AWS lets such a stream burst up to its record
 * size while averaging 1 MiB a second, or a 10 MiB record could never be written.
 *
 * Reads (GetRecords): five calls a second (a bucket of five), and 2 MiB a second, charged after the
 * call from what it returned. A call is never cut short: one that reads more than the bucket holds
 * succeeds and blocks the shard's reads for as long as the rate needs to pay for everything it
 * read — AWS: "If a call returns 10 MiB, subsequent calls made within the next 5 seconds throw".
 */
import { milliPerToken } from "./token-bucket.js";

export const shardWriteRecordsPerSecond = 1000;
export const shardWriteBytesPerSecond = 1024 * 1024;
export const shardReadCallsPerSecond = 5;
export const shardReadBytesPerSecond = 2 * 1024 * 1024;

const recordCapacityMilli = shardWriteRecordsPerSecond * milliPerToken;

export class ShardWriteMeter {
  private recordTokensMilli = recordCapacityMilli;
  private byteTokensMilli: number;
  private refilledAtMs: number;
  /**
   * Records and bytes admitted since the meter was made — by this node, and by the others as their
   * reports arrive (cluster-rates.ts): what the on-demand scaler samples.
   */
  recordsWritten = 0;
  bytesWritten = 0;
  /** Of those, the other nodes' (`debit`): the rest is this node's own. */
  recordsReceived = 0;
  bytesReceived = 0;
  /** This node's own admissions already reported to the other nodes (cluster-rates.ts diffs against them). */
  recordsPublished = 0;
  bytesPublished = 0;

  constructor(nowMs: number, bytesCapacity: number) {
    this.byteTokensMilli = bytesCapacity * milliPerToken;
    this.refilledAtMs = nowMs;
  }

  /** Admits one record of `bytes` (data plus partition key) at `nowMs`, or refuses it and takes nothing. */
  admit(nowMs: number, bytes: number, bytesCapacity: number): boolean {
    this.refill(nowMs, bytesCapacity);
    const costMilli = bytes * milliPerToken;
    if (this.recordTokensMilli < milliPerToken || this.byteTokensMilli < costMilli) return false;
    this.recordTokensMilli -= milliPerToken;
    this.byteTokensMilli -= costMilli;
    this.recordsWritten++;
    this.bytesWritten += bytes;
    return true;
  }

  /**
   * Takes what another node admitted on this shard (cluster-rates.ts): refilled to `nowMs` first,
   * then debited whatever the buckets hold — they may go below zero, and refuse this node's writes
   * until the rate has paid the debt back, so the nodes together admit the shard's rate.
   */
  debit(nowMs: number, records: number, bytes: number, bytesCapacity: number): void {
    this.refill(nowMs, bytesCapacity);
    this.recordTokensMilli -= records * milliPerToken;
    this.byteTokensMilli -= bytes * milliPerToken;
    this.recordsWritten += records;
    this.bytesWritten += bytes;
    this.recordsReceived += records;
    this.bytesReceived += bytes;
  }

  private refill(nowMs: number, bytesCapacity: number): void {
    const elapsedMs = nowMs - this.refilledAtMs;
    if (elapsedMs <= 0) return;
    this.recordTokensMilli = Math.min(recordCapacityMilli, this.recordTokensMilli + elapsedMs * shardWriteRecordsPerSecond);
    this.byteTokensMilli = Math.min(bytesCapacity * milliPerToken, this.byteTokensMilli + elapsedMs * shardWriteBytesPerSecond);
    this.refilledAtMs = nowMs;
  }
}

const callCapacityMilli = shardReadCallsPerSecond * milliPerToken;
const readBytesCapacityMilli = shardReadBytesPerSecond * milliPerToken;

export class ShardReadMeter {
  private callTokensMilli = callCapacityMilli;
  /** Goes below zero when a call reads more than the bucket held; later calls wait (blockedUntilMs). */
  private byteTokensMilli = readBytesCapacityMilli;
  private refilledAtMs: number;
  private blockedUntilMs = 0;
  /** Calls admitted and bytes charged by this node (not `debit`'s), and what of them is already reported to the other nodes. */
  callsAdmitted = 0;
  bytesCharged = 0;
  callsPublished = 0;
  bytesPublished = 0;

  constructor(nowMs: number) {
    this.refilledAtMs = nowMs;
  }

  /** Admits one GetRecords call at `nowMs`, or refuses it and takes nothing. */
  admit(nowMs: number): boolean {
    this.refill(nowMs);
    if (nowMs < this.blockedUntilMs || this.callTokensMilli < milliPerToken) return false;
    this.callTokensMilli -= milliPerToken;
    this.callsAdmitted++;
    return true;
  }

  /** Charges an admitted call's `bytes`; a call that overdraws the bucket blocks reads until the rate has paid for it. */
  charge(nowMs: number, bytes: number): void {
    this.refill(nowMs);
    this.bytesCharged += bytes;
    this.byteTokensMilli -= bytes * milliPerToken;
    if (this.byteTokensMilli < 0) {
      const payMs = Math.ceil((bytes * milliPerToken) / shardReadBytesPerSecond);
      this.blockedUntilMs = Math.max(this.blockedUntilMs, nowMs + payMs);
    }
  }

  /**
   * Takes the calls and bytes another node's GetRecords took on this shard (cluster-rates.ts),
   * whatever the buckets hold. A debt in bytes blocks this node's reads until the rate has paid it
   * back — the debt, not the whole amount: the other node's calls were each charged there already.
   */
  debit(nowMs: number, calls: number, bytes: number): void {
    this.refill(nowMs);
    this.callTokensMilli -= calls * milliPerToken;
    this.byteTokensMilli -= bytes * milliPerToken;
    if (this.byteTokensMilli < 0) {
      const payMs = Math.ceil(-this.byteTokensMilli / shardReadBytesPerSecond);
      this.blockedUntilMs = Math.max(this.blockedUntilMs, nowMs + payMs);
    }
  }

  private refill(nowMs: number): void {
    const elapsedMs = nowMs - this.refilledAtMs;
    if (elapsedMs <= 0) return;
    this.callTokensMilli = Math.min(callCapacityMilli, this.callTokensMilli + elapsedMs * shardReadCallsPerSecond);
    this.byteTokensMilli = Math.min(readBytesCapacityMilli, this.byteTokensMilli + elapsedMs * shardReadBytesPerSecond);
    this.refilledAtMs = nowMs;
  }
}
