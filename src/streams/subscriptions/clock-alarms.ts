/**
 * Alarms on the injected clock, for the two times a subscription keeps: its 5-minute end and its
 * 5-second heartbeat. Each alarm arms one timer on the clock for the time left and, when it
 * fires, fires only if the clock has really reached the alarm (else it arms again for what is
 * left), so an alarm never goes off early whatever the clock is.
 *
 * Moving a ManualClock fires the alarms it reaches; `tick()` also fires at once every alarm the
 * clock has reached (the same pattern as OnDemandScaler's `tick()`), for a clock set by other means.
 *
 * @example
 *   const alarm = alarms.at(clock.nowMs() + 5000, () => waker.wake());
 *   ...
 *   alarm.cancel();
 */
import type { Clock, Timer } from "../../util/clock.js";

export interface Alarm {
  /** Stops the alarm; harmless after it fired. */
  cancel(): void;
}

/** setTimeout's largest delay (about 24.8 days); longer alarms arm again when it fires. */
const timerDelayMsMax = 2 ** 31 - 1;

interface ArmedAlarm extends Alarm {
  dueMs: number;
  fire: () => void;
  timer: Timer | undefined;
}

export class ClockAlarms {
  private readonly armed = new Set<ArmedAlarm>();

  constructor(private readonly clock: Clock) {}

  /** Calls `fire` once, when the clock reaches `dueMs`. */
  at(dueMs: number, fire: () => void): Alarm {
    const alarm: ArmedAlarm = {
      dueMs,
      fire,
      timer: undefined,
      cancel: () => this.disarm(alarm),
    };
    this.armed.add(alarm);
    this.arm(alarm);
    return alarm;
  }

  /** Fires every alarm the clock has reached (tests call it after moving a manual clock). */
  tick(): void {
    const nowMs = this.clock.nowMs();
    for (const alarm of [...this.armed]) if (nowMs >= alarm.dueMs) this.ring(alarm);
  }

  /** Alarms not yet fired or cancelled. */
  size(): number {
    return this.armed.size;
  }

  /** Cancels every alarm (server stop). */
  cancelAll(): void {
    for (const alarm of [...this.armed]) this.disarm(alarm);
  }

  private arm(alarm: ArmedAlarm): void {
    const delayMs = Math.min(Math.max(0, alarm.dueMs - this.clock.nowMs()), timerDelayMsMax);
    // Alarms never keep the process alive (unref): the server's listener does that.
    alarm.timer = this.clock.setTimeout(
      () => {
        alarm.timer = undefined;
        if (!this.armed.has(alarm)) return;
        if (this.clock.nowMs() >= alarm.dueMs) this.ring(alarm);
        else this.arm(alarm);
      },
      delayMs,
      { unref: true },
    );
  }

  private ring(alarm: ArmedAlarm): void {
    this.disarm(alarm);
    alarm.fire();
  }

  private disarm(alarm: ArmedAlarm): void {
    this.clock.clearTimer(alarm.timer);
    alarm.timer = undefined;
    this.armed.delete(alarm);
  }
}
