import { it } from "node:test";
import assert from "node:assert/strict";
import snappy from "snappyjs";
import { compressAll, compressorFor } from "../../src/firehose/output/index.js";
import { snappyBlockBytes, snappyJavaMagic, snappyPieceBytes } from "../../src/firehose/output/compression/snappy.js";
import { snappyWorkerJobs, snappyWorkersMax } from "../../src/firehose/output/compression/snappy-workers.js";
import { SeededRandom } from "../../src/util/random.js";

/**
 * The Snappy formats compressed on worker threads a piece (32 blocks) at a time
 * (snappy-workers.ts) are byte for byte the stream a serial writer makes: built here block by
 * block with snappyjs and each container's framing (snappy.ts; output-compression.test.ts reads
 * the containers back with decoders written from their specs).
 */

function lines(count: number): Buffer {
  const random = new SeededRandom(5);
  return Buffer.concat(
    Array.from({ length: count }, (_, n) => {
      const bytes = random.bytes(32);
      return Buffer.from(`{"n":${n},"id":"${bytes.toString("hex")}","msg":"${"event ok ".repeat(100)}"}\n`);
    }),
  );
}

function serial(framing: "Snappy" | "HADOOP_SNAPPY", input: Buffer): Buffer {
  const parts: Buffer[] = [];
  if (framing === "Snappy") {
    const header = Buffer.alloc(16);
    snappyJavaMagic.copy(header, 0);
    header.writeUInt32BE(1, 8);
    header.writeUInt32BE(1, 12);
    parts.push(header);
  }
  for (let at = 0; at < input.length; at += snappyBlockBytes) {
    const block = input.subarray(at, Math.min(at + snappyBlockBytes, input.length));
    const raw = snappy.compress(block);
    const head = Buffer.alloc(framing === "HADOOP_SNAPPY" ? 8 : 4);
    if (framing === "HADOOP_SNAPPY") {
      head.writeUInt32BE(block.length, 0);
      head.writeUInt32BE(raw.length, 4);
    } else {
      head.writeUInt32BE(raw.length, 0);
    }
    parts.push(head, Buffer.from(raw));
  }
  return Buffer.concat(parts);
}

const plain = lines(5000); // ~5 MiB: several pieces and a partial one

it("firehose > output > snappy workers > both containers are byte for byte the serial stream, across pieces", async () => {
  assert.ok(plain.length > 4 * snappyPieceBytes && plain.length % snappyPieceBytes !== 0);
  for (const format of ["Snappy", "HADOOP_SNAPPY"] as const) {
    const expected = serial(format, plain);
    assert.ok((await compressAll(format, [plain])).equals(expected), `${format} in one write`);
    const cuts = [1, snappyPieceBytes - 3, 7, 2 * snappyPieceBytes + 5];
    const pieces = [];
    for (let at = 0, k = 0; at < plain.length; k++) {
      const end = Math.min(plain.length, at + cuts[k % cuts.length]!);
      pieces.push(plain.subarray(at, end));
      at = end;
    }
    assert.ok((await compressAll(format, pieces)).equals(expected), `${format} in odd writes`);
    for (const length of [snappyPieceBytes, snappyPieceBytes + 1]) {
      assert.ok((await compressAll(format, [plain.subarray(0, length)])).equals(serial(format, plain.subarray(0, length))), `${format} of ${length}`);
    }
  }
});

it("firehose > output > snappy workers > at most two workers whatever the number of compressors, and drain bounds a compressor's queue", async () => {
  const compressors = Array.from({ length: 4 }, (_, i) => compressorFor(i % 2 === 0 ? "Snappy" : "HADOOP_SNAPPY"));
  for (const compressor of compressors) compressor.write(plain);
  assert.ok(snappyWorkerJobs().workers <= snappyWorkersMax);
  const perCompressor = Math.floor(plain.length / snappyPieceBytes);
  assert.equal(snappyWorkerJobs().jobs, 4 * perCompressor);
  await compressors[0]!.drain();
  assert.ok(snappyWorkerJobs().jobs < 4 * perCompressor);
  const bodies = await Promise.all(compressors.map((compressor) => compressor.finish()));
  assert.equal(snappyWorkersMax, 2);
  assert.ok(bodies[0]!.equals(serial("Snappy", plain)));
  assert.ok(bodies[1]!.equals(serial("HADOOP_SNAPPY", plain)));
  assert.equal(snappyWorkerJobs().jobs, 0);
});

it("firehose > output > snappy workers > discard releases a drain that waits; finish after it fails", async () => {
  const compressor = compressorFor("Snappy");
  compressor.write(plain);
  const draining = compressor.drain();
  compressor.discard();
  await draining;
  assert.throws(() => compressor.write(Buffer.from("x")), /already finished/);
  await assert.rejects(compressor.finish(), /already finished/);
  while (snappyWorkerJobs().jobs > 0) await new Promise((resolve) => setImmediate(resolve));
});
