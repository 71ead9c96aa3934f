/**
 * The slice of the Protocol Buffers wire format (protobuf.dev/programming-guides/encoding) that the
 * KPL's AggregatedRecord message needs:
 *
 *   message   := field*
 *   field     := tag value
 *   tag       := varint (fieldNumber << 3 | wireType)
 *   wireType  := 0 varint | 1 fixed 8 bytes | 2 varint length, then that many bytes | 5 fixed 4 bytes
 *   varint    := base-128, least significant group first, high bit set on every byte but the last
 *
 * Wire types 3 and 4 (proto2 groups) are refused: nothing in the KPL's schema uses them. The reader
 * never reads past its bounds and refuses anything malformed with a ProtobufError naming the offset,
 * so hostile bytes end in an error, never an exception of another kind or a huge allocation.
 */

export const wireTypeVarint = 0;
export const wireTypeFixed64 = 1;
export const wireTypeLengthDelimited = 2;
export const wireTypeFixed32 = 5;

/** A varint takes at most 10 bytes (64 bits in groups of 7). */
const varintBytesMax = 10;

export class ProtobufError extends Error {
  override name = "ProtobufError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

export interface FieldHeader {
  fieldNumber: number;
  wireType: number;
  /** Where the tag started, for error messages. */
  offset: number;
}

/** Reads fields from `bytes[start, end)`. */
export class ProtobufReader {
  private position: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.position = start;
  }

  get done(): boolean {
    return this.position >= this.end;
  }

  get offset(): number {
    return this.position;
  }

  readFieldHeader(): FieldHeader {
    const offset = this.position;
    const tag = this.readVarint();
    const fieldNumber = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (fieldNumber === 0) throw new ProtobufError("field number 0", offset);
    if (wireType === 3 || wireType === 4) throw new ProtobufError(`unsupported group wire type ${wireType}`, offset);
    if (wireType > 5) throw new ProtobufError(`invalid wire type ${wireType}`, offset);
    return { fieldNumber, wireType, offset };
  }

  /**
   * A varint as a JavaScript number. Values above 2^53 lose precision, which is harmless here: the
   * only varints the schema has are table indexes and lengths, and any value that large is already
   * out of range.
   */
  readVarint(): number {
    const start = this.position;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < varintBytesMax; i++) {
      if (this.position >= this.end) throw new ProtobufError("truncated varint", start);
      const byte = this.bytes[this.position++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ProtobufError("varint longer than 10 bytes", start);
  }

  /** The bounds of a length-delimited value, which the caller reads or decodes in place. */
  readLengthDelimited(): { start: number; end: number } {
    const offset = this.position;
    const length = this.readVarint();
    if (length > this.end - this.position) throw new ProtobufError(`length ${length} runs past the end of the message`, offset);
    const start = this.position;
    this.position += length;
    return { start, end: this.position };
  }

  readBytes(): Uint8Array {
    const { start, end } = this.readLengthDelimited();
    return this.bytes.subarray(start, end);
  }

  readString(): string {
    const { start, end } = this.readLengthDelimited();
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString("utf8");
  }

  /** Skips a field this decoder does not know, as protobuf requires of readers. */
  skip(header: FieldHeader): void {
    switch (header.wireType) {
      case wireTypeVarint:
        this.readVarint();
        return;
      case wireTypeLengthDelimited:
        this.readLengthDelimited();
        return;
      case wireTypeFixed64:
        this.advance(8, header.offset);
        return;
      default:
        this.advance(4, header.offset);
    }
  }

  /** Requires `header` to carry `wireType`. */
  expect(header: FieldHeader, wireType: number, name: string): void {
    if (header.wireType !== wireType) {
      throw new ProtobufError(`${name} (field ${header.fieldNumber}) has wire type ${header.wireType}, expected ${wireType}`, header.offset);
    }
  }

  private advance(count: number, offset: number): void {
    if (count > this.end - this.position) throw new ProtobufError("truncated fixed-width field", offset);
    this.position += count;
  }
}

/** The bytes a varint of `value` (a non-negative safe integer) takes. */
export function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) size++;
  return size;
}

/** The bytes of a length-delimited field of `length` bytes, tag included (field numbers below 16 take one tag byte). */
export function lengthDelimitedFieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/** Appends fields to a growing buffer. */
export class ProtobufWriter {
  private buffer: Buffer;
  private length = 0;
  constructor(capacityBytes = 256) {
    this.buffer = Buffer.allocUnsafe(capacityBytes);
  }

  varintField(fieldNumber: number, value: number): void {
    this.varint(fieldNumber * 8 + wireTypeVarint);
    this.varint(value);
  }

  bytesField(fieldNumber: number, bytes: Uint8Array): void {
    this.varint(fieldNumber * 8 + wireTypeLengthDelimited);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  stringField(fieldNumber: number, text: string): void {
    this.bytesField(fieldNumber, Buffer.from(text, "utf8"));
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private varint(value: number): void {
    this.ensure(varintBytesMax);
    let rest = value;
    while (rest >= 128) {
      this.buffer[this.length++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buffer[this.length++] = rest;
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
