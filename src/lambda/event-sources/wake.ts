/** A wait that something else ends early: new records, a finished batch, a stop. */
import type { Clock, Timer } from "../../util/clock.js";

export class Wake {
  private waiters: (() => void)[] = [];

  constructor(private readonly clock: Clock) {}

  /** Ends every wait now. */
  notify(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves on the next notify, after `timeoutMs` (when given), or when `signal` aborts. */
  wait(timeoutMs: number | undefined, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const done = () => {
        this.clock.clearTimer(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      if (timeoutMs !== undefined) timer = this.clock.setTimeout(done, Math.max(0, timeoutMs), { unref: true });
      signal.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
    });
  }
}
