/**
 * MB/s of each Firehose CompressionFormat codec (src/firehose/output) on 1 KiB JSON records fed one
 * by one, as the S3 destination feeds a batch: `node --import tsx bench/firehose/output-codecs.ts [MB]`.
 * Prints one JSON line per codec: input MB/s (wall time from the first write to finish()), the
 * event loop's share of it (GZIP and ZIP deflate on the threadpool) and the compression ratio.
 */
import { randomBytes } from "node:crypto";
import { compressorFor, compressionFormats } from "../../src/firehose/output/index.js";

const totalMB = Number(process.argv[2] ?? 64);
const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega".split(" ");

function record(i: number): Buffer {
  const r = randomBytes(512);
  const fields = { id: r.toString("hex", 0, 16), ts: 1_700_000_000_000 + i * 13, user: `user-${r.readUInt16BE(16)}`, event: words[r[18]! % 24], amount: r.readUInt32BE(20) / 100, text: "" };
  let text = "";
  for (let k = 0; JSON.stringify(fields).length + text.length < 1022; k++) text += words[r[(k % 480) + 24]! % 24] + (k % 5 === 0 ? r.toString("hex", k % 480, (k % 480) + 3) : "") + " ";
  fields.text = text;
  return Buffer.from(JSON.stringify(fields).slice(0, 1023) + "\n");
}

const pool = Array.from({ length: 4096 }, (_, i) => record(i));
const count = Math.ceil((totalMB * 1e6) / 1024);
const runs = [...compressionFormats.map((format) => ({ format, deflateLevel: undefined as number | undefined })), { format: "GZIP" as const, deflateLevel: 1 }];
for (const { format, deflateLevel } of runs) {
  for (let round = 0; round < 2; round++) {
    const compressor = compressorFor(format, { zipEntryName: "bench", ...(deflateLevel !== undefined ? { deflateLevel } : {}) });
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    let loopMs = 0;
    for (let i = 0; i < count; i++) {
      const at = performance.now();
      compressor.write(pool[i % pool.length]!);
      loopMs += performance.now() - at;
      if (i % 1024 === 1023) await compressor.drain();
    }
    const finishAt = performance.now();
    const body = await compressor.finish();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStarted);
    if (round === 1) {
      console.log(JSON.stringify({
        format,
        ...(deflateLevel !== undefined ? { deflateLevel } : {}),
        inputMB: +(compressor.inputBytes / 1e6).toFixed(1),
        MBps: +(compressor.inputBytes / 1e6 / seconds).toFixed(1),
        eventLoopMsPerMB: +(loopMs / (compressor.inputBytes / 1e6)).toFixed(2),
        processCpuMsPerMB: +((cpu.user + cpu.system) / 1000 / (compressor.inputBytes / 1e6)).toFixed(2),
        finishWaitMs: +(performance.now() - finishAt).toFixed(0),
        ratio: +(body.length / compressor.inputBytes).toFixed(3),
      }));
    }
  }
}
