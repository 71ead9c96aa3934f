/**
 * The catalog snapshot file `<dataDir>/catalog/catalog` (docs/formats/catalog.md).
 *
 *   0   4  magic "TRCT"
 *   4   2  format version: 1, or 2 while any stream holds data keys (encryption at rest)
 *   6   2  header bytes (32)
 *   8   8  generation: 1 for the first snapshot, +1 for each replacement
 *   16  4  payload bytes
 *   20  4  crc32c of the payload
 *   24  4  reserved, zero
 *   28  4  crc32c of bytes [0, 28)
 *   32  …  payload: UTF-8 JSON {"secret": base64 (32 bytes), "streams": [StreamMeta…] sorted by name,
 *           "account": AccountSettings (optional: absent until first stored)}
 *
 * Integers little-endian. The whole file is replaced at once (write a temporary file, fsync,
 * rename over, fsync the directory), so it is always one complete snapshot.
 *
 * Version 2 has the same layout. It marks a directory whose logs may hold sealed frames, which a
 * server that predates them would take for corruption and cut off at recovery: such a server
 * refuses version 2 instead, and a directory without data keys stays version 1, byte for byte.
 */
import { crc32c } from "../log/crc32c.js";
import { readU64, writeU64 } from "../log/frame.js";
import type { AccountSettings, StreamMeta } from "../types.js";

export const catalogFormatVersion = 1;
/** Written while any stream holds data keys; read like version 1. */
export const catalogFormatVersionSealed = 2;
const headerBytes = 32;
const magic = Buffer.from("TRCT", "latin1");

export interface CatalogSnapshot {
  generation: number;
  secret: Buffer;
  streams: StreamMeta[];
  /** Written only once set, so a catalog that never had any is the same bytes as before the field existed. */
  account?: AccountSettings;
}

export function encodeCatalog(snapshot: CatalogSnapshot): Buffer {
  const body: Record<string, unknown> = { secret: snapshot.secret.toString("base64"), streams: snapshot.streams };
  if (snapshot.account !== undefined) body.account = snapshot.account;
  const payload = Buffer.from(JSON.stringify(body), "utf8");
  const header = Buffer.alloc(headerBytes);
  magic.copy(header, 0);
  header.writeUInt16LE(holdsDataKeys(snapshot.streams) ? catalogFormatVersionSealed : catalogFormatVersion, 4);
  header.writeUInt16LE(headerBytes, 6);
  writeU64(header, snapshot.generation, 8);
  header.writeUInt32LE(payload.length, 16);
  header.writeUInt32LE(crc32c(payload), 20);
  header.writeUInt32LE(crc32c(header, 0, 28), 28);
  return Buffer.concat([header, payload]);
}

function holdsDataKeys(streams: readonly StreamMeta[]): boolean {
  return streams.some((meta) => (meta.encryption?.dataKeys.length ?? 0) > 0);
}

export type CatalogDecodeOutcome = { ok: true; snapshot: CatalogSnapshot } | { ok: false; reason: string };

export function decodeCatalog(bytes: Buffer): CatalogDecodeOutcome {
  if (bytes.length < headerBytes) return { ok: false, reason: "catalog file is incomplete" };
  if (!bytes.subarray(0, 4).equals(magic)) return { ok: false, reason: "not a catalog file" };
  if (crc32c(bytes, 0, 28) !== bytes.readUInt32LE(28)) return { ok: false, reason: "catalog header checksum mismatch" };
  const version = bytes.readUInt16LE(4);
  if (version !== catalogFormatVersion && version !== catalogFormatVersionSealed) {
    return { ok: false, reason: `unsupported catalog format version ${version}` };
  }
  const payloadBytes = bytes.readUInt32LE(16);
  if (bytes.readUInt16LE(6) !== headerBytes || bytes.length !== headerBytes + payloadBytes) {
    return { ok: false, reason: "catalog file length mismatch" };
  }
  const payload = bytes.subarray(headerBytes);
  if (crc32c(payload) !== bytes.readUInt32LE(20)) return { ok: false, reason: "catalog payload checksum mismatch" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `catalog payload is not JSON: ${(error as Error).message}` };
  }
  const body = parsed as { secret?: unknown; streams?: unknown; account?: unknown };
  if (typeof body !== "object" || body === null || typeof body.secret !== "string" || !Array.isArray(body.streams)) {
    return { ok: false, reason: "catalog payload lacks its secret or streams" };
  }
  const secret = Buffer.from(body.secret, "base64");
  if (secret.length !== 32) return { ok: false, reason: "catalog secret has the wrong length" };
  const snapshot: CatalogSnapshot = { generation: readU64(bytes, 8), secret, streams: body.streams as StreamMeta[] };
  if (body.account !== undefined) {
    if (typeof body.account !== "object" || body.account === null || Array.isArray(body.account)) {
      return { ok: false, reason: "catalog account settings are not an object" };
    }
    snapshot.account = body.account as AccountSettings;
  }
  return { ok: true, snapshot };
}
