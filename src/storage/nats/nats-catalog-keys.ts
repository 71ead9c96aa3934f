/**
 * The catalog bucket's keys (docs/formats/nats.md "Catalog"):
 *
 *   e.<account>.<name>   an entry (a service's resource: a Kinesis stream, …), JSON
 *   s.<account>          an account's settings, JSON
 *   secret               the cluster's iterator-signing secret, 32 raw bytes
 *
 * KV keys allow only `A-Z a-z 0-9 - _ = / .`, with `.` separating tokens that may not be empty,
 * while account ids and names are any strings. Each is written as one token: bytes of its UTF-8
 * form outside `A-Z a-z 0-9 - _` as `=` and two upper-case hex digits (`.` → `=2E`), and the empty
 * string as a lone `=` (which no escape produces). Keys stay readable in `nats kv ls` for the
 * usual names, and decoding is exact.
 */

const plainByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x5f;

/** One KV key token for any string. */
export function encodeToken(text: string): string {
  if (text === "") return "=";
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out += plainByte(byte) ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The string `encodeToken` made `token` from, or undefined if it is not such a token. */
export function decodeToken(token: string): string | undefined {
  if (token === "=") return "";
  if (token === "") return undefined;
  const bytes: number[] = [];
  for (let at = 0; at < token.length; ) {
    const code = token.charCodeAt(at);
    if (code === 0x3d) {
      const hex = token.slice(at + 1, at + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      at += 3;
    } else if (plainByte(code)) {
      bytes.push(code);
      at += 1;
    } else {
      return undefined;
    }
  }
  const text = Buffer.from(bytes).toString("utf8");
  // A token is canonical: anything else (an escaped plain byte, invalid UTF-8) is not ours.
  return encodeToken(text) === token ? text : undefined;
}

export const secretKey = "secret";

export function entryKey(accountId: string, name: string): string {
  return `e.${encodeToken(accountId)}.${encodeToken(name)}`;
}

export function settingsKey(accountId: string): string {
  return `s.${encodeToken(accountId)}`;
}

export type CatalogKey = { kind: "entry"; accountId: string; name: string } | { kind: "settings"; accountId: string } | { kind: "secret" };

/** What a key of the bucket names, or undefined for a key this format does not know (left alone). */
export function parseKey(key: string): CatalogKey | undefined {
  if (key === secretKey) return { kind: "secret" };
  const tokens = key.split(".");
  if (tokens[0] === "e" && tokens.length === 3) {
    const accountId = decodeToken(tokens[1]!);
    const name = decodeToken(tokens[2]!);
    return accountId === undefined || name === undefined ? undefined : { kind: "entry", accountId, name };
  }
  if (tokens[0] === "s" && tokens.length === 2) {
    const accountId = decodeToken(tokens[1]!);
    return accountId === undefined ? undefined : { kind: "settings", accountId };
  }
  return undefined;
}
