/**
 * The `application/vnd.amazon.eventstream` framing: how SubscribeToShard's answer carries one
 * event after another on a single HTTP response. Wire grammar (all integers big-endian):
 *
 * ```
 * message     = prelude prelude-crc headers payload message-crc
 * prelude     = total-length u32 | headers-length u32      ; total-length counts the whole message
 * prelude-crc = CRC-32 of the 8 prelude bytes
 * headers     = *header                                    ; headers-length bytes
 * header      = name-length u8 | name (UTF-8) | value-type u8 | value
 * value       = type 0 true, 1 false (no bytes) | 2 i8 | 3 i16 | 4 i32 | 5 i64
 *             | 6 byte array: length u16 + bytes | 7 string: length u16 + UTF-8
 *             | 8 timestamp: i64 epoch milliseconds | 9 UUID: 16 bytes
 * payload     = the rest up to the message CRC
 * message-crc = CRC-32 of every byte before it, prelude and prelude CRC included
 * ```
 *
 * CRC-32 is the IEEE one (src/util/crc32.ts), not CRC32C. A message is at most 16 MiB and its
 * headers at most 128 KiB (AWS's limits for the format). Kinesis sends three headers on each
 * message: `:message-type` (`event` or `exception`), `:event-type` or `:exception-type`, and
 * `:content-type` of the payload.
 */
import { assert } from "../util/assert.js";
import { crc32 } from "../util/crc32.js";

/** AWS's largest event stream message, prelude to CRC. */
export const eventMessageBytesMax = 16 * 1024 * 1024;
/** AWS's largest header section. */
export const eventHeadersBytesMax = 128 * 1024;
/** A string or byte-array header value's length is a u16; AWS's SDKs keep it to a signed one. */
const headerValueBytesMax = 32_767;

const preludeBytes = 8;
const crcBytes = 4;
/** Prelude, prelude CRC and message CRC: a message with no headers and no payload. */
const messageBytesMin = preludeBytes + 2 * crcBytes;

/** The headers Kinesis puts on a message; the only ones this server writes. */
export interface EventMessageHeaders {
  ":message-type": "event" | "exception";
  ":event-type"?: string;
  ":exception-type"?: string;
  ":content-type"?: string;
}

/** Written in this order, which is the order a reader of a raw dump expects to scan them in. */
const headerOrder = [":message-type", ":event-type", ":exception-type", ":content-type"] as const;

const valueType = {
  true: 0,
  false: 1,
  byte: 2,
  short: 3,
  integer: 4,
  long: 5,
  bytes: 6,
  string: 7,
  timestamp: 8,
  uuid: 9,
} as const;

/**
 * One framed message: `headers` as string headers (type 7), then the payload.
 *
 * @example encodeEventMessage({ ":message-type": "event", ":event-type": "initial-response", ":content-type": "application/json" }, Buffer.from("{}"))
 */
export function encodeEventMessage(headers: EventMessageHeaders, payload: Uint8Array): Buffer {
  const names: Buffer[] = [];
  const values: Buffer[] = [];
  let headersLength = 0;
  for (const name of headerOrder) {
    const value = headers[name];
    if (value === undefined) continue;
    const nameBytes = Buffer.from(name, "utf8");
    const valueBytes = Buffer.from(value, "utf8");
    assert(valueBytes.length <= headerValueBytesMax, `event header ${name} is ${valueBytes.length} bytes`);
    names.push(nameBytes);
    values.push(valueBytes);
    headersLength += 1 + nameBytes.length + 1 + 2 + valueBytes.length;
  }
  const totalLength = preludeBytes + crcBytes + headersLength + payload.length + crcBytes;
  // The callers bound what they put in an event (a SubscribeToShardEvent's records); an event over
  // the format's limit is a bug in that bound, not something a client could cause.
  assert(totalLength <= eventMessageBytesMax, `event message of ${totalLength} bytes exceeds ${eventMessageBytesMax}`);

  const out = Buffer.allocUnsafe(totalLength);
  out.writeUInt32BE(totalLength, 0);
  out.writeUInt32BE(headersLength, 4);
  out.writeUInt32BE(crc32(out, 0, preludeBytes), preludeBytes);
  let offset = preludeBytes + crcBytes;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = values[i]!;
    out[offset++] = name.length;
    offset += name.copy(out, offset);
    out[offset++] = valueType.string;
    out.writeUInt16BE(value.length, offset);
    offset += 2;
    offset += value.copy(out, offset);
  }
  out.set(payload, offset);
  offset += payload.length;
  out.writeUInt32BE(crc32(out, 0, offset), offset);
  return out;
}

/** A decoded header value: booleans, i8/i16/i32 as numbers, i64 as bigint, byte arrays as Buffers, timestamps as Dates, UUIDs as their text. */
export type EventHeaderValue = boolean | number | bigint | string | Buffer | Date;

export interface DecodedMessage {
  /** Without a prototype, so no header name can reach one. */
  headers: Record<string, EventHeaderValue>;
  payload: Buffer;
}

/** The bytes are not an event stream: a CRC mismatch, an impossible length or an unknown header type. */
export class EventStreamDecodeError extends Error {
  override name = "EventStreamDecodeError";
}

/**
 * Reassembles messages from the chunks a transport delivers: a message may be split across
 * chunks and a chunk may hold several. Both CRCs are checked; the first error is thrown and
 * every later push throws it again (the position in the stream is lost).
 *
 * @example
 * const decoder = new EventStreamDecoder();
 * response.on("data", (chunk) => { for (const message of decoder.push(chunk)) handle(message); });
 */
export class EventStreamDecoder {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private failure: EventStreamDecodeError | undefined;

