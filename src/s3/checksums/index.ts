/**
 * S3's object checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), incremental, base64 of the
 * big-endian digest as S3 sends them, and the multipart forms (composite `…-N`, full object).
 *
 *   const crc = createChecksum("CRC32"); crc.update(chunk); (await crc.digest()).toString("base64")
 *   await compositeChecksum("CRC32", [{ checksum: "…", sizeBytes }]) → "…-2"
 */
export {
  algorithmOfHeader, checksumAlgorithms, checksumBase64, checksumDigestBytes, checksumHeaderName, createChecksum,
  decodeChecksumValue, parseChecksumAlgorithm, type Checksum, type ChecksumAlgorithm,
} from "./checksum.js";
export { compositeChecksum, fullObjectChecksum, multipartChecksumTypes, type ChecksumType, type PartChecksum } from "./multipart.js";
