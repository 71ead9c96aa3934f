/**
 * A small pool of worker threads that hash large request bodies off the event loop: MD5 (the
 * ETag, Content-MD5), the whole-body SHA-256 a signature names, and the x-amz-checksum-* values.
 * On a 2-core machine these cost ~140 ms of the main thread per 64 MiB PutObject, about a third of
 * its wall time; in a worker they run on the other core while the main thread writes the bytes.
 *
 * - Workers start lazily (none until the first large body), at most `hashWorkersMax`; a request
 *   goes to the worker with the fewest requests, and all of one request's bytes go to that one
 *   worker, in order (postMessage keeps order).
 * - Bytes are copied into 1 MiB batches whose ArrayBuffers are transferred, not cloned: a Buffer
 *   read from a socket is a view of a larger pooled one, and the caller still writes it to disk.
 *   The worker hands each batch's buffer back with its acknowledgement and the next batch reuses it
 *   (a fresh 1 MiB buffer per batch cost ~30 ms of page faults per 64 MiB on the main thread).
 *   At most `windowBytes` are in flight per request: `update` answers a promise to wait on past
 *   that, so a slow worker holds back the upload rather than queueing the whole body in memory.
 * - A worker holds the process open only while it has requests (unref'd when idle).
 * - A worker that dies or errors fails every request it had with HashWorkerError (the S3 router
 *   logs it and answers InternalError; the payload's iterator throws before the object is
 *   committed) and leaves the pool; the next large body starts a fresh one.
 * - `stopHashWorkers()` (the S3 service's stop) terminates idle workers at once and busy ones as
 *   their last request ends, so another server in the same process is never cut off mid-upload.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ChecksumAlgorithm } from "../checksums/index.js";
import { hashWorkerSource } from "./hash-worker-source.js";

/** Workers at most: one core is the event loop's; one worker hashes ~400 MB/s (MD5 + SHA-256). */
export const hashWorkersMax = Math.max(1, Math.min(2, availableParallelism() - 1));
/** Bytes per message to a worker: few messages (each costs the main thread ~20 µs), little latency at the end. */
const batchBytes = 1024 * 1024;
/** Bytes a request may have sent but not yet hashed before `update` asks the caller to wait. */
const windowBytes = 8 * 1024 * 1024;
/** Batch buffers kept per worker for reuse: a window's worth for two requests. */
const sparesMax = 2 * (windowBytes / batchBytes + 1);

/** What a request's hashing computes besides MD5, which it always does. */
export interface HashSpec {
  sha256: boolean;
  algorithms: readonly ChecksumAlgorithm[];
}

export interface HashDigests {
  md5: Buffer;
  sha256Hex?: string;
  checksums: Map<ChecksumAlgorithm, Buffer>;
}

/** The hashing of a request failed on the worker's side (it died, or threw): an internal error, not the client's. */
export class HashWorkerError extends Error {
  override name = "HashWorkerError";
}

/** One request's hashing on a worker. */
export interface HashSession {
  /** Queues `data` (copied). Undefined, or a promise to await before the next update when the worker is behind. Throws HashWorkerError once the worker failed. */
  update(data: Uint8Array): Promise<void> | undefined;
  /** The digests, once the worker hashed every byte. Rejects with HashWorkerError. */
  finish(): Promise<HashDigests>;
  /** The request ended early: the worker forgets it. */
  drop(): void;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

interface SessionState {
  unackedBytes: number;
  drained?: Deferred<void>;
  done?: Deferred<HashDigests>;
  failure?: HashWorkerError;
}

class PooledWorker {
  readonly worker: Worker;
  readonly sessions = new Map<number, SessionState>();
  /** Batch buffers the worker handed back, for the next batches. */
  readonly spares: ArrayBuffer[] = [];
  retiring = false;

  constructor(private readonly onGone: (pooled: PooledWorker) => void) {
    this.worker = new Worker(hashWorkerSource, { eval: true, workerData: { requireBase: import.meta.url } });
    this.worker.unref();
    this.worker.on("message", (message: unknown[]) => this.received(message));
    this.worker.on("error", (error) => this.failAll(new HashWorkerError(`the hashing worker failed: ${error.message}`)));
    this.worker.on("exit", (code) => {
      this.failAll(new HashWorkerError(`the hashing worker exited (code ${code})`));
      this.onGone(this);
    });
  }

  begin(id: number, spec: HashSpec): SessionState {
    const state: SessionState = { unackedBytes: 0 };
    if (this.sessions.size === 0) this.worker.ref();
    this.sessions.set(id, state);
    this.worker.postMessage(["begin", id, { sha256: spec.sha256, algorithms: [...spec.algorithms] }]);
    return state;
  }

  end(id: number): void {
    if (!this.sessions.delete(id)) return;
    if (this.sessions.size > 0) return;
    this.worker.unref();
    if (this.retiring) void this.worker.terminate();
  }

