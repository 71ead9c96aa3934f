import type { Readable } from "node:stream";
import { systemClock, type Clock, type Timer } from "../util/clock.js";

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
 * slow but moving upload is never cut. The deadline is wall time against the client: it runs on
 * `clock`, the transport's (the system clock unless a test drives it).
 */
export function readBody(
  stream: Readable,
  bytesMax: number,
  declaredLength: number | undefined,
  discardBytesMax: number,
  idleMs: number = Number.POSITIVE_INFINITY,
  clock: Clock = systemClock,
): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let idle: Timer | undefined;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      clock.clearTimer(idle);
      resolve(outcome);
    };
    const restartIdle = () => {
      if (!Number.isFinite(idleMs)) return;
      if (idle) idle.refresh();
      else idle = clock.setTimeout(() => settle({ ok: false, reason: "stalled" }), idleMs, { unref: true });
    };
    if (declaredLength !== undefined && declaredLength > discardBytesMax) {
      stream.resume();
      settle({ ok: false, reason: "too-large" });
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLarge = declaredLength !== undefined && declaredLength > bytesMax;
    // A body of declared length is copied into one buffer as it arrives (allocated at its first
    // byte, so a silent client holds nothing): joining many large bodies that end in the same
    // turn would otherwise copy them all at once and hold up the event loop (measured: eight 13 MiB
    // uploads 23–40 ms joined at the end, 5–18 ms copied as they come).
    let whole: Buffer | undefined;
    restartIdle();
    stream.on("data", (chunk: Buffer) => {
      restartIdle();
      const from = length;
      length += chunk.length;
      if (length > discardBytesMax) {
        settle({ ok: false, reason: "too-large" });
        stream.destroy();
        return;
      }
      if (length > bytesMax) {
        tooLarge = true;
        chunks.length = 0;
        whole = undefined;
      }
      if (tooLarge) return;
      if (from === 0 && declaredLength !== undefined && length <= declaredLength && declaredLength > chunk.length) whole = Buffer.allocUnsafe(declaredLength);
      if (whole !== undefined && length <= whole.length) {
        chunk.copy(whole, from);
        return;
      }
      if (whole !== undefined) {
        // More than declared (a client's Content-Length that lies): keep what came as chunks.
        chunks.push(whole.subarray(0, from));
        whole = undefined;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => {
      if (tooLarge) settle({ ok: false, reason: "too-large" });
      else if (whole !== undefined) settle({ ok: true, body: whole.subarray(0, length) });
      else settle({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    });
    stream.on("error", () => settle({ ok: false, reason: "aborted" }));
    stream.on("aborted", () => settle({ ok: false, reason: "aborted" }));
    // Closed before its end without an error (an HTTP/2 stream reset, a destroyed socket).
    stream.on("close", () => settle({ ok: false, reason: "aborted" }));
  });
}
