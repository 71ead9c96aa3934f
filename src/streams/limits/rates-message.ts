/**
 * The message a node sends its peers with what it admitted since its last one (cluster-rates.ts),
 * on the peer bus topic `kinesis-rates`. Binary, small: a node writing every shard of a stream
 * sends a few bytes a shard, 20 times a second.
 *
 *   message  = version:u8 (1) entry*
 *   entry    = 1 streamId:string writeBytesCapacity:varint          a stream: the shards after it are its
 *            | 2 shardIndex:varint records:varint bytes:varint       one shard: written records and bytes,
 *                readCalls:varint readBytes:varint                   GetRecords calls and bytes read
 *            | 3 key:string calls:varint                             one control-plane bucket's calls
 *   string   = length:varint utf8
 *   varint   = unsigned LEB128, up to 2^53 - 1
 *
 * A message never passes `ratesMessageBytesMax`: a longer report goes as several, each complete
 * (a shard entry follows its stream's entry in the same message). A message of another version,
 * or one that does not parse, is dropped whole.
 */

export const ratesMessageVersion = 1;
/** Well under NATS's default 1 MiB payload. */
export const ratesMessageBytesMax = 64 * 1024;

const streamTag = 1;
const shardTag = 2;
const bucketTag = 3;
/** Shard indexes past this are not a stream's (AWS's on-demand maximum is 10,240 open shards). */
const shardIndexMax = 2 ** 31 - 1;

export interface ShardRates {
  shardIndex: number;
  records: number;
  bytes: number;
  readCalls: number;
  readBytes: number;
}

export interface StreamRates {
  streamId: string;
  writeBytesCapacity: number;
  shards: ShardRates[];
}

export interface RatesReport {
  streams: StreamRates[];
  /** Control-plane bucket key (ControlPlaneLimiter's) and calls. */
  buckets: [string, number][];
}

/** Writes a report as one message or more, each at most `ratesMessageBytesMax` bytes (one bucket key may not fit: it is skipped). */
export function encodeRates(report: RatesReport): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let writer = new Writer();
  const next = (): void => {
    if (writer.length > 1) messages.push(writer.finish());
    writer = new Writer();
  };
  for (const stream of report.streams) {
    let headed = false;
    for (const shard of stream.shards) {
      if (writer.length + stream.streamId.length * 3 + 80 > ratesMessageBytesMax) {
        next();
        headed = false;
      }
      if (!headed) {
        writer.byte(streamTag).string(stream.streamId).varint(stream.writeBytesCapacity);
        headed = true;
      }
      writer.byte(shardTag).varint(shard.shardIndex).varint(shard.records).varint(shard.bytes).varint(shard.readCalls).varint(shard.readBytes);
    }
  }
  for (const [key, calls] of report.buckets) {
    const keyBytes = Buffer.byteLength(key, "utf8");
    if (keyBytes + 32 > ratesMessageBytesMax) continue;
    if (writer.length + keyBytes + 32 > ratesMessageBytesMax) next();
    writer.byte(bucketTag).string(key).varint(calls);
  }
  next();
  return messages;
}

/** Reads a message; undefined if it is of another version or does not parse. */
export function decodeRates(message: Uint8Array): RatesReport | undefined {
  const reader = new Reader(message);
  try {
    if (reader.byte() !== ratesMessageVersion) return undefined;
    const report: RatesReport = { streams: [], buckets: [] };
    let stream: StreamRates | undefined;
    while (!reader.done()) {
      const tag = reader.byte();
      if (tag === streamTag) {
        stream = { streamId: reader.string(), writeBytesCapacity: reader.varint(), shards: [] };
        report.streams.push(stream);
      } else if (tag === shardTag && stream !== undefined) {
        const shardIndex = reader.varint();
        if (shardIndex > shardIndexMax) return undefined;
        stream.shards.push({ shardIndex, records: reader.varint(), bytes: reader.varint(), readCalls: reader.varint(), readBytes: reader.varint() });
      } else if (tag === bucketTag) {
        report.buckets.push([reader.string(), reader.varint()]);
      } else {
        return undefined;
      }
    }
    return report;
  } catch {
    return undefined;
  }
}

class Writer {
  private buffer = Buffer.allocUnsafe(256);
  length = 0;

  constructor() {
    this.byte(ratesMessageVersion);
  }

  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`rates message: ${value} is not a count`);
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
    return this;
  }

  string(value: string): this {
    const bytes = Buffer.byteLength(value, "utf8");
    this.varint(bytes);
    this.reserve(bytes);
    this.length += this.buffer.write(value, this.length, "utf8");
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buffer, 0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

class Reader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  done(): boolean {
    return this.offset >= this.bytes.length;
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new RangeError("rates message: truncated");
    return this.bytes[this.offset++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 53) throw new RangeError("rates message: varint too long");
    }
    if (!Number.isSafeInteger(value)) throw new RangeError("rates message: varint too large");
    return value;
  }

  string(): string {
    const length = this.varint();
    if (this.offset + length > this.bytes.length) throw new RangeError("rates message: truncated");
    const value = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.offset, length).toString("utf8");
    this.offset += length;
    return value;
  }
}
