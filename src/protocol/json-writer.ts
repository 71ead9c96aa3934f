/**
 * Writes JSON straight into a growing byte buffer. For large responses (GetRecords: up to 10,000
 * records) this is several times cheaper than building one big string and encoding it with
 * Buffer.from, which must flatten and transcode the whole string: here plain ASCII text is
 * copied byte by byte, blobs are base64-encoded in place, and only strings that need escaping
 * or are not ASCII go through JSON.stringify.
 */
const quote = 0x22;
const backslash = 0x5c;
const base64Alphabet = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", "latin1");
const equalsSign = 0x3d;

export class JsonWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(initialBytes = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** Makes room for `bytes` more; callers that know a size ahead save the regrowth copies. */
  reserve(bytes: number): void {
    const needed = this.at + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** Bytes that are already JSON (punctuation, member names): prebuilt once by the caller. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** Text known to be printable ASCII that needs no escaping (digits, sequence numbers). */
  ascii(text: string): void {
    const length = text.length;
    this.reserve(length);
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < length; i++) buffer[at++] = text.charCodeAt(i);
    this.at = at;
  }

  number(value: number): void {
    this.ascii(Number.isFinite(value) ? String(value) : "null");
  }

  /** A JSON string, quoted and escaped exactly as JSON.stringify does. */
  string(text: string): void {
    const length = text.length;
    this.reserve(length + 2);
    const buffer = this.buffer;
    const start = this.at;
    let at = start;
    buffer[at++] = quote;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7f || code === quote || code === backslash) {
        // Escapes or multi-byte UTF-8: let the engine do it.
        this.at = start;
        this.encoded(JSON.stringify(text));
        return;
      }
      buffer[at++] = code;
    }
    buffer[at++] = quote;
    this.at = at;
  }

  /** Bytes as a quoted base64 string (RFC 4648, padded). */
  base64(bytes: Uint8Array): void {
    const length = bytes.length;
    this.reserve(Math.ceil(length / 3) * 4 + 2);
    const buffer = this.buffer;
    const alphabet = base64Alphabet;
    let at = this.at;
    buffer[at++] = quote;
    let i = 0;
    for (const whole = length - (length % 3); i < whole; i += 3) {
      const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      buffer[at++] = alphabet[triple >>> 18]!;
      buffer[at++] = alphabet[(triple >>> 12) & 63]!;
      buffer[at++] = alphabet[(triple >>> 6) & 63]!;
      buffer[at++] = alphabet[triple & 63]!;
    }
    const left = length - i;
    if (left === 1) {
      const single = bytes[i]!;
      buffer[at++] = alphabet[single >>> 2]!;
      buffer[at++] = alphabet[(single & 3) << 4]!;
      buffer[at++] = equalsSign;
      buffer[at++] = equalsSign;
    } else if (left === 2) {
      const pair = (bytes[i]! << 8) | bytes[i + 1]!;
      buffer[at++] = alphabet[pair >>> 10]!;
      buffer[at++] = alphabet[(pair >>> 4) & 63]!;
      buffer[at++] = alphabet[(pair & 15) << 2]!;
      buffer[at++] = equalsSign;
    }
    buffer[at++] = quote;
    this.at = at;
  }

  /** Text that is already JSON, in UTF-8. */
  encoded(json: string): void {
    this.reserve(Buffer.byteLength(json, "utf8"));
    this.at += this.buffer.write(json, this.at, "utf8");
  }

  /** The JSON written so far (a view of the writer's buffer: write nothing more after this). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}
