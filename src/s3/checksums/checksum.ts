/**
 * The checksums S3 computes over object data (Amazon S3 User Guide, "Checking object integrity"):
 * CRC32, CRC32C, CRC64NVME, SHA1 and SHA256, each sent on the wire as the base64 of the
 * big-endian digest bytes (`x-amz-checksum-crc32: NhCmhg==`), and MD5 for Content-MD5 and ETags.
 * All incremental: an object streams through `update` and is never held whole.
 */
import { createHash, type Hash } from "node:crypto";
import { createRequire } from "node:module";
import type { Crc64Nvme as Crc64NvmeType } from "@aws-sdk/crc64-nvme";
import { crc32, type Crc } from "../../util/crc32.js";
import { crc32c } from "../../storage/embedded/crc32c.js";

import type { ChecksumAlgorithm } from "../../storage/objects/object-meta.js";

export type { ChecksumAlgorithm };

export const checksumAlgorithms: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Digest size in bytes, which a base64 value must decode to. */
export const checksumDigestBytes: Readonly<Record<ChecksumAlgorithm, number>> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** `x-amz-checksum-crc32` for CRC32: the header (and trailer) name of each algorithm. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm a header or trailer name stands for, or undefined. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const lower = name.trim().toLowerCase();
  return checksumAlgorithms.find((algorithm) => checksumHeaderName(algorithm) === lower);
}

/** `crc32`, `CRC32C`… as x-amz-sdk-checksum-algorithm and x-amz-checksum-algorithm name them (case-insensitive). */
export function parseChecksumAlgorithm(text: string): ChecksumAlgorithm | undefined {
  const upper = text.trim().toUpperCase();
  return checksumAlgorithms.find((algorithm) => algorithm === upper);
}

export interface Checksum {
  update(data: Uint8Array): void;
  /** The digest, big-endian; call once, after the last update. */
  digest(): Promise<Buffer>;
}

class CrcChecksum implements Checksum {
  private crc = 0;
  constructor(private readonly next: Crc) {}
  update(data: Uint8Array): void {
    this.crc = this.next(data, 0, data.length, this.crc);
  }
  async digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc);
    return out;
  }
}

class HashChecksum implements Checksum {
  private readonly hash: Hash;
  constructor(name: string) {
    this.hash = createHash(name);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Buffer> {
    return this.hash.digest();
  }
}

class Crc64Checksum implements Checksum {
  private readonly crc = new (crc64Nvme())();
  update(data: Uint8Array): void {
    this.crc.update(data);
  }
  async digest(): Promise<Buffer> {
    return Buffer.from(await this.crc.digest());
  }
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "CRC32":
      return new CrcChecksum(crc32);
    case "CRC32C":
      return new CrcChecksum(crc32c);
    case "CRC64NVME":
      return new Crc64Checksum();
    case "SHA1":
      return new HashChecksum("sha1");
    case "SHA256":
      return new HashChecksum("sha256");
  }
}

/** The checksum of one buffer, as base64. */
export async function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array): Promise<string> {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return (await checksum.digest()).toString("base64");
}

/**
 * A base64 checksum value's digest bytes, when it is one: canonical base64 (padding included,
 * nothing after it) of exactly the algorithm's digest size. S3 answers anything else with
 * InvalidRequest "Value for x-amz-checksum-… header is invalid.".
 */
export function decodeChecksumValue(algorithm: ChecksumAlgorithm, value: string): Buffer | undefined {
  const text = value.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== checksumDigestBytes[algorithm]) return undefined;
  return bytes.toString("base64") === text ? bytes : undefined;
}

/**
 * @aws-sdk/crc64-nvme, loaded on the first CRC64NVME checksum: loading it costs ~45 ms, which a
 * server start should not pay for a checksum few clients send.
 */
let crc64NvmeClass: typeof Crc64NvmeType | undefined;
function crc64Nvme(): typeof Crc64NvmeType {
  crc64NvmeClass ??= (createRequire(import.meta.url)("@aws-sdk/crc64-nvme") as { Crc64Nvme: typeof Crc64NvmeType }).Crc64Nvme;
  return crc64NvmeClass;
}
