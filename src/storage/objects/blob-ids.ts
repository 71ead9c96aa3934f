/** Blob ids: engine-chosen, random, and safe as file names (never derived from a key). */
import type { Random } from "../../util/random.js";

export const blobIdPattern = /^[0-9a-f]{32}$/;

/** 128 random bits as lowercase hex, drawn again while `taken` (a seeded random replays its ids after a restart). */
export function newBlobId(random: Random, taken: (blobId: string) => boolean): string {
  for (;;) {
    const blobId = random.bytes(16).toString("hex");
    if (!taken(blobId)) return blobId;
  }
}