  constructor(private readonly messageBytesMax = eventMessageBytesMax) {}

  /** Bytes of a message begun but not finished: anything but 0 when the stream ends means it was cut short. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  push(chunk: Uint8Array): DecodedMessage[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.bufferedBytes += chunk.length;
    }
    const messages: DecodedMessage[] = [];
    try {
      for (;;) {
        if (this.bufferedBytes < preludeBytes + crcBytes) break;
        const prelude = this.peek(preludeBytes + crcBytes);
        const totalLength = checkPrelude(prelude, this.messageBytesMax);
        if (this.bufferedBytes < totalLength) break;
        messages.push(decodeMessage(this.take(totalLength)));
      }
    } catch (error) {
      this.failure = error instanceof EventStreamDecodeError ? error : new EventStreamDecodeError(String(error), { cause: error });
      this.chunks = [];
      this.bufferedBytes = 0;
      throw this.failure;
    }
    return messages;
  }

  /** The first `length` buffered bytes, without consuming them. */
  private peek(length: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= length) return first.subarray(0, length);
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    for (const chunk of this.chunks) {
      filled += chunk.copy(out, filled, 0, Math.min(chunk.length, length - filled));
      if (filled === length) break;
    }
    return out;
  }

  /** Removes and returns the first `length` buffered bytes, copying only when they span chunks. */
  private take(length: number): Buffer {
    const first = this.chunks[0]!;
    let taken: Buffer;
    if (first.length >= length) {
      taken = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
    } else {
      taken = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const head = this.chunks[0]!;
        const used = Math.min(head.length, length - filled);
        head.copy(taken, filled, 0, used);
        filled += used;
        if (used === head.length) this.chunks.shift();
        else this.chunks[0] = head.subarray(used);
      }
    }
    this.bufferedBytes -= length;
    return taken;
  }
}

/** The message's total length, once its prelude CRC and lengths are plausible. */
function checkPrelude(prelude: Buffer, messageBytesMax: number): number {
  const totalLength = prelude.readUInt32BE(0);
  const headersLength = prelude.readUInt32BE(4);
  const expected = prelude.readUInt32BE(preludeBytes);
  const actual = crc32(prelude, 0, preludeBytes);
  if (expected !== actual) throw new EventStreamDecodeError(`prelude CRC mismatch: the message says ${hex(expected)}, the bytes give ${hex(actual)}`);
  if (totalLength < messageBytesMin || totalLength > messageBytesMax) {
    throw new EventStreamDecodeError(`message length ${totalLength} is outside [${messageBytesMin}, ${messageBytesMax}]`);
  }
  if (headersLength > eventHeadersBytesMax || headersLength > totalLength - messageBytesMin) {
    throw new EventStreamDecodeError(`headers length ${headersLength} does not fit a message of ${totalLength} bytes`);
  }
  return totalLength;
}

function decodeMessage(message: Buffer): DecodedMessage {
  const totalLength = message.length;
  const expected = message.readUInt32BE(totalLength - crcBytes);
  const actual = crc32(message, 0, totalLength - crcBytes);
  if (expected !== actual) throw new EventStreamDecodeError(`message CRC mismatch: the message says ${hex(expected)}, the bytes give ${hex(actual)}`);
  const headersStart = preludeBytes + crcBytes;
  const headersEnd = headersStart + message.readUInt32BE(4);
  return {
    headers: decodeHeaders(message, headersStart, headersEnd),
    payload: message.subarray(headersEnd, totalLength - crcBytes),
  };
}

function decodeHeaders(bytes: Buffer, start: number, end: number): Record<string, EventHeaderValue> {
  const headers = Object.create(null) as Record<string, EventHeaderValue>;
  let offset = start;
  const need = (length: number) => {
    if (offset + length > end) throw new EventStreamDecodeError("a header runs past the end of the header section");
  };
  while (offset < end) {
    need(1);
    const nameLength = bytes[offset++]!;
    need(nameLength + 1);
    const name = bytes.toString("utf8", offset, offset + nameLength);
    offset += nameLength;
    const type = bytes[offset++]!;
    switch (type) {
      case valueType.true:
      case valueType.false:
        headers[name] = type === valueType.true;
        break;
      case valueType.byte:
        need(1);
        headers[name] = bytes.readInt8(offset);
        offset += 1;
        break;
      case valueType.short:
        need(2);
        headers[name] = bytes.readInt16BE(offset);
        offset += 2;
        break;
      case valueType.integer:
        need(4);
        headers[name] = bytes.readInt32BE(offset);
        offset += 4;
        break;
      case valueType.long:
        need(8);
        headers[name] = bytes.readBigInt64BE(offset);
        offset += 8;
        break;
      case valueType.bytes:
      case valueType.string: {
        need(2);
        const length = bytes.readUInt16BE(offset);
        offset += 2;
        need(length);
        headers[name] = type === valueType.string ? bytes.toString("utf8", offset, offset + length) : Buffer.from(bytes.subarray(offset, offset + length));
        offset += length;
        break;
      }
      case valueType.timestamp:
        need(8);
        headers[name] = new Date(Number(bytes.readBigInt64BE(offset)));
        offset += 8;
        break;
      case valueType.uuid: {
        need(16);
        const text = bytes.toString("hex", offset, offset + 16);
        headers[name] = `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
        offset += 16;
        break;
      }
      default:
        throw new EventStreamDecodeError(`unknown header value type ${type} for header ${JSON.stringify(name)}`);
    }
  }
  return headers;
}

function hex(value: number): string {
  return "0x" + value.toString(16).padStart(8, "0");
}
