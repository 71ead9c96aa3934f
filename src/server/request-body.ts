import type { Readable } from "node:stream";

export type BodyOutcome = { ok: true; body: Buffer } | { ok: false; reason: "too-large" | "aborted" | "stalled" };

/**
 * Reads a request body, keeping at most `bytesMax` bytes. A body over that is refused, but only
 * once the client has finished sending it (read and dropped), so the client reads the 413
 * instead of meeting a reset connection — a client that asked for `Connection: close` has its
 * socket closed right after the answer. A body declared or grown past `discardBytesMax` is not
 * waited for: refused at once (the caller then closes the connection) or, when it grows past the
 * bound, its stream destroyed.
 *
 * A body with no bytes arriving for `idleMs` is a stalled upload: "stalled", and the caller
 * answers 408 (src/server/connection-limits.ts). The deadline restarts with every chunk, so a
 * slow but moving upload is never cut.
 */
export function readBody(
  stream: Readable,
  bytesMax: number,
  declaredLength: number | undefined,
  discardBytesMax: number,
  idleMs: number = Number.POSITIVE_INFINITY,
): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      if (idle) clearTimeout(idle);
      resolve(outcome);
    };
    const restartIdle = () => {
      if (!Number.isFinite(idleMs)) return;
      if (idle) idle.refresh();
      else {
        idle = setTimeout(() => settle({ ok: false, reason: "stalled" }), idleMs);
        idle.unref();
      }
    };
    if (declaredLength !== undefined && declaredLength > discardBytesMax) {
      stream.resume();
      settle({ ok: false, reason: "too-large" });
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLarge = declaredLength !== undefined && declaredLength > bytesMax;
    restartIdle();
    stream.on("data", (chunk: Buffer) => {
      restartIdle();
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
    // Closed before its end without an error (an HTTP/2 stream reset, a destroyed socket).
    stream.on("close", () => settle({ ok: false, reason: "aborted" }));
  });
}
