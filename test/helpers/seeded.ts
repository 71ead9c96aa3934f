/**
 * mulberry32: a small seedable generator for tests whose random choices (kill moments, sizes,
 * fuzz mutations) must replay from a printed seed. Not the server's randomness (src/util/random.ts).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integers in [0, bound) from a seeded generator. */
export function seeded(seed: number): (bound: number) => number {
  const next = seededRandom(seed);
  return (bound) => Math.floor(next() * bound);
}
