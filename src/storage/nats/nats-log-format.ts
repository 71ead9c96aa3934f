/**
 * The shard log's JetStream messages (docs/formats/nats.md, "Shard logs"): one message per append
 * (or per group of appends queued behind a publish in flight), on the shard's subject
 * `<prefix>.log.<streamId>.<shardIndex>`, its headers saying which offsets it holds, its body the
 * records in a compact binary form.
 *
 * Headers (decimal text):
 *   Tributary-Log           format version, "1"
 *   Tributary-Offset        the first record's offset
 *   Tributary-Count         how many records (0 for a seal marker)
 *   Tributary-Arrival       the first record's arrival time, epoch ms
 *   Tributary-Arrival-Last  the last record's, when it differs (a group of appends)
 *   Tributary-Seal          "1": the shard is sealed; no append may follow (count 0)
 *   Tributary-Chunks        n: the body is n chunk sequence numbers (varints) whose messages'
 *                           bodies, concatenated, are the records (an append over max_payload)
 *
 * Body (count records, back to back):
 *   record := flags:u8 [arrivalDeltaMs:varint] keyLength:varint key:utf8
 *             [hashKeyLength:u8 hashKey:ascii] [sealedWith:varint] dataLength:varint data
 *   flags  := 1 explicit hash key · 2 sealed · 4 arrival delta (from Tributary-Arrival) follows
 * Varints are unsigned LEB128 (at most 2^53).
 */
import { headers as natsHeaders, type MsgHdrs } from "nats";
import type { AppendRecord, StoredRecord } from "../types.js";

export const formatVersion = "1";
export const header = {
  log: "Tributary-Log",
  offset: "Tributary-Offset",
  count: "Tributary-Count",
  arrival: "Tributary-Arrival",
  arrivalLast: "Tributary-Arrival-Last",
  seal: "Tributary-Seal",
  chunks: "Tributary-Chunks",
  msgId: "Nats-Msg-Id",
  expectedLastSubjectSequence: "Nats-Expected-Last-Subject-Sequence",
  msgSize: "Nats-Msg-Size",
} as const;

const flagHashKey = 1;
const flagSealed = 2;
const flagArrivalDelta = 4;

/** What a message's headers say: enough to keep a shard's tail and index without its body. */
export interface MessageHead {
  /** JetStream stream sequence. */
  seq: number;
  firstOffset: number;
  count: number;
  firstArrivalMs: number;
  lastArrivalMs: number;
  sealed: boolean;
  /** Chunk messages holding the body (0: the body is inline). */
  chunks: number;
  /** Body bytes (the chunk list's for a chunked message), for estimating how many messages a read needs. */
  sizeBytes: number;
}

