/** Timers, jitter and retry classification shared by the lease code. */
import type { Timers } from "../../producer/index.js";
import type { Random } from "../../../util/random.js";

export type { Timers };

export const systemTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function sleep(timers: Timers, delayMs: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, delayMs));
}

/** A float in [0, 1) from the injected random. */
export function randomFraction(random: Random): number {
  return random.bytes(4).readUInt32BE(0) / 2 ** 32;
}

/** An integer in [0, bound). */
export function randomIndex(random: Random, bound: number): number {
  return Math.min(bound - 1, Math.floor(randomFraction(random) * bound));
}

/** A random permutation (Fisher–Yates), so competing workers do not all reach for the same lease first. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Full-jitter exponential backoff: uniform in [0, min(maxMs, baseMs × 2^(attempt − 1))). */
export function backoffMs(attempt: number, random: Random, baseMs: number, maxMs: number): number {
  return Math.floor(randomFraction(random) * Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}

/** DynamoDB's and Kinesis's throttling and server-side error names: worth another attempt. */
const retriableNames = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "RequestTimeout",
  "TimeoutError",
]);

/** Whether a failed SDK call (an AWS error or a network error) may succeed if sent again. */
export function isRetriable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata, $retryable } = error as { name?: string; code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (name !== undefined && retriableNames.has(name)) return true;
  if ($retryable) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  // No answer at all: a socket error (ECONNRESET, ECONNREFUSED, …) carries a string code.
  return typeof code === "string";
}

export function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { name?: string }).name : undefined;
}
