import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Snappy off the event loop. snappyjs is JavaScript, so unlike zlib it cannot run on the libuv
 * threadpool: a Snappy buffer's blocks compressed in write() took the event loop's time, which
 * PutRecordBatch needs. Blocks are independent (each 32 KiB block is its own raw Snappy block in
 * both containers), so a run of them is a job for a worker thread: the worker compresses the
 * run's blocks and frames them as snappy.ts lays them out, and the pieces concatenate in order.
 *
 * At most `snappyWorkersMax` workers, started on first use and unref'd while idle (they never keep
 * the process alive); a job goes to the worker with the fewest jobs. The worker's code is a string (a
 * bundled server has no file of its own to start), and it loads snappyjs from where this module
 * resolves it.
 */
export const snappyWorkersMax = 2;

/** What a job frames: `snappy-java` writes each block as (compressed length, block); `hadoop` as (uncompressed length, compressed length, block). */
export type BlockFraming = "snappy-java" | "hadoop";

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const snappy = require(workerData.snappyPath);
parentPort.on("message", ({ id, input, length, blockBytes, framing }) => {
  try {
    const data = Buffer.from(input, 0, length);
    const parts = [];
    let total = 0;
    for (let at = 0; at < data.length; at += blockBytes) {
      const block = data.subarray(at, Math.min(at + blockBytes, data.length));
      const raw = snappy.compress(block);
      const head = Buffer.alloc(framing === "hadoop" ? 8 : 4);
      if (framing === "hadoop") {
        head.writeUInt32BE(block.length, 0);
        head.writeUInt32BE(raw.length, 4);
      } else {
        head.writeUInt32BE(raw.length, 0);
      }
      parts.push(head, raw);
      total += head.length + raw.length;
    }
    // An ArrayBuffer of its own (never the Buffer pool's), so it can be transferred.
    const output = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      output.set(part, at);
      at += part.length;
    }
    parentPort.postMessage({ id, output }, [output.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Job {
  resolve(output: Buffer): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly jobs: Map<number, Job>;
}

const workers: PoolWorker[] = [];
let nextJobId = 0;
let snappyPath: string | undefined;

function startWorker(): PoolWorker {
  snappyPath ??= createRequire(import.meta.url).resolve("snappyjs");
  const worker = new Worker(workerSource, { eval: true, workerData: { snappyPath } });
  worker.unref();
  const entry: PoolWorker = { worker, jobs: new Map() };
  const fail = (error: Error): void => {
    const index = workers.indexOf(entry);
    if (index >= 0) workers.splice(index, 1);
    for (const job of entry.jobs.values()) job.reject(error);
    entry.jobs.clear();
  };
  worker.on("message", (message: { id: number; output?: Uint8Array; error?: string }) => {
    const job = entry.jobs.get(message.id);
    if (job === undefined) return;
    entry.jobs.delete(message.id);
    if (entry.jobs.size === 0) worker.unref();
    if (message.output !== undefined) job.resolve(Buffer.from(message.output.buffer, message.output.byteOffset, message.output.byteLength));
    else job.reject(new Error(`snappy worker: ${message.error}`));
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`snappy worker exited with code ${code}`)));
  workers.push(entry);
  return entry;
}

function leastBusy(): PoolWorker {
  let best: PoolWorker | undefined;
  for (const entry of workers) if (best === undefined || entry.jobs.size < best.jobs.size) best = entry;
  if (best !== undefined && (best.jobs.size === 0 || workers.length >= snappyWorkersMax)) return best;
  return startWorker();
}

/**
 * Compresses `input[0, length)` as blocks of `blockBytes`, each framed. The input's ArrayBuffer is
 * transferred to the worker: the caller must not touch `input` again.
 */
export function compressBlocks(input: Buffer, length: number, blockBytes: number, framing: BlockFraming): Promise<Buffer> {
  if (input.byteOffset !== 0 || input.buffer.byteLength !== input.length) throw new Error("compressBlocks takes a buffer that owns its ArrayBuffer");
  const entry = leastBusy();
  const id = nextJobId++;
  return new Promise((resolve, reject) => {
    entry.jobs.set(id, { resolve, reject });
    // Referenced while it has work: a pending compression keeps the process up, an idle worker does not.
    entry.worker.ref();
    entry.worker.postMessage({ id, input: input.buffer, length, blockBytes, framing }, [input.buffer as ArrayBuffer]);
  });
}

/** Workers running and their jobs (tests check the bound). */
export function snappyWorkerJobs(): { workers: number; jobs: number } {
  return { workers: workers.length, jobs: workers.reduce((sum, entry) => sum + entry.jobs.size, 0) };
}
