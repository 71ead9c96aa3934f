/**
 * Time, injected so tests can move it without waiting: the clock both reads the time and schedules
 * on it. Everything in src that waits (deadlines, sweepers, backoff, alarms) goes through a Clock;
 * `systemClock` is Node's timers, and a `ManualClock` fires its timers only when a test moves it.
 *
 * @example
 *   const timer = clock.setTimeout(() => expire(lease), leaseMs, { unref: true });
 *   clock.clearTimer(timer);
 *   await clock.sleep(backoffMs, { signal });
 */

/** A pending timeout or interval. */
export interface Timer {
  /** Starts the countdown again from now, with the same delay (Node's `timeout.refresh()`). */
  refresh(): void;
}

export interface TimerOptions {
  /**
   * Lets the process exit while the timer is pending (Node's `unref()`): for a server's own
   * timers, which must never be what keeps a stopping process alive. Timers are ref'd by default,
   * as Node's are. Meaningless on a ManualClock.
   */
  unref?: boolean;
}

export interface SleepOptions extends TimerOptions {
  /** Ends the sleep early: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Calls `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
  /** Calls `callback` every `intervalMs` from now until cleared. */
  setInterval(callback: () => void, intervalMs: number, options?: TimerOptions): Timer;
  /** Cancels a timeout or an interval; harmless for one that fired, was cleared, or is undefined. */
  clearTimer(timer: Timer | undefined): void;
  /** Resolves `delayMs` from now. */
  sleep(delayMs: number, options?: SleepOptions): Promise<void>;
}

/** A sleep on any clock's timers, cut short by an abort signal. */
function sleepOn(clock: Clock, delayMs: number, options: SleepOptions = {}): Promise<void> {
  const { signal, unref } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimer(timer);
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      delayMs,
      unref === undefined ? {} : { unref },
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function unrefIf(timer: NodeJS.Timeout, options: TimerOptions | undefined): NodeJS.Timeout {
  if (options?.unref) timer.unref();
  return timer;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimeout: (callback, delayMs, options) => unrefIf(setTimeout(callback, delayMs), options),
  setInterval: (callback, intervalMs, options) => unrefIf(setInterval(callback, intervalMs), options),
  // clearTimeout clears Node's intervals too.
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout | undefined),
  sleep: (delayMs, options) => sleepOn(systemClock, delayMs, options),
};

interface ManualTimer extends Timer {
  dueMs: number;
  /** Order among timers due at the same time: the one scheduled (or refreshed) first fires first. */
  sequence: number;
  readonly delayMs: number;
  readonly intervalMs: number | undefined;
  readonly callback: () => void;
}

/**
 * A clock that tests move by hand. Moving it forward fires every timer that falls due on the way,
 * in time order (intervals once per period), each seeing `nowMs()` at its own due time; timers
 * that a callback schedules fire in the same move if they fall due within it.
 */
export class ManualClock implements Clock {
  private readonly timers = new Set<ManualTimer>();
  private nextSequence = 0;

  constructor(private currentMs: number) {}

  nowMs(): number {
    return this.currentMs;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.schedule(callback, delayMs, undefined);
  }

  setInterval(callback: () => void, intervalMs: number): Timer {
    return this.schedule(callback, intervalMs, intervalMs);
  }

  clearTimer(timer: Timer | undefined): void {
    if (timer !== undefined) this.timers.delete(timer as ManualTimer);
  }

  sleep(delayMs: number, options?: SleepOptions): Promise<void> {
    return sleepOn(this, delayMs, options);
  }

  /** Timers that will still fire: timeouts neither fired nor cleared, intervals not cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves the clock forward, firing on the way every timer that falls due, synchronously. */
  advance(deltaMs: number): void {
    const targetMs = this.currentMs + deltaMs;
    for (let timer = this.nextDue(targetMs); timer !== undefined; timer = this.nextDue(targetMs)) this.fire(timer);
    this.currentMs = Math.max(this.currentMs, targetMs);
  }

  /**
   * As `advance`, but lets the event loop run (promise continuations, I/O callbacks) before each
   * timer fires and after the last, for code that awaits between one timer and the next.
   */
  async advanceAsync(deltaMs: number): Promise<void> {
    const targetMs = this.currentMs + deltaMs;
    for (;;) {
      await turn();
      const timer = this.nextDue(targetMs);
      if (timer === undefined) break;
      this.fire(timer);
    }
    this.currentMs = Math.max(this.currentMs, targetMs);
    await turn();
  }

  /** Fires the timers already due (those scheduled with no delay), without moving the clock. */
  runDue(): void {
    this.advance(0);
  }

  /** Sets the time: forward fires the timers due on the way, as `advance` does; back fires none. */
  set(ms: number): void {
    if (ms > this.currentMs) this.advance(ms - this.currentMs);
    else this.currentMs = ms;
  }

  private schedule(callback: () => void, delayMs: number, intervalMs: number | undefined): Timer {
    // Node runs a delay below 1 ms (or not a number) as 1 ms; so does this clock, so an interval always moves on.
    const delay = Number.isFinite(delayMs) && delayMs >= 1 ? delayMs : 1;
    const timer: ManualTimer = {
      dueMs: this.currentMs + delay,
      sequence: this.nextSequence++,
      delayMs: delay,
      intervalMs: intervalMs === undefined ? undefined : delay,
      callback,
      refresh: () => {
        timer.dueMs = this.currentMs + timer.delayMs;
        timer.sequence = this.nextSequence++;
        this.timers.add(timer);
      },
    };
    this.timers.add(timer);
    return timer;
  }

  /** The earliest timer due by `targetMs` (ties: the first scheduled). */
  private nextDue(targetMs: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.dueMs > targetMs) continue;
      if (next === undefined || timer.dueMs < next.dueMs || (timer.dueMs === next.dueMs && timer.sequence < next.sequence)) next = timer;
    }
    return next;
  }

  private fire(timer: ManualTimer): void {
    this.currentMs = Math.max(this.currentMs, timer.dueMs);
    if (timer.intervalMs === undefined) this.timers.delete(timer);
    else {
      timer.dueMs += timer.intervalMs;
      timer.sequence = this.nextSequence++;
    }
    timer.callback();
  }
}

/** One turn of the event loop: pending promise continuations and I/O callbacks run first. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
