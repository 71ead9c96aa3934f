import { randomBytes } from "node:crypto";

/** Randomness, injected so tests can replay a run from a seed. */
export interface Random {
  bytes(length: number): Buffer;
}

/**
 * Small draws (request ids, `x-amz-id-2`, blob ids: several per request) come from a pool the
 * CSPRNG refills 16 KiB at a time, each byte handed out once: one synchronous randomBytes call per
 * request cost 6 % of a small S3 PUT's server time. Larger draws go to randomBytes directly.
 */
const poolBytes = 16 * 1024;
const pooledDrawBytesMax = 256;
let pool = Buffer.alloc(0);
let poolAt = 0;

function pooledRandomBytes(length: number): Buffer {
  if (length > pooledDrawBytesMax) return randomBytes(length);
  if (poolAt + length > pool.length) {
    pool = randomBytes(poolBytes);
    poolAt = 0;
  }
  // A copy: the caller owns what it gets, and the pool's bytes are never handed out twice.
  const drawn = Buffer.from(pool.subarray(poolAt, poolAt + length));
  poolAt += length;
  return drawn;
}

export const systemRandom: Random = { bytes: pooledRandomBytes };

/** Deterministic xorshift128+ generator for tests and fuzzing; never for secrets. */
export class SeededRandom implements Random {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    // Seed both words through splitmix64 so nearby seeds give unrelated sequences.
    let state = BigInt(seed >>> 0);
    const splitmix = (): bigint => {
      const mask = (1n << 64n) - 1n;
      state = (state + 0x9e3779b97f4a7c15n) & mask;
      let z = state;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
      return z ^ (z >> 31n);
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
  }
  private next64(): bigint {
    const mask = (1n << 64n) - 1n;
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= (x << 23n) & mask;
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (this.s1 + y) & mask;
  }
  /** A float in [0, 1). */
  float(): number {
    return Number(this.next64() >> 11n) / 2 ** 53;
  }
  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.float() * bound);
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}
