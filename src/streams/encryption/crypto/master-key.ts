/**
 * The master key: the one secret that encryption at rest rests on (docs/encryption.md). It never
 * encrypts records itself: it wraps each stream's data keys, which are stored in the catalog.
 *
 * Text form (TRIBUTARY_MASTER_KEY, --master-key-file, the generated `<dataDir>/master.key`):
 * standard base64 of exactly 32 random bytes, surrounding whitespace ignored —
 * `openssl rand -base64 32` makes one.
 *
 * Two keys are derived from it with HKDF-SHA256, so no key serves two purposes: the wrapping key
 * (AES-256-GCM over data keys) and the key id, a fingerprint that names the key in the catalog
 * and in error messages without revealing anything about it.
 */
import { hkdfSync, randomBytes } from "node:crypto";
import { decodeStrictBase64 } from "../../../util/bytes.js";

export const masterKeyBytes = 32;
const wrappingInfo = Buffer.from("tributary master key: data key wrapping v1");
const idInfo = Buffer.from("tributary master key: key id v1");
const idBytes = 8;

export interface MasterKey {
  /** Hex fingerprint (16 characters): stored beside every key it wraps. */
  readonly id: string;
  /** The AES-256-GCM key that wraps data keys. */
  readonly wrappingKey: Buffer;
}

/**
 * Where the master key comes from. A source that generates its key does so on first need
 * (`obtain`), never merely because the server started.
 */
export interface MasterKeySource {
  /** Names the source in messages: "TRIBUTARY_MASTER_KEY", "--master-key-file /etc/…", a path. */
  readonly description: string;
  /** The key, if there is one already; a generating source that has not generated yet has none. */
  existing(): Promise<MasterKey | undefined>;
  /** The key, generated first if this source generates one and has none yet. */
  obtain(): Promise<MasterKey>;
}

export function masterKeyFromBytes(bytes: Buffer): MasterKey {
  if (bytes.length !== masterKeyBytes) throw new RangeError(`a master key is ${masterKeyBytes} bytes`);
  const derive = (info: Buffer, length: number) => Buffer.from(hkdfSync("sha256", bytes, Buffer.alloc(0), info, length));
  return { id: derive(idInfo, idBytes).toString("hex"), wrappingKey: derive(wrappingInfo, 32) };
}

export type MasterKeyParse = { ok: true; key: MasterKey } | { ok: false; reason: string };

/** Parses the text form; the reason never repeats the text (it may be most of a key). */
export function parseMasterKey(text: string): MasterKeyParse {
  const decoded = decodeStrictBase64(text.trim());
  if (decoded === undefined) return { ok: false, reason: "it is not standard base64" };
  if (decoded.length !== masterKeyBytes) return { ok: false, reason: `it decodes to ${decoded.length} bytes, not ${masterKeyBytes}` };
  return { ok: true, key: masterKeyFromBytes(decoded) };
}

/** A fresh key's text form. Secrets come from the CSPRNG itself, never from an injected (maybe seeded) Random. */
export function newMasterKeyText(): string {
  return randomBytes(masterKeyBytes).toString("base64") + "\n";
}

/** A key given whole (TRIBUTARY_MASTER_KEY, a key file read at start, tests). */
export function fixedMasterKey(key: MasterKey, description: string): MasterKeySource {
  return { description, existing: async () => key, obtain: async () => key };
}

/**
 * A key made on first need and kept only in memory: for the memory engine, whose records die with
 * the process anyway, and for servers started without a source (tests). Nothing survives a restart.
 */
export function ephemeralMasterKey(): MasterKeySource {
  let key: MasterKey | undefined;
  return {
    description: "a key kept in memory only (lost at restart)",
    existing: async () => key,
    obtain: async () => (key ??= masterKeyFromBytes(randomBytes(masterKeyBytes))),
  };
}
