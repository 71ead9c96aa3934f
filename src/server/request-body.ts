import type { Readable } from "node:stream";

export type BodyOutcome = { ok: true; body: Buffer } | { ok: false; reason: "too-large" | "aborted" };

/**
 * Reads a request body, keeping at most `bytesMax` bytes. A body over that is refused, but only
 * once the client has finished sending it (read and dropped), so the client reads the 413
 * instead of meeting a reset connection — a client that asked for `Connection: close` has its
 * socket closed right after the answer. A body declared or grown past `discardBytesMax` is not
 * waited for: refused at once (the caller then closes the connection) or, when it grows past the
 * bound, its stream destroyed.
 */
export function readBody(stream: Readable, bytesMax: number, declaredLength: number | undefined, discardBytesMax: number): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    if (declaredLength !== undefined && declaredLength > discardBytesMax) {
      stream.resume();
      settle({ ok: false, reason: "too-large" });
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLarge = declaredLength !== undefined && declaredLength > bytesMax;
    stream.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > discardBytesMax) {
        settle({ ok: false, reason: "too-large" });
        stream.destroy();
        return;
      }
      if (length > bytesMax) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    stream.on("end", () => {
      if (tooLarge) settle({ ok: false, reason: "too-large" });
      else settle({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    });
    stream.on("error", () => settle({ ok: false, reason: "aborted" }));
    stream.on("aborted", () => settle({ ok: false, reason: "aborted" }));
  });
}
