/**
 * The hashing worker's program (hash-pool.ts runs it with `new Worker(source, { eval: true })`):
 * plain JavaScript in a string, so the same worker starts from the TypeScript sources under tsx,
 * from dist/ and from the single-file bundle (dist/bundle), none of which has a worker file at a
 * path the others would find.
 *
 * It keeps, per request id, the running MD5, the whole-body SHA-256 when the signature names one,
 * and the checksums asked for. Messages in (in order, per request):
 *   ["begin", id, { sha256: boolean, algorithms: string[] }]
 *   ["data", id, ArrayBuffer, length]               (transferred; acknowledged with ["ack", id, length, ArrayBuffer],
 *                                                    the buffer transferred back for the next batch)
 *   ["end", id]                                     (answered ["done", id, { md5, sha256Hex?, checksums }])
 *   ["drop", id]                                    (the request went away: forget it, no answer)
 * and ["failed", id, message] out when a request's hashing throws. md5 and the checksums come back
 * as raw digest bytes (Uint8Array), the checksums by algorithm name.
 *
 * CRC32 is zlib's where Node has it; otherwise, and for CRC32C, the slicing-by-8 loop of
 * src/util/crc32.ts and src/storage/embedded/crc32c.ts, written again here (the worker cannot
 * import TypeScript modules from a string); CRC64NVME is @aws-sdk/crc64-nvme,
 * required from the package's own node_modules (`requireBase`, workerData). The digests are tested
 * equal to the main thread's (test/s3/chunked-worker.test.ts).
 */
export const hashWorkerSource = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const packageRequire = require("node:module").createRequire(workerData.requireBase);

function slicingTables(polynomial) {
  const tables = [];
  for (let t = 0; t < 8; t++) tables.push(new Int32Array(256));
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    tables[0][byte] = crc;
  }
  for (let t = 1; t < 8; t++) {
    for (let byte = 0; byte < 256; byte++) {
      const value = tables[t - 1][byte];
      tables[t][byte] = (value >>> 8) ^ tables[0][value & 0xff];
    }
  }
  return tables;
}

function crcFunction(polynomial) {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = slicingTables(polynomial);
  return function crc(bytes, previous) {
    let crc = ~previous;
    let i = 0;
    const end = bytes.length;
    const stop8 = end - 8;
    while (i <= stop8) {
      const low = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ crc;
      const high = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
      crc = t7[low & 0xff] ^ t6[(low >>> 8) & 0xff] ^ t5[(low >>> 16) & 0xff] ^ t4[low >>> 24] ^ t3[high & 0xff] ^ t2[(high >>> 8) & 0xff] ^ t1[(high >>> 16) & 0xff] ^ t0[high >>> 24];
      i += 8;
    }
    while (i < end) crc = t0[(crc ^ bytes[i++]) & 0xff] ^ (crc >>> 8);
    return ~crc >>> 0;
  };
}

let crcs;
function crc32Checksum(polynomial) {
  crcs ??= new Map();
  let next = crcs.get(polynomial);
  // zlib's CRC-32 (Node >= 20.15) runs at ~3 GB/s, five times the table loop; CRC32C has no native form.
  const native = polynomial === 0xedb88320 ? require("node:zlib").crc32 : undefined;
  if (next === undefined) crcs.set(polynomial, (next = native !== undefined ? (bytes, previous) => native(bytes, previous) : crcFunction(polynomial)));
  let crc = 0;
  return {
    update(bytes) { crc = next(bytes, crc); },
    async digest() { const out = Buffer.alloc(4); out.writeUInt32BE(crc); return out; },
  };
}

function hashChecksum(name) {
  const hash = createHash(name);
  return { update(bytes) { hash.update(bytes); }, async digest() { return hash.digest(); } };
}

function createChecksum(algorithm) {
  switch (algorithm) {
    case "CRC32": return crc32Checksum(0xedb88320);
    case "CRC32C": return crc32Checksum(0x82f63b78);
    case "CRC64NVME": {
      const crc = new (packageRequire("@aws-sdk/crc64-nvme").Crc64Nvme)();
      return { update(bytes) { crc.update(bytes); }, async digest() { return Buffer.from(await crc.digest()); } };
    }
    case "SHA1": return hashChecksum("sha1");
    case "SHA256": return hashChecksum("sha256");
    default: throw new Error("unknown checksum algorithm " + algorithm);
  }
}

const requests = new Map();

async function finish(id, request) {
  const checksums = {};
  for (const [algorithm, checksum] of request.checksums) checksums[algorithm] = new Uint8Array(await checksum.digest());
  const md5 = new Uint8Array(request.md5.digest());
  const sha256Hex = request.sha256 === undefined ? undefined : request.sha256.digest("hex");
  parentPort.postMessage(["done", id, { md5, sha256Hex, checksums }]);
}

parentPort.on("message", (message) => {
  const [kind, id, value, length] = message;
  const request = requests.get(id);
  try {
    switch (kind) {
      case "begin":
        requests.set(id, {
          md5: createHash("md5"),
          sha256: value.sha256 ? createHash("sha256") : undefined,
          checksums: new Map(value.algorithms.map((algorithm) => [algorithm, createChecksum(algorithm)])),
        });
        return;
      case "data": {
        if (request === undefined) return;
        const bytes = new Uint8Array(value, 0, length);
        request.md5.update(bytes);
        request.sha256?.update(bytes);
        for (const checksum of request.checksums.values()) checksum.update(bytes);
        parentPort.postMessage(["ack", id, length, value], [value]);
        return;
      }
      case "end":
        if (request === undefined) return;
        requests.delete(id);
        finish(id, request).catch((error) => parentPort.postMessage(["failed", id, String(error && error.stack || error)]));
        return;
      case "drop":
        requests.delete(id);
        return;
      case "crash":
        // Tests only (hash-pool.ts crashHashWorkersForTest): a worker dying mid-request.
        process.exit(70);
    }
  } catch (error) {
    requests.delete(id);
    parentPort.postMessage(["failed", id, String(error && error.stack || error)]);
  }
});
`;
