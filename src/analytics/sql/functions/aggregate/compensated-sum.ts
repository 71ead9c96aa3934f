/**
 * A running sum that values can leave as well as join (sliding windows subtract what they added), kept
 * accurate by Neumaier's compensation: adding 1e20 and taking it away again leaves the small values'
 * sum intact, where a plain double would have lost it. Infinities and NaN are counted apart so that a
 * removed infinity leaves a finite sum behind.
 */
export interface CompensatedSumState {
  s: number;
  c: number;
  /** +Infinity, -Infinity and NaN values currently in the sum. */
  pinf: number;
  ninf: number;
  nan: number;
}

export class CompensatedSum {
  private sum = 0;
  private compensation = 0;
  private positiveInfinities = 0;
  private negativeInfinities = 0;
  private nans = 0;

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.countSpecial(value, 1);
      return;
    }
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  subtract(value: number): void {
    if (!Number.isFinite(value)) {
      this.countSpecial(value, -1);
      return;
    }
    this.add(-value);
  }

  value(): number {
    if (this.nans > 0 || (this.positiveInfinities > 0 && this.negativeInfinities > 0)) return Number.NaN;
    if (this.positiveInfinities > 0) return Number.POSITIVE_INFINITY;
    if (this.negativeInfinities > 0) return Number.NEGATIVE_INFINITY;
    return this.sum + this.compensation;
  }

  /** Scales every value in the sum (EXP_AVG moving its reference time). */
  scale(factor: number): void {
    this.sum *= factor;
    this.compensation *= factor;
  }

  reset(): void {
    this.sum = 0;
    this.compensation = 0;
    this.positiveInfinities = 0;
    this.negativeInfinities = 0;
    this.nans = 0;
  }

  snapshot(): CompensatedSumState {
    return { s: this.sum, c: this.compensation, pinf: this.positiveInfinities, ninf: this.negativeInfinities, nan: this.nans };
  }

  restore(state: CompensatedSumState): void {
    this.sum = state.s;
    this.compensation = state.c;
    this.positiveInfinities = state.pinf;
    this.negativeInfinities = state.ninf;
    this.nans = state.nan;
  }

  private countSpecial(value: number, delta: number): void {
    if (Number.isNaN(value)) this.nans += delta;
    else if (value > 0) this.positiveInfinities += delta;
    else this.negativeInfinities += delta;
  }
}
