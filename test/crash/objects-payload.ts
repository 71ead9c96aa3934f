/** An object's bytes as a pure function of its write id and size, so a reader can tell intact bytes (test/crash/objects-kill9). */
import { createHash } from "node:crypto";

export function objectPayload(id: string, sizeBytes: number): Buffer {
  const out = Buffer.allocUnsafe(sizeBytes);
  const seed = createHash("sha256").update(id).digest();
  for (let at = 0; at < sizeBytes; at += 32) {
    // Each 32-byte block differs from the next: a block written at the wrong place shows.
    seed.writeUInt32LE(at, 0);
    seed.copy(out, at, 0, Math.min(32, sizeBytes - at));
  }
  return out;
}

/** The writer's inline budget (low, so that compactions spill inline blobs to files during the run). */
export const objectsInlineBudgetBytes = 256 * 1024;
