/**
 * The files of one table under `<dataDir>/tables/<tableId>/` (docs/formats/tables.md):
 *
 *   meta      0 4 magic "TRTM" · 4 4 version (1) · 8 4 payload bytes · 12 4 crc32c of the payload ·
 *             16 … payload: UTF-8 JSON of the TableMeta. Replaced whole (temp file, fsync, rename,
 *             directory fsync); a table exists exactly when its meta file is valid.
 *   journal   0 4 magic "TRTJ" · 4 4 version (1) · 8 4 reserved (0) · 12 4 crc32c of bytes [0, 12) ·
 *             16 … frames: 0 4 payload bytes · 4 4 crc32c of the payload · 8 … payload:
 *                 0 1 op (1 put, 2 delete) · 1 4 key bytes · 5 … key (UTF-8) · then the value (UTF-8, put only)
 *
 * Integers little-endian. Replay applies frames in order and stops at the first short or damaged
 * one: that is a torn tail (a write cut by a crash), cut off before the journal is written again.
 */
import { crc32c } from "../crc32c.js";
import type { TableMeta } from "../../types.js";
import { TableItems } from "../../table-items.js";

export const tableFormatVersion = 1;
export const journalHeaderBytes = 16;
const frameHeaderBytes = 8;
const metaHeaderBytes = 16;
const metaMagic = Buffer.from("TRTM", "latin1");
const journalMagic = Buffer.from("TRTJ", "latin1");
const opPut = 1;
const opDelete = 2;

export type TableMutation = { op: "put"; key: string; value: string } | { op: "delete"; key: string };

export function encodeMeta(meta: TableMeta): Buffer {
  const payload = Buffer.from(JSON.stringify(meta), "utf8");
  const header = Buffer.alloc(metaHeaderBytes);
  metaMagic.copy(header, 0);
  header.writeUInt32LE(tableFormatVersion, 4);
  header.writeUInt32LE(payload.length, 8);
  header.writeUInt32LE(crc32c(payload), 12);
  return Buffer.concat([header, payload]);
}

/** The meta a file holds, or undefined for a damaged or foreign one (the table then does not exist). */
export function decodeMeta(bytes: Buffer): TableMeta | undefined {
  if (bytes.length < metaHeaderBytes || !bytes.subarray(0, 4).equals(metaMagic)) return undefined;
  if (bytes.readUInt32LE(4) !== tableFormatVersion) return undefined;
  const length = bytes.readUInt32LE(8);
  if (bytes.length !== metaHeaderBytes + length) return undefined;
  const payload = bytes.subarray(metaHeaderBytes);
  if (crc32c(payload) !== bytes.readUInt32LE(12)) return undefined;
  try {
    return JSON.parse(payload.toString("utf8")) as TableMeta;
  } catch {
    return undefined;
  }
}

export function journalHeader(): Buffer {
  const header = Buffer.alloc(journalHeaderBytes);
  journalMagic.copy(header, 0);
  header.writeUInt32LE(tableFormatVersion, 4);
  header.writeUInt32LE(crc32c(header, 0, 12), 12);
  return header;
}

export function encodeMutation(mutation: TableMutation): Buffer {
  const key = Buffer.from(mutation.key, "utf8");
  const value = mutation.op === "put" ? Buffer.from(mutation.value, "utf8") : Buffer.alloc(0);
  const frame = Buffer.alloc(frameHeaderBytes + 5 + key.length + value.length);
  frame.writeUInt32LE(5 + key.length + value.length, 0);
  frame.writeUInt8(mutation.op === "put" ? opPut : opDelete, frameHeaderBytes);
  frame.writeUInt32LE(key.length, frameHeaderBytes + 1);
  key.copy(frame, frameHeaderBytes + 5);
  value.copy(frame, frameHeaderBytes + 5 + key.length);
  frame.writeUInt32LE(crc32c(frame, frameHeaderBytes), 4);
  return frame;
}

export type JournalReplay =
  | { ok: true; items: TableItems; validBytes: number; torn: boolean }
  | { ok: false; reason: string };

/** Applies a journal's frames in order; `validBytes` ends the last whole frame. */
export function replayJournal(bytes: Buffer): JournalReplay {
  const header = journalHeader();
  if (bytes.length < journalHeaderBytes || !bytes.subarray(0, journalHeaderBytes).equals(header)) {
    return { ok: false, reason: "the journal header is damaged or of another version" };
  }
  const items = new TableItems();
  let at = journalHeaderBytes;
  while (at + frameHeaderBytes <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + frameHeaderBytes + length;
    if (length < 5 || end > bytes.length) break;
    if (crc32c(bytes, at + frameHeaderBytes, end) !== bytes.readUInt32LE(at + 4)) break;
    const op = bytes.readUInt8(at + frameHeaderBytes);
    const keyBytes = bytes.readUInt32LE(at + frameHeaderBytes + 1);
    const keyStart = at + frameHeaderBytes + 5;
    if (keyStart + keyBytes > end || (op !== opPut && op !== opDelete)) break;
    const key = bytes.toString("utf8", keyStart, keyStart + keyBytes);
    if (op === opPut) items.put(key, bytes.toString("utf8", keyStart + keyBytes, end));
    else items.delete(key);
    at = end;
  }
  return { ok: true, items, validBytes: at, torn: at !== bytes.length };
}
