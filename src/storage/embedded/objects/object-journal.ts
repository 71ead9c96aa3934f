/**
 * The object store's metadata journal, `<dataDir>/objects/journal` (docs/formats/objects.md):
 *
 *   0 4 magic "TROJ" · 4 4 version (3; 1 and 2 still open) · 8 4 reserved (0) · 12 4 crc32c of bytes [0, 12) ·
 *   16 … frames: 0 4 payload bytes · 4 4 crc32c of the payload · 8 … payload:
 *     version 3:    0 4 JSON bytes (j) · 4 j UTF-8 JSON of one ObjectMutation (src/storage/objects/object-state.ts) ·
 *                   then per inline blob this frame is the first to name: 1 id bytes (k) · k id (ASCII) ·
 *                   4 blob bytes (s) · s the blob's bytes, raw
 *     versions 1–2: UTF-8 JSON of one ObjectMutation, with `inline` (version 2): {blobId: base64 bytes}
 *
 * Integers little-endian. Each frame is one whole change (a bucket, an object record, an upload, a
 * part, or a removal), so a change is in the journal entirely or not at all — an inline blob's
 * bytes with it. Replay applies frames in order and stops at the first short or damaged one: a
 * torn tail, cut off before the journal is written again. Version 3 carries inline bytes as they
 * are: base64 inside JSON cost a small PutObject's server a tenth of its CPU (bench/s3).
 */
import { assert } from "../../../util/assert.js";
import { crc32c } from "../crc32c.js";
import { ObjectState, blobsNamed, type ObjectMutation } from "../../objects/object-state.js";

/** 3: inline blobs' bytes raw after the JSON. Versions 1 (no inline blobs) and 2 (base64 in the JSON) open. */
export const objectJournalVersion = 3;
const versionsRead = new Set([1, 2, 3]);
export const objectJournalHeaderBytes = 16;
const frameHeaderBytes = 8;
const magic = Buffer.from("TROJ", "latin1");

export function objectJournalHeader(version = objectJournalVersion): Buffer {
  const header = Buffer.alloc(objectJournalHeaderBytes);
  magic.copy(header, 0);
  header.writeUInt32LE(version, 4);
  header.writeUInt32LE(crc32c(header, 0, 12), 12);
  return header;
}

/** Frame heads are carved out of slabs of this size (those larger get their own buffer). */
const slabBytes = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(slabBytes);
let slabAt = 0;

/**
 * Room for a frame's head: a frame lives from its write's queueing to its flush, and Buffer's own
 * 8 KiB pool, refilled every few small PutObjects, cost ~2 % of their server's CPU (bench/s3).
 */
function frameSpace(length: number): Buffer {
  if (length > slabBytes / 8) return Buffer.allocUnsafe(length);
  if (slabAt + length > slabBytes) {
    slab = Buffer.allocUnsafeSlow(slabBytes);
    slabAt = 0;
  }
  const space = slab.subarray(slabAt, slabAt + length);
  // 8-byte aligned, as Buffer's pool aligns.
  slabAt += (length + 7) & ~7;
  return space;
}

/**
 * A journal frame (version 3), the mutation and the bytes of the inline blobs it is the first to
 * name, as the buffers to write one after the other: the blobs' bytes are not copied into the
 * frame (each stays the buffer the engine holds), the checksum runs on across them.
 */
export function encodeObjectMutation(mutation: ObjectMutation, inline?: ReadonlyMap<string, Buffer>): Buffer[] {
  const json = JSON.stringify(mutation);
  const jsonBytes = Buffer.byteLength(json, "utf8");
  let length = 4 + jsonBytes;
  let blobHeadsBytes = 0;
  if (inline !== undefined) {
    for (const [blobId, bytes] of inline) {
      assert(blobId.length <= 255, `blob id ${blobId} is not one the engine made`);
      blobHeadsBytes += 1 + blobId.length + 4;
      length += 1 + blobId.length + 4 + bytes.length;
    }
  }
  // One buffer for the frame's head, the JSON and every blob's head; the blobs' bytes between.
  const head = frameSpace(frameHeaderBytes + 4 + jsonBytes + blobHeadsBytes);
  head.writeUInt32LE(length, 0);
  head.writeUInt32LE(jsonBytes, frameHeaderBytes);
  let at = frameHeaderBytes + 4;
  at += head.write(json, at, "utf8");
  if (inline === undefined || inline.size === 0) {
    head.writeUInt32LE(crc32c(head, frameHeaderBytes), 4);
    return [head];
  }
  const parts: Buffer[] = [];
  let crc = 0;
  let partStart = 0;
  let crcFrom = frameHeaderBytes;
  for (const [blobId, bytes] of inline) {
    head[at] = blobId.length;
    at += 1 + head.write(blobId, at + 1, "latin1");
    head.writeUInt32LE(bytes.length, at);
    at += 4;
    crc = crc32c(head, crcFrom, at, crc);
    crc = crc32c(bytes, 0, bytes.length, crc);
    parts.push(head.subarray(partStart, at), bytes);
    partStart = crcFrom = at;
  }
  head.writeUInt32LE(crc, 4);
  return parts;
}

