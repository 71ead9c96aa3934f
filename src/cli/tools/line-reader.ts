/**
 * Lines of a byte stream, as bytes (a record's data is bytes: no decoding, no replacement
 * characters): split at "\n", a "\r" before it dropped (files written on Windows), the last line
 * kept when it has no newline. Every line is numbered from 1, empty ones included, so messages
 * and an import's resume point name lines as an editor does.
 */
import type { Readable } from "node:stream";

export interface Line {
  /** 1-based. */
  number: number;
  bytes: Buffer;
  /** The bytes the line took in the input, its newline included (progress by bytes). */
  inputBytes: number;
}

/** Thrown for a line longer than the reader's bound (no record can be that large). */
export class LineTooLongError extends Error {
  override readonly name = "LineTooLongError";
}

export async function* readLines(input: Readable, lineBytesMax: number): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const take = (tail: Buffer, newline: boolean): Line => {
    const whole = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    const inputBytes = whole.length + (newline ? 1 : 0);
    const bytes = newline && whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.subarray(0, whole.length - 1) : whole;
    return { number: ++number, bytes, inputBytes };
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    for (let newline = buffer.indexOf(0x0a); newline >= 0; newline = buffer.indexOf(0x0a)) {
      if (pendingBytes + newline > lineBytesMax) throw new LineTooLongError(`line ${number + 1} is longer than ${lineBytesMax} bytes`);
      yield take(buffer.subarray(0, newline), true);
      buffer = buffer.subarray(newline + 1);
    }
    if (buffer.length === 0) continue;
    pendingBytes += buffer.length;
    if (pendingBytes > lineBytesMax) throw new LineTooLongError(`line ${number + 1} is longer than ${lineBytesMax} bytes`);
    pending.push(buffer);
  }
  if (pendingBytes > 0) yield take(Buffer.alloc(0), false);
}
