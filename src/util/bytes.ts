export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const equalsSign = 0x3d;

/**
 * Decodes strict base64 (RFC 4648: standard alphabet, padded, zero unused bits in the last
 * character), or returns undefined for anything else. Node's decoder is lenient — it skips
 * characters outside the alphabet and accepts the URL-safe one — so strictness comes from
 * checking what it produced: any skipped character leaves the output shorter than the length
 * the text's size and padding imply.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  const length = text.length;
  if (length % 4 !== 0) return undefined;
  const decoded = Buffer.from(text, "base64");
  const padding = length === 0 || text.charCodeAt(length - 1) !== equalsSign ? 0 : text.charCodeAt(length - 2) === equalsSign ? 2 : 1;
  if (decoded.length !== (length / 4) * 3 - padding) return undefined;
  if (text.indexOf("-") !== -1 || text.indexOf("_") !== -1) return undefined;
  if (padding === 1 && (alphabetValue(text.charCodeAt(length - 2)) & 0b11) !== 0) return undefined;
  if (padding === 2 && (alphabetValue(text.charCodeAt(length - 3)) & 0b1111) !== 0) return undefined;
  return decoded;
}

/** The 6-bit value of a standard-alphabet character (the caller has ruled out anything else). */
function alphabetValue(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41; // A-Z
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26; // a-z
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52; // 0-9
  return code === 0x2b ? 62 : 63; // + and /
}
