import { it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, inflateRawSync } from "node:zlib";
import { codecInfo, compressAll, compressorFor, compressionFormats, type CompressionFormat } from "../../src/firehose/output/index.js";
import { SeededRandom } from "../../src/util/random.js";

/**
 * Every codec round-trips through a decoder that is not ours: zlib and `gunzip`, `unzip`, and for
 * the two Snappy containers readers written here from their specs (snappy-java's
 * SnappyInputStream format, Hadoop's BlockDecompressorStream) over a raw Snappy decoder written
 * here from google/snappy's format_description.txt, plus libsnappy through Debian's python3-snappy
 * when it is installed.
 */

function jsonRecords(count: number, seed = 1): Buffer[] {
  const random = new SeededRandom(seed);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];
  return Array.from({ length: count }, (_, i) => {
    const bytes = random.bytes(48);
    let text = "";
    for (let k = 0; text.length < 850; k++) text += words[bytes[k % 48]! % words.length] + (k % 7 === 0 ? bytes.toString("hex", 0, 4) : "") + " ";
    const record = JSON.stringify({ id: bytes.toString("hex", 0, 16), seq: i, ts: 1_700_000_000_000 + i, text });
    return Buffer.from(record.slice(0, 1023) + "\n");
  });
}

/** Raw Snappy (format_description.txt): varint length, then literal and copy elements. */
function snappyDecodeRaw(input: Buffer): Buffer {
  let at = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = input[at++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  const out = Buffer.alloc(length);
  let written = 0;
  while (at < input.length) {
    const tag = input[at++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let literal = tag >> 2;
      if (literal >= 60) {
        const bytes = literal - 59;
        literal = input.readUIntLE(at, bytes);
        at += bytes;
      }
      literal += 1;
      input.copy(out, written, at, at + literal);
      at += literal;
      written += literal;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      copyLength = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | input[at++]!;
    } else if (kind === 2) {
      copyLength = (tag >> 2) + 1;
      offset = input.readUInt16LE(at);
      at += 2;
    } else {
      copyLength = (tag >> 2) + 1;
      offset = input.readUInt32LE(at);
      at += 4;
    }
    assert.ok(offset > 0 && offset <= written, "copy offset inside the output");
    for (let k = 0; k < copyLength; k++) out[written + k] = out[written - offset + k]!;
    written += copyLength;
  }
  assert.equal(written, length, "raw block decodes to its declared length");
  return out;
}

/** snappy-java's stream: 16-byte header, then (compressed length, raw block) pairs. */
function readSnappyJava(body: Buffer): { data: Buffer; blockSizes: number[] } {
  assert.deepEqual([...body.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
  assert.equal(body.readUInt32BE(8), 1, "version");
  assert.equal(body.readUInt32BE(12), 1, "compatible version");
  const parts: Buffer[] = [];
  for (let at = 16; at < body.length; ) {
    const compressed = body.readUInt32BE(at);
    parts.push(snappyDecodeRaw(body.subarray(at + 4, at + 4 + compressed)));
    at += 4 + compressed;
    assert.ok(at <= body.length);
  }
  return { data: Buffer.concat(parts), blockSizes: parts.map((part) => part.length) };
}

/** Hadoop's BlockDecompressorStream: (uncompressed length, (compressed length, raw chunk)+)*. */
function readHadoopSnappy(body: Buffer): { data: Buffer; blockSizes: number[] } {
  const parts: Buffer[] = [];
  const blockSizes: number[] = [];
  for (let at = 0; at < body.length; ) {
    const blockLength = body.readUInt32BE(at);
    at += 4;
    blockSizes.push(blockLength);
    for (let produced = 0; produced < blockLength; ) {
      const compressed = body.readUInt32BE(at);
      const chunk = snappyDecodeRaw(body.subarray(at + 4, at + 4 + compressed));
      at += 4 + compressed;
      produced += chunk.length;
      parts.push(chunk);
      assert.ok(produced <= blockLength, "chunks stay inside their block");
    }
  }
  return { data: Buffer.concat(parts), blockSizes };
}

const pythonSnappy = spawnSync("/usr/bin/python3", ["-c", "import snappy.hadoop_snappy"]).status === 0;
const noPythonSnappy = pythonSnappy ? false : "Debian's python3-snappy (libsnappy) is not installed";

function python(script: string, input: Buffer): Buffer {
  return execFileSync("/usr/bin/python3", ["-c", script], { input, maxBuffer: 256 * 1024 * 1024 });
}

async function compressRecords(format: CompressionFormat, records: Buffer[]): Promise<Buffer> {
  return compressAll(format, records, { zipEntryName: "entry-1", modifiedMs: Date.UTC(2024, 4, 17, 10, 30, 42) });
}

const records = jsonRecords(300); // ~300 KiB: ten 32 KiB Snappy blocks and a partial one
const plain = Buffer.concat(records);

it("firehose > output > compression > extensions and Content-Encoding as Firehose delivers them", () => {
  assert.deepEqual(
    compressionFormats.map((format) => [format, codecInfo(format).extension, codecInfo(format).contentEncoding]),
    [
      ["UNCOMPRESSED", "", undefined],
      ["GZIP", ".gz", "gzip"],
      ["ZIP", ".zip", "zip"],
      ["Snappy", ".snappy", "snappy-java"],
      ["HADOOP_SNAPPY", ".snappy", "hadoop-snappy"],
    ],
  );
});

it("firehose > output > compression > UNCOMPRESSED is the records concatenated", async () => {
  assert.ok((await compressRecords("UNCOMPRESSED", records)).equals(plain));
  assert.equal((await compressRecords("UNCOMPRESSED", [])).length, 0);
});

it("firehose > output > compression > GZIP reads back with zlib and gunzip", async () => {
  const body = await compressRecords("GZIP", records);
  assert.deepEqual([...body.subarray(0, 3)], [0x1f, 0x8b, 8]);
  assert.ok(gunzipSync(body).equals(plain));
  assert.ok(execFileSync("gunzip", ["-c"], { input: body, maxBuffer: 64 * 1024 * 1024 }).equals(plain));
  assert.ok(body.length < plain.length / 2, "compresses JSON");
  assert.equal(gunzipSync(await compressRecords("GZIP", [])).length, 0);
});

it("firehose > output > compression > GZIP takes writes of every size, reused buffers included", async () => {
  const compressor = compressorFor("GZIP");
  const scratch = Buffer.alloc(plain.length);
  const pieces = [Buffer.from("a"), plain.subarray(0, 70_000), plain.subarray(70_000, 70_001), plain.subarray(70_001)];
  for (const piece of pieces) {
    piece.copy(scratch);
    compressor.write(scratch.subarray(0, piece.length));
    scratch.fill(0x2a); // the compressor must have taken its copy
    await compressor.drain();
  }
  assert.equal(compressor.inputBytes, plain.length + 1);
  assert.ok(gunzipSync(await compressor.finish()).equals(Buffer.concat([Buffer.from("a"), plain])));
  assert.throws(() => compressor.write(Buffer.from("late")), /already finished/);
});

it("firehose > output > compression > ZIP is one DEFLATEd entry that unzip reads", async () => {
  const body = await compressRecords("ZIP", records);
  const dir = mkdtempSync(join(tmpdir(), "firehose-zip-"));
  try {
    const file = join(dir, "object.zip");
    writeFileSync(file, body);
    assert.ok(execFileSync("unzip", ["-p", file], { maxBuffer: 64 * 1024 * 1024 }).equals(plain));
    execFileSync("unzip", ["-tq", file]); // checks the CRC
    const listing = execFileSync("unzip", ["-Z", "-l", file]).toString();
    assert.match(listing, /1 file/);
    assert.match(listing, / defN .* entry-1\n/);
    assert.match(execFileSync("unzip", ["-Z", "-T", file]).toString(), /20240517\.1030(42|43|40)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The layout Java's ZipOutputStream writes: data descriptor flag and UTF-8 names, version 2.0.
  assert.equal(body.readUInt32LE(0), 0x04034b50);
  assert.equal(body.readUInt16LE(4), 20);
  assert.equal(body.readUInt16LE(6), 0x0808);
  assert.equal(body.readUInt16LE(8), 8);
  const nameLength = body.readUInt16LE(26);
  const descriptorAt = body.length - 22 - (46 + nameLength) - 16;
  assert.equal(body.readUInt32LE(descriptorAt), 0x08074b50);
  const compressedSize = body.readUInt32LE(descriptorAt + 8);
  assert.ok(inflateRawSync(body.subarray(30 + nameLength, 30 + nameLength + compressedSize)).equals(plain));
});

it("firehose > output > compression > ZIP of nothing is a valid archive with an empty entry", async () => {
  const body = await compressAll("ZIP", [], { random: new SeededRandom(3) });
  const dir = mkdtempSync(join(tmpdir(), "firehose-zip-"));
  try {
    const file = join(dir, "empty.zip");
    writeFileSync(file, body);
    assert.equal(execFileSync("unzip", ["-p", file]).length, 0);
    assert.match(execFileSync("unzip", ["-Z1", file]).toString(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("firehose > output > compression > Snappy is snappy-java's stream in 32 KiB blocks", async () => {
  const body = await compressRecords("Snappy", records);
  const { data, blockSizes } = readSnappyJava(body);
  assert.ok(data.equals(plain));
  assert.deepEqual(blockSizes.slice(0, -1), new Array(blockSizes.length - 1).fill(32 * 1024));
  assert.equal(blockSizes.at(-1), plain.length % (32 * 1024));
  const empty = await compressRecords("Snappy", []);
  assert.equal(empty.length, 16, "an empty stream is its header");
  assert.equal(readSnappyJava(empty).data.length, 0);
});

it("firehose > output > compression > HADOOP_SNAPPY is Hadoop's block stream in 32 KiB blocks", async () => {
  const body = await compressRecords("HADOOP_SNAPPY", records);
  const { data, blockSizes } = readHadoopSnappy(body);
  assert.ok(data.equals(plain));
  assert.deepEqual(blockSizes.slice(0, -1), new Array(blockSizes.length - 1).fill(32 * 1024));
  assert.equal((await compressRecords("HADOOP_SNAPPY", [])).length, 0);
});

it("firehose > output > compression > block boundaries do not depend on how the bytes were written", async () => {
  for (const format of ["Snappy", "HADOOP_SNAPPY"] as const) {
    const whole = await compressAll(format, [plain]);
    const piecewise = await compressAll(format, records);
    const bytewise = await compressAll(format, [...plain.subarray(0, 40_000)].map((byte) => Buffer.of(byte)));
    assert.ok(whole.equals(piecewise), format);
    assert.ok(bytewise.equals(await compressAll(format, [plain.subarray(0, 40_000)])), format);
  }
});

it("firehose > output > compression > the Snappy formats decode with libsnappy", { skip: noPythonSnappy }, async () => {
  const hadoop = await compressRecords("HADOOP_SNAPPY", records);
  const fromHadoop = python(
    "import sys, io, snappy.hadoop_snappy as h\nout = io.BytesIO()\nh.stream_decompress(io.BytesIO(sys.stdin.buffer.read()), out)\nsys.stdout.buffer.write(out.getvalue())",
    hadoop,
  );
  assert.ok(fromHadoop.equals(plain));
  const java = await compressRecords("Snappy", records);
  const fromJava = python(
    [
      "import sys, struct, snappy",
      "b = sys.stdin.buffer.read()",
      "assert b[:8] == b'\\x82SNAPPY\\x00'",
      "i = 16",
      "while i < len(b):",
      "    (n,) = struct.unpack('>I', b[i:i+4]); sys.stdout.buffer.write(snappy.uncompress(b[i+4:i+4+n])); i += 4 + n",
    ].join("\n"),
    java,
  );
  assert.ok(fromJava.equals(plain));
});

it("firehose > output > compression > discard frees a compressor without output", async () => {
  for (const format of compressionFormats) {
    const compressor = compressorFor(format, { zipEntryName: "x" });
    compressor.write(plain.subarray(0, 100_000));
    compressor.discard();
    assert.throws(() => compressor.write(Buffer.from("x")));
  }
});
