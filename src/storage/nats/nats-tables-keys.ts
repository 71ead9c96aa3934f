/**
 * The tables bucket's keys and values (docs/formats/nats.md "Tables"):
 *
 *   t.<account>.<TableName>   a table's meta (TableMeta as JSON); tokens as nats-catalog-keys.ts
 *   i.<tableId>.u<base64url>  an item whose key's UTF-8 form is at most itemKeyBytesMax bytes
 *   i.<tableId>.h<base64url>  an item with a longer key (or one that is not well-formed UTF-16):
 *                             the SHA-256 of its key's UTF-16LE code units; the value names the key
 *
 * An item's value is one format byte, then:
 *   `v` the value's UTF-8 bytes (the key is the `u` token's)
 *   `j` JSON `{"k": key, "v": value}` — for `h` keys, and values that are not well-formed UTF-16
 *       (JSON escapes a lone surrogate, so the string comes back exactly)
 *
 * KV keys allow only `A-Z a-z 0-9 - _ = / .`; base64url keeps keys exact at 4/3 of their bytes,
 * and a subject must fit in NATS's control line (4 KiB), hence the hash for long keys. The keys'
 * order is kept by the local copy (nats-tables-copy.ts), not by the bucket.
 */
import { createHash } from "node:crypto";
import { decodeToken, encodeToken } from "./nats-catalog-keys.js";

/** The longest item key (UTF-8 bytes) kept readable in its KV key; longer ones are hashed. */
export const itemKeyBytesMax = 768;

const plainFormat = 0x76; // "v"
const jsonFormat = 0x6a; // "j"

/** Whether a string survives UTF-8 (no lone surrogates). */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

export function metaKey(accountId: string, tableName: string): string {
  return `t.${encodeToken(accountId)}.${encodeToken(tableName)}`;
}

/** The KV key token of an item key. */
export function itemToken(key: string): string {
  if (isWellFormed(key)) {
    const utf8 = Buffer.from(key, "utf8");
    if (utf8.length <= itemKeyBytesMax) return `u${utf8.toString("base64url")}`;
  }
  return `h${createHash("sha256").update(Buffer.from(key, "utf16le")).digest("base64url")}`;
}

export function itemKey(tableId: string, key: string): string {
  return `i.${tableId}.${itemToken(key)}`;
}

/** The filter matching every item key of a table. */
export function itemsFilter(tableId: string): string {
  return `i.${tableId}.>`;
}

export function encodeItem(key: string, value: string, token: string): Uint8Array {
  if (token.startsWith("u") && isWellFormed(value)) {
    const out = Buffer.allocUnsafe(1 + Buffer.byteLength(value, "utf8"));
    out[0] = plainFormat;
    out.write(value, 1, "utf8");
    return out;
  }
  return Buffer.concat([Buffer.of(jsonFormat), Buffer.from(JSON.stringify({ k: key, v: value }), "utf8")]);
}

/** An item's key and value from its token and stored bytes, or undefined if they are not this format. */
export function decodeItem(token: string, bytes: Uint8Array): { key: string; value: string } | undefined {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + 1, Math.max(0, bytes.length - 1));
  if (bytes[0] === plainFormat && token.startsWith("u")) {
    return { key: Buffer.from(token.slice(1), "base64url").toString("utf8"), value: body.toString("utf8") };
  }
  if (bytes[0] === jsonFormat) {
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { k?: unknown; v?: unknown };
      if (typeof parsed.k === "string" && typeof parsed.v === "string") return { key: parsed.k, value: parsed.v };
    } catch {
      // Not ours: reported by the caller.
    }
  }
  return undefined;
}

export type TablesKey =
  | { kind: "meta"; accountId: string; tableName: string }
  | { kind: "item"; tableId: string; token: string }
  | undefined;

/** What a key of the bucket names, or undefined for one this format does not know (left alone). */
export function parseTablesKey(key: string): TablesKey {
  const first = key.indexOf(".");
  const second = key.indexOf(".", first + 1);
  if (first !== 1 || second < 0) return undefined;
  if (key[0] === "i") {
    const token = key.slice(second + 1);
    return token.length > 0 && (token[0] === "u" || token[0] === "h") ? { kind: "item", tableId: key.slice(2, second), token } : undefined;
  }
  if (key[0] === "t" && key.indexOf(".", second + 1) < 0) {
    const accountId = decodeToken(key.slice(2, second));
    const tableName = decodeToken(key.slice(second + 1));
    return accountId === undefined || tableName === undefined ? undefined : { kind: "meta", accountId, tableName };
  }
  return undefined;
}
