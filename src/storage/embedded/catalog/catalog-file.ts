/**
 * The catalog snapshot file `<dataDir>/catalog/catalog` (docs/formats/catalog.md).
 *
 *   0   4  magic "TRCT"
 *   4   2  format version: 3 (read: 1, 2 and 3)
 *   6   2  header bytes (32)
 *   8   8  generation: 1 for the first snapshot, +1 for each replacement
 *   16  4  payload bytes
 *   20  4  crc32c of the payload
 *   24  4  reserved, zero
 *   28  4  crc32c of bytes [0, 28)
 *   32  …  payload: UTF-8 JSON {"secret": base64 (32 bytes), "streams": [entry…] sorted by account
 *           then name, "accounts": {"<accountId>": settings} (optional: absent until first stored)}
 *
 * Entries and settings are the service's JSON objects (the Kinesis service's StreamMeta and
 * AccountSettings, src/streams/model.ts); the format names each entry by two of its members,
 * `accountId` and `StreamName` (catalogEntryKey), which is all this codec reads of them.
 *
 * Integers little-endian. The whole file is replaced at once (write a temporary file, fsync,
 * rename over, fsync the directory), so it is always one complete snapshot.
 *
 * Version 3 keys streams by account: every StreamMeta carries its accountId, and settings are kept
 * per account. Versions 1 and 2 (2: some stream held data keys, so the logs may hold sealed
 * frames) had one account: their payload's streams carry no accountId and its settings were one
 * "account" object. They are read with everything in `legacyAccountId` (the server's configured
 * account) and written back as version 3 on the next change. A server that predates accounts
 * refuses version 3 rather than merge two accounts' streams of one name, or misread sealed frames.
 */
import { crc32c } from "../crc32c.js";
import { readU64, writeU64 } from "../binary.js";

/** The version written. */
export const catalogFormatVersion = 3;
/** Before accounts: one account's streams, without accountId; 2 marked data keys (sealed frames in the logs). */
const legacyFormatVersions: readonly number[] = [1, 2];
// A service's own entries live under a namespaced account, `<service>@<accountId>` (Firehose's
// DirectPut ingest logs: `firehose@<accountId>`), which no Kinesis caller can name.
const accountIdPattern = /^(?:[a-z][a-z0-9-]*@)?\d{12}$/;
const headerBytes = 32;
const magic = Buffer.from("TRCT", "latin1");

export interface CatalogSnapshot {
  generation: number;
  secret: Buffer;
  /** The catalog's entries, each carrying its key (catalogEntryKey). */
  streams: object[];
  /** Per account; written only once some account's settings are stored. */
  accounts: Record<string, object>;
}

/**
 * The log stream id a format 3 entry owns (its `streamId` member, absent for entries without logs):
 * the engine keeps the logs of these ids when it opens and removes the rest (LogStore).
 */
export function catalogEntryLogId(entry: object): string | undefined {
  const { streamId } = entry as { streamId?: unknown };
  return typeof streamId === "string" ? streamId : undefined;
}

/** The (accountId, name) a format 3 entry is stored under: its `accountId` and `StreamName` members. */
export function catalogEntryKey(entry: object): { accountId: string; name: string } {
  const { accountId, StreamName } = entry as { accountId?: unknown; StreamName?: unknown };
  return { accountId: String(accountId), name: String(StreamName) };
}

export function encodeCatalog(snapshot: CatalogSnapshot): Buffer {
  const body: Record<string, unknown> = { secret: snapshot.secret.toString("base64"), streams: snapshot.streams };
  if (Object.keys(snapshot.accounts).length > 0) body.accounts = snapshot.accounts;
  const payload = Buffer.from(JSON.stringify(body), "utf8");
  const header = Buffer.alloc(headerBytes);
  magic.copy(header, 0);
  header.writeUInt16LE(catalogFormatVersion, 4);
  header.writeUInt16LE(headerBytes, 6);
  writeU64(header, snapshot.generation, 8);
  header.writeUInt32LE(payload.length, 16);
  header.writeUInt32LE(crc32c(payload), 20);
  header.writeUInt32LE(crc32c(header, 0, 28), 28);
  return Buffer.concat([header, payload]);
}

export type CatalogDecodeOutcome = { ok: true; snapshot: CatalogSnapshot } | { ok: false; reason: string };

/** Decodes a snapshot; a version 1 or 2 file's streams and settings are given to `legacyAccountId`. */
export function decodeCatalog(bytes: Buffer, legacyAccountId: string): CatalogDecodeOutcome {
  if (bytes.length < headerBytes) return { ok: false, reason: "catalog file is incomplete" };
  if (!bytes.subarray(0, 4).equals(magic)) return { ok: false, reason: "not a catalog file" };
  if (crc32c(bytes, 0, 28) !== bytes.readUInt32LE(28)) return { ok: false, reason: "catalog header checksum mismatch" };
  const version = bytes.readUInt16LE(4);
  const legacy = legacyFormatVersions.includes(version);
  if (version !== catalogFormatVersion && !legacy) {
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
  const body = parsed as { secret?: unknown; streams?: unknown; account?: unknown; accounts?: unknown };
  if (typeof body !== "object" || body === null || typeof body.secret !== "string" || !Array.isArray(body.streams)) {
    return { ok: false, reason: "catalog payload lacks its secret or streams" };
  }
  const secret = Buffer.from(body.secret, "base64");
  if (secret.length !== 32) return { ok: false, reason: "catalog secret has the wrong length" };
  const streams = body.streams as Record<string, unknown>[];
  const snapshot: CatalogSnapshot = { generation: readU64(bytes, 8), secret, streams, accounts: {} };
  if (legacy) {
    for (const meta of streams) meta.accountId = legacyAccountId;
    if (body.account !== undefined) {
      if (!isObject(body.account)) return { ok: false, reason: "catalog account settings are not an object" };
      snapshot.accounts[legacyAccountId] = body.account;
    }
    return { ok: true, snapshot };
  }
  if (streams.some((meta) => !isObject(meta) || typeof meta.accountId !== "string" || !accountIdPattern.test(meta.accountId))) {
    return { ok: false, reason: "catalog stream lacks its accountId" };
  }
  if (body.accounts !== undefined) {
    if (!isObject(body.accounts)) return { ok: false, reason: "catalog account settings are not an object" };
    for (const [accountId, settings] of Object.entries(body.accounts)) {
      if (!accountIdPattern.test(accountId) || !isObject(settings)) return { ok: false, reason: "catalog account settings are not an object" };
      snapshot.accounts[accountId] = settings;
    }
  }
  return { ok: true, snapshot };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
