/**
 * The main thread's side of an application's engine worker (engine-worker.ts, protocol.ts): sends
 * records, watermarks, reference tables and checkpoint requests in order, and hands the worker's
 * outputs to the runtime as they come. A worker that crashes or exits fails every call waiting on
 * it and reports once through `onFailure`.
 */
import type { Worker } from "node:worker_threads";
import type { FromWorker, RecordBatch, ToWorker, WorkerInput, WorkerOutput, WorkerReference } from "./protocol.js";
import type { CodeUnit } from "../compiler.js";
import { startEngineWorker } from "./worker-entry.js";

export interface EngineCheckpoint {
  engine: unknown;
  outputSeqs: Record<string, number>;
}

export interface EngineOutput {
  outputId: string;
  firstSeq: number;
  lastSeq: number;
  records: string[];
  rowtimesMs: number[];
}

export interface EngineHostEvents {
  output(output: EngineOutput): void;
  failure(message: string): void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export class EngineFailure extends Error {
  override name = "EngineFailure";
}

export class EngineHost {
  private readonly worker: Worker;
  private ready: Waiter<void> | undefined;
  private readonly pushes = new Map<number, Waiter<{ rows: number; errors: number }>>();
  private readonly checkpoints = new Map<number, Waiter<EngineCheckpoint>>();
  private nextId = 1;
  private failure: EngineFailure | undefined;
  private terminated = false;

  constructor(private readonly events: EngineHostEvents) {
    this.worker = startEngineWorker();
    this.worker.on("message", (message: FromWorker) => this.received(message));
    this.worker.on("error", (error) => this.fail(`the engine worker failed: ${error.message}`));
    this.worker.on("exit", (code) => {
      if (!this.terminated) this.fail(`the engine worker exited (code ${code})`);
    });
  }

  init(unit: CodeUnit, inputs: WorkerInput[], outputs: WorkerOutput[], references: WorkerReference[], restore: EngineCheckpoint | undefined, nowMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ready = { resolve, reject };
      this.send({ type: "init", unit, inputs, outputs, references, ...(restore !== undefined && { restore }), nowMs });
    });
  }

  /** Resolves once the worker has run the records through (its outputs were posted before). */
  push(batch: RecordBatch, nowMs: number): Promise<{ rows: number; errors: number }> {
    const id = this.nextId++;
    const done = new Promise<{ rows: number; errors: number }>((resolve, reject) => this.pushes.set(id, { resolve, reject }));
    this.send({ type: "records", batch, nowMs, id }, [batch.data.buffer as ArrayBuffer]);
    return done;
  }

  failedRecords(stream: string, records: { data: Uint8Array; rowtimeMs: number; name: string; message: string }[], nowMs: number): void {
    this.send({ type: "failed-records", stream, records, nowMs });
  }

  advance(watermarkMs: number, nowMs: number): void {
    this.send({ type: "advance", watermarkMs, nowMs });
  }

  reference(table: string, data: Uint8Array, nowMs: number): void {
    this.send({ type: "reference", table, data, nowMs });
  }

  suppress(outputId: string, records: string[]): void {
    this.send({ type: "suppress", outputId, records });
  }

  /** The engine's state after everything sent before, and each output's sequence number there. */
  checkpoint(): Promise<EngineCheckpoint> {
    const id = this.nextId++;
    const done = new Promise<EngineCheckpoint>((resolve, reject) => this.checkpoints.set(id, { resolve, reject }));
    this.send({ type: "checkpoint", id });
    return done;
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    this.fail("the engine worker was stopped", false);
    await this.worker.terminate();
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.failure !== undefined) throw this.failure;
    this.worker.postMessage(message, transfer);
  }

  private received(message: FromWorker): void {
    switch (message.type) {
      case "ready":
        this.ready?.resolve();
        this.ready = undefined;
        return;
      case "init-failed":
        this.ready?.reject(new EngineFailure(message.message));
        this.ready = undefined;
        return;
      case "output":
        this.events.output(message);
        return;
      case "pushed": {
        const waiter = this.pushes.get(message.id);
        this.pushes.delete(message.id);
        waiter?.resolve({ rows: message.rows, errors: message.errors });
        return;
      }
      case "checkpoint": {
        const waiter = this.checkpoints.get(message.id);
        this.checkpoints.delete(message.id);
        waiter?.resolve({ engine: message.engine, outputSeqs: message.outputSeqs });
        return;
      }
      case "crashed":
        this.fail(`the engine failed: ${message.message}`);
    }
  }

  private fail(message: string, report = true): void {
    if (this.failure !== undefined) return;
    this.failure = new EngineFailure(message);
    this.ready?.reject(this.failure);
    for (const waiter of [...this.pushes.values(), ...this.checkpoints.values()]) waiter.reject(this.failure);
    this.pushes.clear();
    this.checkpoints.clear();
    if (report) this.events.failure(message);
  }
}
