/**
 * A DER (ITU-T X.690 Distinguished Encoding Rules) encoder for the few ASN.1 types an X.509
 * certificate needs — enough for src/server/tls-certificate.ts to build a self-signed one, since
 * node:crypto makes keys and signatures but not certificates. Encoding only; nothing here parses.
 *
 * Every value is a TLV: tag byte | length | contents. Lengths under 128 take one byte; longer
 * ones are 0x80 + the count of big-endian length bytes, then those bytes.
 */
import { assert } from "./assert.js";

export function derTlv(tag: number, contents: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(contents.length), contents]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const derSequence = (...items: Uint8Array[]): Buffer => derTlv(0x30, Buffer.concat(items));
export const derSet = (...items: Uint8Array[]): Buffer => derTlv(0x31, Buffer.concat(items));
export const derBoolean = (value: boolean): Buffer => derTlv(0x01, Buffer.from([value ? 0xff : 0x00]));
export const derNull = (): Buffer => derTlv(0x05, Buffer.alloc(0));
export const derOctetString = (bytes: Uint8Array): Buffer => derTlv(0x04, bytes);
export const derUtf8String = (text: string): Buffer => derTlv(0x0c, Buffer.from(text, "utf8"));

/** A non-negative INTEGER from its big-endian magnitude: minimal, with a 0x00 lead when the top bit is set. */
export function derUnsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  const contents = trimmed.length === 0 ? Buffer.from([0]) : trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return derTlv(0x02, contents);
}

export function derSmallInteger(value: number): Buffer {
  assert(Number.isInteger(value) && value >= 0 && value < 2 ** 31, `not a small non-negative integer: ${value}`);
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return derUnsignedInteger(Buffer.from(bytes));
}

/** An OBJECT IDENTIFIER from its dotted text (`2.5.4.3`): the first two arcs share a byte, the rest are base-128. */
export function derObjectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  assert(arcs.length >= 2 && arcs.every((arc) => Number.isSafeInteger(arc) && arc >= 0), `not an OID: ${dotted}`);
  const bytes: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift((rest & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return derTlv(0x06, Buffer.from(bytes));
}

/** A BIT STRING of whole bytes, or of `unusedBits` fewer bits at the end (which must be zero). */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return derTlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** A time as X.509 wants it: UTCTime (YYMMDDHHMMSSZ) for 1950–2049, GeneralizedTime after. */
export function derTime(epochMs: number): Buffer {
  const iso = new Date(epochMs).toISOString(); // 2026-11-26T03:00:00.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, ""); // 20261126030000
  const year = Number(iso.slice(0, 4));
  assert(year >= 1950 && year <= 9999, `certificate time out of range: ${iso}`);
  return year < 2050 ? derTlv(0x17, Buffer.from(digits.slice(2) + "Z", "ascii")) : derTlv(0x18, Buffer.from(digits + "Z", "ascii"));
}

/** `[tag]` EXPLICIT: a constructed context-specific wrapper around one encoded value. */
export const derExplicit = (tag: number, inner: Uint8Array): Buffer => derTlv(0xa0 | tag, inner);

/** `[tag]` IMPLICIT over a primitive type: the contents keep their bytes, the tag is replaced. */
export const derImplicitPrimitive = (tag: number, contents: Uint8Array): Buffer => derTlv(0x80 | tag, contents);