/** One append queued for a message: its records and the arrival time the writer gave it. */
export interface EncodedGroup {
  records: readonly AppendRecord[];
  arrivalMs: number;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(buffer: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buffer[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buffer[at++] = value;
  return at;
}

/** Reads a varint at `cursor.at`, advancing it; throws on a truncated body (a corrupt message). */
function readVarint(buffer: Uint8Array, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (cursor.at >= buffer.length) throw new Error("shard log message: truncated varint");
    const byte = buffer[cursor.at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
    if (scale > 2 ** 56) throw new Error("shard log message: varint too long");
  }
}

/**
 * Encodes groups of records (arrival times already made non-decreasing) into one body: sizes are
 * summed first, so the whole body is one allocation and no record allocates.
 */
export function encodeBody(groups: readonly EncodedGroup[]): Buffer {
  const firstArrivalMs = groups[0]?.arrivalMs ?? 0;
  let size = 0;
  for (const group of groups) {
    const delta = group.arrivalMs - firstArrivalMs;
    for (const record of group.records) {
      const keyBytes = Buffer.byteLength(record.partitionKey);
      size += 1 + (delta > 0 ? varintBytes(delta) : 0) + varintBytes(keyBytes) + keyBytes + varintBytes(record.data.length) + record.data.length;
      if (record.explicitHashKey !== undefined) size += 1 + record.explicitHashKey.length;
      if (record.sealedWith !== undefined) size += varintBytes(record.sealedWith);
    }
  }
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for (const group of groups) {
    const delta = group.arrivalMs - firstArrivalMs;
    for (const record of group.records) {
      const flagsAt = at++;
      let flags = 0;
      if (delta > 0) {
        flags |= flagArrivalDelta;
        at = writeVarint(body, at, delta);
      }
      const keyBytes = Buffer.byteLength(record.partitionKey);
      at = writeVarint(body, at, keyBytes);
      at += body.write(record.partitionKey, at, "utf8");
      if (record.explicitHashKey !== undefined) {
        flags |= flagHashKey;
        body[at++] = record.explicitHashKey.length;
        at += body.write(record.explicitHashKey, at, "latin1");
      }
      if (record.sealedWith !== undefined) {
        flags |= flagSealed;
        at = writeVarint(body, at, record.sealedWith);
      }
      at = writeVarint(body, at, record.data.length);
      at += record.data.copy(body, at);
      body[flagsAt] = flags;
    }
  }
  if (at !== size) throw new Error(`shard log message: encoded ${at} bytes, sized ${size}`);
  return body;
}

/**
 * Decodes the records of a message's body from `fromOffset` on, calling `take` with each until it
 * answers false. `data` is a view into `body`: the caller hands each reader a body of its own.
 */
export function decodeBody(head: MessageHead, body: Buffer, fromOffset: number, take: (record: StoredRecord) => boolean): void {
  const cursor = { at: 0 };
  for (let index = 0; index < head.count; index++) {
    if (cursor.at >= body.length) throw new Error(`shard log message ${head.seq}: ${index} of ${head.count} records`);
    const flags = body[cursor.at++]!;
    const arrivalMs = flags & flagArrivalDelta ? head.firstArrivalMs + readVarint(body, cursor) : head.firstArrivalMs;
    const keyBytes = readVarint(body, cursor);
    const keyAt = cursor.at;
    cursor.at += keyBytes;
    let hashKeyAt = -1;
    let hashKeyBytes = 0;
    if (flags & flagHashKey) {
      hashKeyBytes = body[cursor.at++]!;
      hashKeyAt = cursor.at;
      cursor.at += hashKeyBytes;
    }
    const sealedWith = flags & flagSealed ? readVarint(body, cursor) : undefined;
    const dataBytes = readVarint(body, cursor);
    const dataAt = cursor.at;
    cursor.at += dataBytes;
    if (cursor.at > body.length) throw new Error(`shard log message ${head.seq}: record ${index} runs past the body`);
    const offset = head.firstOffset + index;
    if (offset < fromOffset) continue;
    const stored: StoredRecord = { offset, arrivalMs, partitionKey: body.toString("utf8", keyAt, keyAt + keyBytes), data: body.subarray(dataAt, dataAt + dataBytes) };
    if (hashKeyAt >= 0) stored.explicitHashKey = body.toString("latin1", hashKeyAt, hashKeyAt + hashKeyBytes);
    if (sealedWith !== undefined) stored.sealedWith = sealedWith;
    if (!take(stored)) return;
  }
}

/** The arrival time of each of a message's records (offsetAtTime inside a group of appends). */
export function arrivalsOf(head: MessageHead, body: Buffer): number[] {
  const arrivals: number[] = [];
  decodeBody(head, body, head.firstOffset, (record) => {
    arrivals.push(record.arrivalMs);
    return true;
  });
  return arrivals;
}

export function encodeChunkList(seqs: readonly number[]): Buffer {
  const body = Buffer.allocUnsafe(seqs.reduce((sum, seq) => sum + varintBytes(seq), 0));
  let at = 0;
  for (const seq of seqs) at = writeVarint(body, at, seq);
  return body;
}

export function decodeChunkList(body: Uint8Array, count: number): number[] {
  const cursor = { at: 0 };
  return Array.from({ length: count }, () => readVarint(body, cursor));
}

/** The headers of a message holding `count` records from `firstOffset`. */
export function messageHeaders(fields: { firstOffset: number; count: number; firstArrivalMs: number; lastArrivalMs: number; sealed?: boolean; chunks?: number }): MsgHdrs {
  const h = natsHeaders();
  h.set(header.log, formatVersion);
  h.set(header.offset, String(fields.firstOffset));
  h.set(header.count, String(fields.count));
  h.set(header.arrival, String(fields.firstArrivalMs));
  if (fields.lastArrivalMs !== fields.firstArrivalMs) h.set(header.arrivalLast, String(fields.lastArrivalMs));
  if (fields.sealed) h.set(header.seal, "1");
  if (fields.chunks) h.set(header.chunks, String(fields.chunks));
  return h;
}

function numberHeader(h: MsgHdrs, name: string): number | undefined {
  const text = h.get(name);
  if (text === "") return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Reads a message's head from its headers; undefined for a message that is not a shard log
 * message of this format (nothing else publishes on the subjects, so that is a corrupt one).
 */
export function parseHead(h: MsgHdrs | undefined, seq: number, bodyBytes: number): MessageHead | undefined {
  if (h === undefined || h.get(header.log) !== formatVersion) return undefined;
  const firstOffset = numberHeader(h, header.offset);
  const count = numberHeader(h, header.count);
  const firstArrivalMs = numberHeader(h, header.arrival);
  if (firstOffset === undefined || count === undefined || firstArrivalMs === undefined) return undefined;
  const sizeBytes = numberHeader(h, header.msgSize) ?? bodyBytes;
  return {
    seq,
    firstOffset,
    count,
    firstArrivalMs,
    lastArrivalMs: numberHeader(h, header.arrivalLast) ?? firstArrivalMs,
    sealed: h.get(header.seal) === "1",
    chunks: numberHeader(h, header.chunks) ?? 0,
    sizeBytes,
  };
}
