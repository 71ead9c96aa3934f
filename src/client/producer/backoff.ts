import type { Random } from "../../util/random.js";

/** A float in [0, 1) from the injected random (32 bits are plenty for jitter). */
export function randomFraction(random: Random): number {
  return random.bytes(4).readUInt32BE(0) / 2 ** 32;
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
 * delay drawn uniformly from [0, min(maxMs, baseMs × 2^(attempt − 1))). Spreading retries over the
 * whole window is what stops throttled producers from retrying in lockstep.
 *
 * @example jitteredBackoffMs(3, systemRandom, 100, 5000) // somewhere in [0, 400)
 */
export function jitteredBackoffMs(attempt: number, random: Random, baseMs: number, maxMs: number): number {
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(randomFraction(random) * ceilingMs);
}