/** A frame's bytes (its parts' lengths). */
export function frameBytes(parts: readonly Buffer[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

/**
 * The frames of a journal holding `mutations` (a state's snapshot), as one list of buffers to
 * write in order: the first frame naming a blob carries the bytes `carry` gives for it (undefined:
 * a file blob, or one the journal no longer carries).
 */
export function encodeSnapshot(mutations: Iterable<ObjectMutation>, carry: (blobId: string) => Buffer | undefined): { parts: Buffer[]; frames: number } {
  const carriedOnce = new Set<string>();
  const parts: Buffer[] = [];
  let frames = 0;
  for (const mutation of mutations) {
    let carried: Map<string, Buffer> | undefined;
    for (const blob of blobsNamed(mutation)) {
      if (carriedOnce.has(blob.blobId)) continue;
      const bytes = carry(blob.blobId);
      if (bytes === undefined) continue;
      carriedOnce.add(blob.blobId);
      (carried ??= new Map()).set(blob.blobId, bytes);
    }
    for (const part of encodeObjectMutation(mutation, carried)) parts.push(part);
    frames++;
  }
  return { parts, frames };
}

export type ObjectJournalReplay =
  | {
    ok: true;
    state: ObjectState;
    /** The bytes of the inline blobs the state names (those no record names any more are dropped). */
    inline: Map<string, Buffer>;
    version: number;
    validBytes: number;
    frames: number;
    torn: boolean;
  }
  | { ok: false; reason: string };

type Decoded = { ok: true; mutation: ObjectMutation; carried: [string, Buffer][] } | { ok: false; reason: string };

/** A version-3 payload: JSON, then the inline blobs raw. */
function decodeBinary(bytes: Buffer, start: number, end: number): Decoded {
  if (end - start < 4) return { ok: false, reason: "is too short for its JSON length" };
  const jsonEnd = start + 4 + bytes.readUInt32LE(start);
  if (jsonEnd > end) return { ok: false, reason: "names more JSON than it holds" };
  let mutation: ObjectMutation;
  try {
    mutation = JSON.parse(bytes.toString("utf8", start + 4, jsonEnd)) as ObjectMutation;
  } catch {
    return { ok: false, reason: "has a good checksum but its mutation is not JSON" };
  }
  const carried: [string, Buffer][] = [];
  for (let at = jsonEnd; at < end; ) {
    const idEnd = at + 1 + bytes[at]!;
    if (idEnd + 4 > end) return { ok: false, reason: "has an inline blob cut short" };
    const blobEnd = idEnd + 4 + bytes.readUInt32LE(idEnd);
    if (blobEnd > end) return { ok: false, reason: "has an inline blob cut short" };
    // A copy: the journal's buffer is let go after replay.
    carried.push([bytes.toString("latin1", at + 1, idEnd), Buffer.from(bytes.subarray(idEnd + 4, blobEnd))]);
    at = blobEnd;
  }
  return { ok: true, mutation, carried };
}

/** A version-1 or 2 payload: JSON, inline blobs base64 in its `inline` member. */
function decodeJson(bytes: Buffer, start: number, end: number): Decoded {
  let mutation: ObjectMutation & { inline?: Record<string, string> };
  try {
    mutation = JSON.parse(bytes.toString("utf8", start, end)) as typeof mutation;
  } catch {
    return { ok: false, reason: "has a good checksum but is not JSON" };
  }
  const inline = mutation.inline;
  delete mutation.inline;
  const carried = Object.entries(inline ?? {}).map(([blobId, base64]): [string, Buffer] => [blobId, Buffer.from(base64, "base64")]);
  return { ok: true, mutation, carried };
}

/** Applies a journal's frames in order to a fresh state; `validBytes` ends the last whole frame. */
export function replayObjectJournal(bytes: Buffer): ObjectJournalReplay {
  const version = bytes.length < objectJournalHeaderBytes ? 0 : bytes.readUInt32LE(4);
  if (!versionsRead.has(version) || !bytes.subarray(0, objectJournalHeaderBytes).equals(objectJournalHeader(version))) {
    return { ok: false, reason: "the journal header is damaged or of another version" };
  }
  const decode = version >= 3 ? decodeBinary : decodeJson;
  const state = new ObjectState();
  const inline = new Map<string, Buffer>();
  let at = objectJournalHeaderBytes;
  let frames = 0;
  while (at + frameHeaderBytes <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + frameHeaderBytes + length;
    if (end > bytes.length || crc32c(bytes, at + frameHeaderBytes, end) !== bytes.readUInt32LE(at + 4)) break;
    const decoded = decode(bytes, at + frameHeaderBytes, end);
    if (!decoded.ok) return { ok: false, reason: `the frame at byte ${at} ${decoded.reason}` };
    const { mutation, carried } = decoded;
    // Frames were written in the order they applied, so each applies again; one that does not is damage.
    const refusal = state.refusal(mutation, () => true);
    if (refusal !== undefined) return { ok: false, reason: `the frame at byte ${at} does not apply: ${refusal.message}` };
    if (carried.length > 0) {
      const named = new Map(blobsNamed(mutation).map((blob) => [blob.blobId, blob.sizeBytes]));
      for (const [blobId, blobBytes] of carried) {
        if (named.get(blobId) !== blobBytes.length) return { ok: false, reason: `the frame at byte ${at} carries blob ${blobId} that it does not name at that length` };
        inline.set(blobId, blobBytes);
      }
    }
    for (const released of state.apply(mutation).released) inline.delete(released);
    frames++;
    at = end;
  }
  return { ok: true, state, inline, version, validBytes: at, frames, torn: at !== bytes.length };
}