  private received(message: unknown[]): void {
    const [kind, id, value, returned] = message as [string, number, unknown, ArrayBuffer | undefined];
    if (returned !== undefined && this.spares.length < sparesMax) this.spares.push(returned);
    const state = this.sessions.get(id);
    if (state === undefined) return;
    switch (kind) {
      case "ack":
        state.unackedBytes -= value as number;
        if (state.drained !== undefined && state.unackedBytes <= windowBytes) {
          state.drained.resolve();
          state.drained = undefined;
        }
        return;
      case "done": {
        const { md5, sha256Hex, checksums } = value as { md5: Uint8Array; sha256Hex?: string; checksums: Record<string, Uint8Array> };
        const digests: HashDigests = { md5: Buffer.from(md5), checksums: new Map() };
        if (sha256Hex !== undefined) digests.sha256Hex = sha256Hex;
        for (const [algorithm, digest] of Object.entries(checksums)) digests.checksums.set(algorithm as ChecksumAlgorithm, Buffer.from(digest));
        this.end(id);
        state.done?.resolve(digests);
        return;
      }
      case "failed":
        this.end(id);
        this.fail(state, new HashWorkerError(`hashing failed in the worker: ${String(value)}`));
        return;
    }
  }

  private fail(state: SessionState, error: HashWorkerError): void {
    state.failure ??= error;
    state.drained?.reject(state.failure);
    state.done?.reject(state.failure);
    state.drained = undefined;
  }

  private failAll(error: HashWorkerError): void {
    for (const [id, state] of [...this.sessions]) {
      this.end(id);
      this.fail(state, error);
    }
  }
}

const pool: PooledWorker[] = [];
let nextId = 1;
let sessionsStarted = 0;

function workerForNewSession(): PooledWorker {
  let least = pool[0];
  for (const pooled of pool) if (pooled.sessions.size < least!.sessions.size) least = pooled;
  if (least !== undefined && (least.sessions.size === 0 || pool.length >= hashWorkersMax)) return least;
  const created = new PooledWorker((gone) => {
    const at = pool.indexOf(gone);
    if (at >= 0) pool.splice(at, 1);
  });
  pool.push(created);
  return created;
}

/** Starts hashing one request's body on a worker. */
export function startHashSession(spec: HashSpec): HashSession {
  const pooled = workerForNewSession();
  const id = nextId++;
  sessionsStarted++;
  const state = pooled.begin(id, spec);
  let staging: Uint8Array | undefined;
  let stagedBytes = 0;

  const flush = () => {
    if (staging === undefined || stagedBytes === 0) return;
    const buffer = staging.buffer as ArrayBuffer;
    pooled.worker.postMessage(["data", id, buffer, stagedBytes], [buffer]);
    state.unackedBytes += stagedBytes;
    staging = undefined;
    stagedBytes = 0;
  };

  return {
    update(data) {
      if (state.failure !== undefined) throw state.failure;
      let at = 0;
      while (at < data.length) {
        // allocUnsafeSlow: an ArrayBuffer of its own (not the shared pool), so it can be transferred.
        staging ??= new Uint8Array(pooled.spares.pop() ?? Buffer.allocUnsafeSlow(batchBytes).buffer);
        const take = Math.min(data.length - at, batchBytes - stagedBytes);
        staging.set(data.subarray(at, at + take), stagedBytes);
        stagedBytes += take;
        at += take;
        if (stagedBytes === batchBytes) flush();
      }
      if (state.unackedBytes <= windowBytes) return undefined;
      state.drained ??= deferred();
      return state.drained.promise;
    },
    finish() {
      if (state.failure !== undefined) return Promise.reject(state.failure);
      flush();
      state.done = deferred();
      pooled.worker.postMessage(["end", id]);
      return state.done.promise;
    },
    drop() {
      if (!pooled.sessions.has(id)) return;
      pooled.worker.postMessage(["drop", id]);
      pooled.end(id);
    },
  };
}

/** Terminates the workers: idle ones now, busy ones when their last request ends. Later requests start new ones. */
export async function stopHashWorkers(): Promise<void> {
  const stopping = pool.splice(0, pool.length);
  await Promise.all(
    stopping.map(async (pooled) => {
      pooled.retiring = true;
      if (pooled.sessions.size === 0) await pooled.worker.terminate();
    }),
  );
}

/** For tests: how many requests were hashed on a worker so far, and the live workers. */
export function hashPoolStats(): { sessionsStarted: number; workers: number } {
  return { sessionsStarted, workers: pool.length };
}

/** For tests: every live worker exits at once, as a crash would end it. */
export function crashHashWorkersForTest(): void {
  for (const pooled of pool) pooled.worker.postMessage(["crash"]);
}
