import { it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync, inflateRawSync } from "node:zlib";
import { compressAll, compressorFor } from "../../src/firehose/output/index.js";
import { deflateJobs, deflateJobsMax, deflatePieceBytes, piecesPendingMax } from "../../src/firehose/output/compression/parallel-deflate.js";
import { SeededRandom } from "../../src/util/random.js";

/**
 * GZIP and ZIP bodies compressed as one deflate stream in parallel pieces (parallel-deflate.ts),
 * read back byte for byte by readers that are not ours: gunzip, Python's gzip and zlib (which
 * reads one gzip member only, so a body of several members would come back short), unzip.
 */

/** ~1 KiB JSON lines, as the delivery bench writes: `count` of them. */
function jsonLines(count: number, seed = 7): Buffer[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, (_, n) => {
    const bytes = random.bytes(64);
    let text = "";
    for (let i = 0; text.length < 980; i++) text += `event ${bytes.readUInt32LE((i * 4) % 60)} user-${(n + i) % 977} ok `;
    return Buffer.from(`{"n":${n},"msg":"${text.slice(0, 980)}"}\n`);
  });
}

const lines = jsonLines(5 * 1024 + 300); // ~5.3 MiB: five full pieces and a partial one
const plain = Buffer.concat(lines);

function python(script: string, input: Buffer): Buffer {
  return execFileSync("python3", ["-c", script], { input, maxBuffer: 64 * 1024 * 1024 });
}

it("firehose > output > parallel deflate > a GZIP body of several pieces is one member that gunzip and Python read whole", async () => {
  assert.ok(plain.length > 5 * deflatePieceBytes);
  const body = await compressAll("GZIP", lines, { deflateLevel: 1 });
  assert.deepEqual([...body.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3], "zlib's header at level 1");
  assert.ok(gunzipSync(body).equals(plain));
  assert.ok(execFileSync("gunzip", ["-c"], { input: body, maxBuffer: 64 * 1024 * 1024 }).equals(plain));
  assert.ok(python("import sys, gzip; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))", body).equals(plain));
  // zlib's gzip decoder stops at the end of the first member: the whole body is that member.
  const single = python(
    "import sys, zlib\nd = zlib.decompressobj(16 + zlib.MAX_WBITS)\nout = d.decompress(sys.stdin.buffer.read())\nassert d.eof and d.unused_data == b''\nsys.stdout.buffer.write(out)",
    body,
  );
  assert.ok(single.equals(plain));
  assert.equal(body.readUInt32LE(body.length - 4), plain.length, "ISIZE");
  // Dictionaries carried across the cuts: within 1 % of one zlib stream's size.
  const serialBytes = gzipSync(plain, { level: 1 }).length;
  assert.ok(Math.abs(body.length - serialBytes) < serialBytes / 100, `${body.length} against one stream's ${serialBytes}`);
});

it("firehose > output > parallel deflate > the body does not depend on how the bytes were written", async () => {
  const byRecord = await compressAll("GZIP", lines);
  const whole = await compressAll("GZIP", [plain]);
  const cuts = [1, deflatePieceBytes - 1, 2, 3 * deflatePieceBytes + 17];
  const pieces = [];
  for (let at = 0, k = 0; at < plain.length; k++) {
    const end = Math.min(plain.length, at + cuts[k % cuts.length]!);
    pieces.push(plain.subarray(at, end));
    at = end;
  }
  assert.ok(byRecord.equals(whole));
  assert.ok(byRecord.equals(await compressAll("GZIP", pieces)));
});

it("firehose > output > parallel deflate > bodies at and around a piece boundary read back", async () => {
  for (const length of [0, 1, deflatePieceBytes - 1, deflatePieceBytes, deflatePieceBytes + 1, 2 * deflatePieceBytes]) {
    const input = plain.subarray(0, length);
    const gzip = await compressAll("GZIP", [input]);
    assert.ok(execFileSync("gunzip", ["-c"], { input: gzip, maxBuffer: 64 * 1024 * 1024 }).equals(input), `gzip of ${length}`);
    const zip = await compressAll("ZIP", [input], { zipEntryName: "e" });
    const nameLength = zip.readUInt16LE(26);
    const descriptorAt = zip.length - 22 - (46 + nameLength) - 16;
    assert.ok(inflateRawSync(zip.subarray(30 + nameLength, descriptorAt)).equals(input), `zip of ${length}`);
  }
});

it("firehose > output > parallel deflate > a ZIP entry of several pieces passes unzip's CRC check", async () => {
  const body = await compressAll("ZIP", lines, { zipEntryName: "entry", deflateLevel: 1 });
  const dir = mkdtempSync(join(tmpdir(), "firehose-pzip-"));
  try {
    const file = join(dir, "object.zip");
    writeFileSync(file, body);
    execFileSync("unzip", ["-tq", file]);
    assert.ok(execFileSync("unzip", ["-p", file], { maxBuffer: 64 * 1024 * 1024 }).equals(plain));
    assert.ok(python("import sys, zipfile, io\nz = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\nsys.stdout.buffer.write(z.read('entry'))", body).equals(plain));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("firehose > output > parallel deflate > jobs stay within the process-wide bound and drain bounds a compressor's queue", async () => {
  const compressors = Array.from({ length: 3 }, () => compressorFor("GZIP", { deflateLevel: 1 }));
  let runningMax = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      runningMax = Math.max(runningMax, deflateJobs().running);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  // Written without waiting: every full piece queues, the first compressor's first (in order).
  for (const compressor of compressors) compressor.write(plain);
  const perCompressor = Math.floor(plain.length / deflatePieceBytes);
  assert.ok(perCompressor > piecesPendingMax);
  assert.equal(deflateJobs().running, deflateJobsMax);
  assert.equal(deflateJobs().waiting, 3 * perCompressor - deflateJobsMax);
  await compressors[0]!.drain();
  // Resolved only once fewer than piecesPendingMax of its pieces wait or run: the rest are done.
  const done = 3 * perCompressor - deflateJobs().waiting - deflateJobs().running;
  assert.ok(done >= perCompressor - piecesPendingMax + 1, `${done} pieces done`);
  const bodies = await Promise.all(compressors.map((compressor) => compressor.finish()));
  sampling = false;
  await sampler;
  assert.equal(runningMax, deflateJobsMax);
  for (const body of bodies) assert.ok(gunzipSync(body).equals(plain));
  assert.deepEqual(deflateJobs(), { running: 0, waiting: 0 });
});

it("firehose > output > parallel deflate > discard releases a drain that waits and frees the queue", async () => {
  const compressor = compressorFor("ZIP", { zipEntryName: "x" });
  compressor.write(plain);
  compressor.write(plain);
  const draining = compressor.drain();
  compressor.discard();
  await draining;
  assert.throws(() => compressor.write(Buffer.from("x")), /already finished/);
  await assert.rejects(compressor.finish(), /already finished/);
  // The jobs already queued still run and end; nothing is left behind.
  while (deflateJobs().running + deflateJobs().waiting > 0) await new Promise((resolve) => setImmediate(resolve));
  const next = compressorFor("GZIP");
  next.write(plain.subarray(0, 1000));
  assert.ok(gunzipSync(await next.finish()).equals(plain.subarray(0, 1000)));
});
