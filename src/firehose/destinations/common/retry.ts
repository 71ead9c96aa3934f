/**
 * Firehose's retry rule for the non-S3 destinations: after the first attempt fails, try again until
 * RetryOptions.DurationInSeconds has passed since the first attempt began (0: no retries), each
 * attempt sending only what is still undelivered (OpenSearch's failed documents; the whole batch
 * elsewhere). Waits between attempts are on the injected clock, doubling from `backoffMsMin` to
 * `backoffMsMax` and never past the deadline, so a ManualClock drives the whole schedule.
 */
import type { Clock } from "../../../util/clock.js";

export const backoffMsMin = 1_000;
export const backoffMsMax = 30_000;

/** One attempt's result: which of the pending items it delivered, and why the others failed. */
export interface AttemptResult<Item> {
  readonly failed: readonly { readonly item: Item; readonly errorCode: string; readonly errorMessage: string }[];
}

export interface RetryOutcome<Item> {
  /** Items still undelivered when the retry duration ran out, with the last error of each. */
  readonly failed: AttemptResult<Item>["failed"];
  readonly attemptsMade: number;
  /** When the last attempt ended (the error records' attemptEndingTimestamp). */
  readonly attemptEndingMs: number;
}

export async function retryUntilDuration<Item>(input: {
  clock: Clock;
  durationSeconds: number;
  items: readonly Item[];
  attempt: (pending: readonly Item[], attemptNumber: number) => Promise<AttemptResult<Item>>;
  /** Splunk: the retry duration starts after the first attempt fails, not when it starts. */
  durationFrom?: "first-attempt-start" | "first-failure";
  /** Ends the waits early (the destination is closing): what is pending stays failed. */
  signal?: AbortSignal;
}): Promise<RetryOutcome<Item>> {
  const { clock } = input;
  let deadlineMs = clock.nowMs() + input.durationSeconds * 1000;
  let pending = input.items;
  let attemptsMade = 0;
  let backoffMs = backoffMsMin;
  for (;;) {
    attemptsMade += 1;
    const result = await input.attempt(pending, attemptsMade);
    const endedMs = clock.nowMs();
    if (result.failed.length === 0) return { failed: [], attemptsMade, attemptEndingMs: endedMs };
    if (attemptsMade === 1 && input.durationFrom === "first-failure") deadlineMs = endedMs + input.durationSeconds * 1000;
    const waitMs = Math.min(backoffMs, deadlineMs - endedMs);
    if (waitMs <= 0 || input.signal?.aborted === true) return { failed: result.failed, attemptsMade, attemptEndingMs: endedMs };
    try {
      await clock.sleep(waitMs, input.signal === undefined ? {} : { signal: input.signal });
    } catch {
      return { failed: result.failed, attemptsMade, attemptEndingMs: clock.nowMs() };
    }
    backoffMs = Math.min(backoffMs * 2, backoffMsMax);
    pending = result.failed.map((failure) => failure.item);
  }
}
