/**
 * What the client library's parts (producer, lease table, fetchers) share about retrying:
 * full-jitter backoff, and which failed SDK calls are worth another try. They wait on the
 * injected clock's timers (src/util/clock.ts), so tests drive them without waiting.
 */
import type { Random } from "../util/random.js";

/** A float in [0, 1) from the injected random (32 bits are plenty for jitter). */
export function randomFraction(random: Random): number {
  return random.bytes(4).readUInt32BE(0) / 2 ** 32;
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
 * delay drawn uniformly from [0, min(maxMs, baseMs × 2^(attempt − 1))). Spreading retries over the
 * whole window is what stops throttled clients from retrying in lockstep.
 *
 * @example jitteredBackoffMs(3, systemRandom, 100, 5000) // somewhere in [0, 400)
 */
export function jitteredBackoffMs(attempt: number, random: Random, baseMs: number, maxMs: number): number {
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(randomFraction(random) * ceilingMs);
}

/** The name of an SDK error (its exception type), or undefined for anything else. */
export function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && typeof (error as { name?: unknown }).name === "string" ? (error as { name: string }).name : undefined;
}

/**
 * Kinesis's and DynamoDB's throttling and server-side failures, as exception names and as
 * PutRecords entry ErrorCodes: sent again, they may succeed.
 */
const retriableNames = new Set([
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "ThrottlingException",
  "KMSThrottlingException",
  "RequestLimitExceeded",
  "InternalFailure",
  "InternalFailureException",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
]);

export function isRetriableName(name: string): boolean {
  return retriableNames.has(name);
}

/** Whether a failed call (an SDK exception or a network error) may succeed if sent again. */
export function isRetriableError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata, $retryable } = error as { name?: string; code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (name !== undefined && isRetriableName(name)) return true;
  if ($retryable) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  // No answer at all: a socket or HTTP/2 stream error (ECONNRESET, …) carries a string code, and a
  // timeout is worth another try; anything else (a TypeError from a bug) is not.
  return typeof code === "string" || name === "TimeoutError";
}
