import type { Readable } from "node:stream";

export type BodyOutcome = { ok: true; body: Buffer } | { ok: false; reason: "too-large" | "aborted" };

/** Reads a request body, refusing (without buffering) anything past `bytesMax`. */
export function readBody(stream: Readable, bytesMax: number, declaredLength: number | undefined): Promise<BodyOutcome> {
  if (declaredLength !== undefined && declaredLength > bytesMax) {
    stream.resume();
    return Promise.resolve({ ok: false, reason: "too-large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    stream.on("data", (chunk: Buffer) => {
      if (settled) return;
      length += chunk.length;
      if (length > bytesMax) {
        chunks.length = 0;
        settle({ ok: false, reason: "too-large" });
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => settle({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) }));
    stream.on("error", () => settle({ ok: false, reason: "aborted" }));
    stream.on("aborted", () => settle({ ok: false, reason: "aborted" }));
  });
}
