/**
 * A token bucket in exact integer arithmetic. Tokens are counted in thousandths, so a bucket that
 * refills `ratePerSecond` tokens a second gains exactly `ratePerSecond` thousandths a millisecond:
 * no floating-point drift, and a test on a ManualClock sees the boundaries to the millisecond.
 *
 * @example
 *   const calls = new TokenBucket(5, 5, nowMs); // five calls a second, at most five at once
 *   if (!calls.tryTake(nowMs)) throw throttled;
 */

/** Thousandths of a token per token. */
export const milliPerToken = 1000;

export class TokenBucket {
  private tokensMilli: number;
  private refilledAtMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    nowMs: number,
  ) {
    this.tokensMilli = capacity * milliPerToken;
    this.refilledAtMs = nowMs;
  }

  /** Takes `count` tokens if the bucket holds them at `nowMs`; a refused take takes nothing. */
  tryTake(nowMs: number, count = 1): boolean {
    this.refill(nowMs);
    const costMilli = count * milliPerToken;
    if (this.tokensMilli < costMilli) return false;
    this.tokensMilli -= costMilli;
    return true;
  }

  /**
   * Takes `count` tokens another node admitted (cluster-rates.ts), whether the bucket holds them
   * or not: it may go below zero, and then refuses until the rate has paid the debt back.
   */
  debit(nowMs: number, count: number): void {
    this.refill(nowMs);
    this.tokensMilli -= count * milliPerToken;
  }

  /** Whether the bucket is full at `nowMs`: dropping it then loses nothing (it would be made full again). */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokensMilli === this.capacity * milliPerToken;
  }

  private refill(nowMs: number): void {
    // A clock set back (tests) refills nothing rather than draining the bucket.
    const elapsedMs = nowMs - this.refilledAtMs;
    if (elapsedMs <= 0) return;
    this.tokensMilli = Math.min(this.capacity * milliPerToken, this.tokensMilli + elapsedMs * this.ratePerSecond);
    this.refilledAtMs = nowMs;
  }
}
