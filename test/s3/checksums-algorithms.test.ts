/**
 * The checksums against independent references: each CRC's standard check value over "123456789"
 * (the CRC catalogue's `check` parameter), a bitwise reference implementation written here, and
 * node:crypto for SHA; incremental updates in any split; the multipart forms (composite `…-N`
 * and the full-object CRC combined from part CRCs) against the whole object's own checksum.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  checksumBase64, compositeChecksum, createChecksum, decodeChecksumValue, fullObjectChecksum, multipartChecksumTypes, type ChecksumAlgorithm,
} from "../../src/s3/checksums/index.js";
import { randomSplits, seededRandom } from "./auth-helpers.js";

/** A reflected CRC, bit by bit, initial value and final XOR all ones: slow and obviously right. */
function referenceCrc(reflectedPolynomial: bigint, widthBits: bigint, data: Uint8Array): Buffer {
  const mask = (1n << widthBits) - 1n;
  let crc = mask;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = (crc & 1n) !== 0n ? (crc >> 1n) ^ reflectedPolynomial : crc >> 1n;
  }
  return Buffer.from((crc ^ mask).toString(16).padStart(Number(widthBits / 4n), "0"), "hex");
}

const reference: Record<ChecksumAlgorithm, (data: Uint8Array) => Buffer> = {
  CRC32: (data) => referenceCrc(0xedb88320n, 32n, data),
  CRC32C: (data) => referenceCrc(0x82f63b78n, 32n, data),
  CRC64NVME: (data) => referenceCrc(0x9a6c9329ac4bc9b5n, 64n, data),
  SHA1: (data) => createHash("sha1").update(data).digest(),
  SHA256: (data) => createHash("sha256").update(data).digest(),
};

const algorithms = Object.keys(reference) as ChecksumAlgorithm[];

describe("s3 checksums > algorithms", () => {
  it("the CRCs' standard check values over '123456789'", async () => {
    const check = Buffer.from("123456789");
    assert.equal((await checksumBase64("CRC32", check)), Buffer.from("cbf43926", "hex").toString("base64"));
    assert.equal((await checksumBase64("CRC32C", check)), Buffer.from("e3069283", "hex").toString("base64"));
    assert.equal((await checksumBase64("CRC64NVME", check)), Buffer.from("ae8b14860a799888", "hex").toString("base64"));
    // S3's own example: the CRC32 of "hello" as the AWS CLI prints it.
    assert.equal(await checksumBase64("CRC32", Buffer.from("hello")), "NhCmhg==");
  });

  it("every algorithm matches its reference over random data, updated in any split", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const data = randomBytes(Math.floor(random() * 3000));
      for (const algorithm of algorithms) {
        const checksum = createChecksum(algorithm);
        for (const piece of randomSplits(data, random)) checksum.update(piece);
        assert.deepEqual(await checksum.digest(), reference[algorithm](data), `${algorithm}, seed ${seed}`);
      }
    }
  });

  it("a checksum value must be canonical base64 of the algorithm's digest size", () => {
    assert.ok(decodeChecksumValue("CRC32", "NhCmhg=="));
    assert.ok(decodeChecksumValue("CRC32", " NhCmhg== "), "surrounding spaces are trimmed as header values are");
    for (const bad of ["NhCmhg", "NhCmhg=", "NhCmhg==x", "NhCmhh==", "AAAAAAAAAAA=", "", "bad", "Nh-mhg=="]) {
      assert.equal(decodeChecksumValue("CRC32", bad), undefined, bad);
    }
    assert.equal(decodeChecksumValue("CRC64NVME", "NhCmhg=="), undefined);
    assert.equal(decodeChecksumValue("SHA256", createHash("sha256").update("x").digest("base64"))?.length, 32);
  });
});

describe("s3 checksums > multipart", () => {
  it("which forms each algorithm has, as the S3 User Guide lists them", () => {
    assert.deepEqual(multipartChecksumTypes, {
      CRC32: ["COMPOSITE", "FULL_OBJECT"],
      CRC32C: ["COMPOSITE", "FULL_OBJECT"],
      CRC64NVME: ["FULL_OBJECT"],
      SHA1: ["COMPOSITE"],
      SHA256: ["COMPOSITE"],
    });
  });

  it("composite: the checksum of the parts' concatenated digests, then -N", async () => {
    const parts = [randomBytes(1000), randomBytes(10), randomBytes(0)];
    for (const algorithm of ["CRC32", "CRC32C", "SHA1", "SHA256"] as const) {
      const partChecksums = await Promise.all(parts.map(async (part) => ({ checksum: await checksumBase64(algorithm, part), sizeBytes: part.length })));
      const expected = reference[algorithm](Buffer.concat(parts.map((part) => reference[algorithm](part)))).toString("base64");
      assert.equal(await compositeChecksum(algorithm, partChecksums), `${expected}-3`);
    }
    assert.equal(await compositeChecksum("CRC32", [{ checksum: "bad", sizeBytes: 1 }]), undefined);
  });

  it("full object: the part CRCs combine into the CRC of the whole object", async () => {
    for (let seed = 1; seed <= 15; seed++) {
      const random = seededRandom(seed);
      const whole = randomBytes(Math.floor(random() * 20_000));
      const parts = randomSplits(whole, random, 6);
      for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
        const partChecksums = await Promise.all(parts.map(async (part) => ({ checksum: await checksumBase64(algorithm, part), sizeBytes: part.length })));
        assert.equal(fullObjectChecksum(algorithm, partChecksums), reference[algorithm](whole).toString("base64"), `${algorithm}, seed ${seed}, ${parts.length} parts`);
      }
    }
    assert.equal(fullObjectChecksum("SHA256", [{ checksum: createHash("sha256").digest("base64"), sizeBytes: 0 }]), undefined);
    assert.equal(fullObjectChecksum("CRC32", []), "AAAAAA==");
  });
});

describe("s3 > checksums > zlib's CRC-32", () => {
  it("s3 > checksums > zlib's CRC-32 > gives what the table loop gives, whole and continued across random splits", async () => {
    const { crc32, crc32Loop } = await import("../../src/util/crc32.js");
    const random = seededRandom(15);
    for (let round = 0; round < 50; round++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 5000) }, () => Math.floor(random() * 256)));
      const cut = Math.floor(random() * (bytes.length + 1));
      assert.equal(crc32(bytes), crc32Loop(bytes));
      assert.equal(crc32(bytes, cut, bytes.length, crc32(bytes, 0, cut)), crc32Loop(bytes));
      assert.equal(crc32(bytes.subarray(cut), 0, bytes.length - cut, crc32(bytes.subarray(0, cut))), crc32Loop(bytes));
    }
  });
});
