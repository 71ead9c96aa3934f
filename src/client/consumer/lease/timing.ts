/** Random choices for the lease code. */
import { randomFraction } from "../../retry.js";
import type { Random } from "../../../util/random.js";

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
