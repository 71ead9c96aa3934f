/**
 * A multipart object's checksum from its parts' checksums, in the two forms S3 has (User Guide,
 * "Checking object integrity for data uploads in Amazon S3", checksum types):
 *
 * - COMPOSITE ("checksum of checksums"): the algorithm over the concatenated raw digests of the
 *   parts, in part order, shown as `<base64>-<number of parts>`. CRC32, CRC32C, SHA1, SHA256.
 * - FULL_OBJECT: the CRC of the whole object's bytes, found from the part CRCs and sizes alone
 *   (CRC combination, as zlib's crc32_combine), so the parts are never read again. CRC32, CRC32C
 *   and CRC64NVME; CRC64NVME has only this form.
 */
import { checksumBase64, decodeChecksumValue, type ChecksumAlgorithm } from "./checksum.js";

export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";

/** Which checksum types S3 allows for each algorithm of a multipart upload, default first. */
export const multipartChecksumTypes: Readonly<Record<ChecksumAlgorithm, readonly ChecksumType[]>> = {
  CRC32: ["COMPOSITE", "FULL_OBJECT"],
  CRC32C: ["COMPOSITE", "FULL_OBJECT"],
  CRC64NVME: ["FULL_OBJECT"],
  SHA1: ["COMPOSITE"],
  SHA256: ["COMPOSITE"],
};

export interface PartChecksum {
  /** The part's checksum, base64, as UploadPart returned it. */
  checksum: string;
  sizeBytes: number;
}

/** `<base64>-N`: the checksum of the parts' concatenated digests. Undefined if a part's value is not a valid digest. */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, parts: readonly PartChecksum[]): Promise<string | undefined> {
  const digests: Buffer[] = [];
  for (const part of parts) {
    const digest = decodeChecksumValue(algorithm, part.checksum);
    if (digest === undefined) return undefined;
    digests.push(digest);
  }
  return `${await checksumBase64(algorithm, Buffer.concat(digests))}-${parts.length}`;
}

interface CrcParameters {
  widthBits: bigint;
  /** The generator polynomial, bit-reflected (these CRCs process the least significant bit first). */
  reflectedPolynomial: bigint;
}

const crcParameters: Partial<Record<ChecksumAlgorithm, CrcParameters>> = {
  CRC32: { widthBits: 32n, reflectedPolynomial: 0xedb88320n },
  CRC32C: { widthBits: 32n, reflectedPolynomial: 0x82f63b78n },
  CRC64NVME: { widthBits: 64n, reflectedPolynomial: 0x9a6c9329ac4bc9b5n },
};

/** a·b modulo the polynomial, in the reflected representation (zlib's multmodp, any width). */
function multiplyModulo(a: bigint, b: bigint, crc: CrcParameters): bigint {
  let mask = 1n << (crc.widthBits - 1n);
  let product = 0n;
  while (mask !== 0n) {
    if ((a & mask) !== 0n) product ^= b;
    mask >>= 1n;
    b = (b & 1n) !== 0n ? (b >> 1n) ^ crc.reflectedPolynomial : b >> 1n;
  }
  return product;
}

/** x^(8·lengthBytes) modulo the polynomial: what shifting a CRC past `lengthBytes` zero bytes multiplies it by. */
function shiftOperator(lengthBytes: bigint, crc: CrcParameters): bigint {
  let power = 1n << (crc.widthBits - 1n); // x^0
  let square = 1n << (crc.widthBits - 2n); // x^1, squared below into x^2, x^4, …
  let exponent = lengthBytes * 8n;
  while (exponent > 0n) {
    if ((exponent & 1n) !== 0n) power = multiplyModulo(square, power, crc);
    square = multiplyModulo(square, square, crc);
    exponent >>= 1n;
  }
  return power;
}

/**
 * The CRC of the whole object from each part's CRC and size: crc(A‖B) = crc(A)·x^(8·|B|) ⊕ crc(B)
 * for these CRCs (initial value and final XOR all ones, which cancel out in the combination).
 * Undefined for a non-CRC algorithm or a part value that is not a valid digest.
 */
export function fullObjectChecksum(algorithm: ChecksumAlgorithm, parts: readonly PartChecksum[]): string | undefined {
  const crc = crcParameters[algorithm];
  if (crc === undefined) return undefined;
  const bytes = Number(crc.widthBits / 8n);
  let combined = 0n;
  for (const [index, part] of parts.entries()) {
    const digest = decodeChecksumValue(algorithm, part.checksum);
    if (digest === undefined) return undefined;
    const value = BigInt("0x" + digest.toString("hex"));
    combined = index === 0 ? value : multiplyModulo(shiftOperator(BigInt(part.sizeBytes), crc), combined, crc) ^ value;
  }
  if (parts.length === 0) return Buffer.alloc(bytes).toString("base64"); // the CRC of no bytes is 0 for these CRCs
  return Buffer.from(combined.toString(16).padStart(bytes * 2, "0"), "hex").toString("base64");
}
