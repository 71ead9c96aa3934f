/**
 * The object store's metadata journal, `<dataDir>/objects/journal` (docs/formats/objects.md):
 *
 *   0 4 magic "TROJ" · 4 4 version (2; 1 still opens) · 8 4 reserved (0) · 12 4 crc32c of bytes [0, 12) ·
 *   16 … frames: 0 4 payload bytes · 4 4 crc32c of the payload · 8 … payload: UTF-8 JSON of one
 *                ObjectMutation (src/storage/objects/object-state.ts), with `inline` (version 2):
 *                the bytes of small blobs this frame is the first to name, base64 by blob id
 *
 * Integers little-endian. Each frame is one whole change (a bucket, an object record, an upload, a
 * part, or a removal), so a change is in the journal entirely or not at all — an inline blob's
 * bytes with it. Replay applies frames in order and stops at the first short or damaged one: a
 * torn tail, cut off before the journal is written again.
 */
import { crc32c } from "../crc32c.js";
import { ObjectState, blobsNamed, type ObjectMutation } from "../../objects/object-state.js";

/** 2: frames may carry inline blobs. A version-1 journal (no inline member) opens unchanged. */
export const objectJournalVersion = 2;
const versionsRead = new Set([1, 2]);
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

/** A journal frame: the mutation, and the bytes of the inline blobs it is the first to name. */
export function encodeObjectMutation(mutation: ObjectMutation, inline?: ReadonlyMap<string, Buffer>): Buffer {
  let payload: string;
  if (inline === undefined || inline.size === 0) payload = JSON.stringify(mutation);
  else {
    const encoded: Record<string, string> = {};
    for (const [blobId, bytes] of inline) encoded[blobId] = bytes.toString("base64");
    payload = JSON.stringify({ ...mutation, inline: encoded });
  }
  const length = Buffer.byteLength(payload, "utf8");
  const frame = Buffer.allocUnsafe(frameHeaderBytes + length);
  frame.writeUInt32LE(length, 0);
  frame.write(payload, frameHeaderBytes, "utf8");
  frame.writeUInt32LE(crc32c(frame, frameHeaderBytes), 4);
  return frame;
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

/** Applies a journal's frames in order to a fresh state; `validBytes` ends the last whole frame. */
export function replayObjectJournal(bytes: Buffer): ObjectJournalReplay {
  const version = bytes.length < objectJournalHeaderBytes ? 0 : bytes.readUInt32LE(4);
  if (!versionsRead.has(version) || !bytes.subarray(0, objectJournalHeaderBytes).equals(objectJournalHeader(version))) {
    return { ok: false, reason: "the journal header is damaged or of another version" };
  }
  const state = new ObjectState();
  const inline = new Map<string, Buffer>();
  let at = objectJournalHeaderBytes;
  let frames = 0;
  while (at + frameHeaderBytes <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + frameHeaderBytes + length;
    if (end > bytes.length || crc32c(bytes, at + frameHeaderBytes, end) !== bytes.readUInt32LE(at + 4)) break;
    let mutation: ObjectMutation & { inline?: Record<string, string> };
    try {
      mutation = JSON.parse(bytes.toString("utf8", at + frameHeaderBytes, end)) as typeof mutation;
    } catch {
      return { ok: false, reason: `the frame at byte ${at} has a good checksum but is not JSON` };
    }
    const carried = mutation.inline;
    delete mutation.inline;
    // Frames were written in the order they applied, so each applies again; one that does not is damage.
    const refusal = state.refusal(mutation, () => true);
    if (refusal !== undefined) return { ok: false, reason: `the frame at byte ${at} does not apply: ${refusal.message}` };
    if (carried !== undefined) {
      const named = new Map(blobsNamed(mutation).map((blob) => [blob.blobId, blob.sizeBytes]));
      for (const [blobId, base64] of Object.entries(carried)) {
        const blobBytes = Buffer.from(base64, "base64");
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
