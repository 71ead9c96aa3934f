/**
 * The object store's metadata journal, `<dataDir>/objects/journal` (docs/formats/objects.md):
 *
 *   0 4 magic "TROJ" · 4 4 version (1) · 8 4 reserved (0) · 12 4 crc32c of bytes [0, 12) ·
 *   16 … frames: 0 4 payload bytes · 4 4 crc32c of the payload · 8 … payload: UTF-8 JSON of one
 *                ObjectMutation (src/storage/objects/object-state.ts)
 *
 * Integers little-endian. Each frame is one whole change (a bucket, an object record, an upload, a
 * part, or a removal), so a change is in the journal entirely or not at all. Replay applies frames
 * in order and stops at the first short or damaged one: a torn tail, cut off before the journal is
 * written again.
 */
import { crc32c } from "../crc32c.js";
import { ObjectState, type ObjectMutation } from "../../objects/object-state.js";

export const objectJournalVersion = 1;
export const objectJournalHeaderBytes = 16;
const frameHeaderBytes = 8;
const magic = Buffer.from("TROJ", "latin1");

export function objectJournalHeader(): Buffer {
  const header = Buffer.alloc(objectJournalHeaderBytes);
  magic.copy(header, 0);
  header.writeUInt32LE(objectJournalVersion, 4);
  header.writeUInt32LE(crc32c(header, 0, 12), 12);
  return header;
}

export function encodeObjectMutation(mutation: ObjectMutation): Buffer {
  const payload = JSON.stringify(mutation);
  const length = Buffer.byteLength(payload, "utf8");
  const frame = Buffer.allocUnsafe(frameHeaderBytes + length);
  frame.writeUInt32LE(length, 0);
  frame.write(payload, frameHeaderBytes, "utf8");
  frame.writeUInt32LE(crc32c(frame, frameHeaderBytes), 4);
  return frame;
}

export type ObjectJournalReplay =
  | { ok: true; state: ObjectState; validBytes: number; frames: number; torn: boolean }
  | { ok: false; reason: string };

/** Applies a journal's frames in order to a fresh state; `validBytes` ends the last whole frame. */
export function replayObjectJournal(bytes: Buffer): ObjectJournalReplay {
  if (bytes.length < objectJournalHeaderBytes || !bytes.subarray(0, objectJournalHeaderBytes).equals(objectJournalHeader())) {
    return { ok: false, reason: "the journal header is damaged or of another version" };
  }
  const state = new ObjectState();
  let at = objectJournalHeaderBytes;
  let frames = 0;
  while (at + frameHeaderBytes <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + frameHeaderBytes + length;
    if (end > bytes.length || crc32c(bytes, at + frameHeaderBytes, end) !== bytes.readUInt32LE(at + 4)) break;
    let mutation: ObjectMutation;
    try {
      mutation = JSON.parse(bytes.toString("utf8", at + frameHeaderBytes, end)) as ObjectMutation;
    } catch {
      return { ok: false, reason: `the frame at byte ${at} has a good checksum but is not JSON` };
    }
    // Frames were written in the order they applied, so each applies again; one that does not is damage.
    const refusal = state.refusal(mutation, () => true);
    if (refusal !== undefined) return { ok: false, reason: `the frame at byte ${at} does not apply: ${refusal.message}` };
    state.apply(mutation);
    frames++;
    at = end;
  }
  return { ok: true, state, validBytes: at, frames, torn: at !== bytes.length };
}
