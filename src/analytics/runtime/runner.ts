/**
 * One running application (runtime.ts starts and stops these): its input read lane by lane
 * (sources/), merged into ROWTIME order (sources/merge.ts), preprocessed by its Lambda function
 * if it has one, run through the engine in a worker thread (worker/), its outputs written
 * (outputs/), its watermark moved with the clock so windows close on time, and its checkpoints
 * taken (checkpoints.ts) — every `checkpointIntervalMs`, and at a stop.
 *
 * The pump (one at a time) moves records from the lanes to the engine and then the watermark; it
 * runs when a lane changes and every `tickMs`, and holds back while the engine or an output is
 * behind (bounded: `pushesInFlightMax`, `outputBacklogMax`).
 */
import type { Timer } from "../../util/clock.js";
import type { StoredApplication } from "../model.js";
import { analyticsRuntimeLimits, type RunnerDeps } from "./runner-deps.js";
import { runPlanOf, type RunPlan } from "./run-plan.js";
import { CheckpointStore, type Checkpoint, type CheckpointHead } from "./checkpoints.js";
import { EngineHost, type EngineCheckpoint } from "./worker/engine-host.js";
import type { RecordBatch } from "./worker/protocol.js";
import { InputMerger, type TakenRecord } from "./sources/merge.js";
import type { InputPositions, InputSource } from "./sources/source.js";
import { openSource } from "./open-source.js";
import { OutputWriter } from "./outputs/writer.js";
import { destinationOf } from "./outputs/destinations.js";
import { readBack } from "./outputs/read-back.js";
import { loadReference } from "./reference-data.js";
import { Preprocessor } from "./preprocessor.js";

export class ApplicationRunner {
  private readonly plan: RunPlan;
  private readonly checkpoints: CheckpointStore;
  private host: EngineHost | undefined;
  private source: InputSource | undefined;
  private merger: InputMerger | undefined;
  private preprocessor: Preprocessor | undefined;
  private readonly writers = new Map<string, OutputWriter>();
  private lastHead: CheckpointHead | undefined;
  private watermarkMs = -Infinity;
  private stopped = false;
  /** Set once the engine failed: the runtime starts the application again from its checkpoint. */
  failed = false;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private pushesInFlight = 0;
  private checkpointWanted = false;
  private checkpointing: Promise<void> | undefined;
  private timers: Timer[] = [];
  /** Rows pushed into the engine and records that failed there (health, tests). */
  readonly counts = { records: 0, rows: 0, errors: 0 };

  constructor(
    private readonly deps: RunnerDeps,
    readonly application: StoredApplication,
    private readonly onFailure: (runner: ApplicationRunner) => void,
  ) {
    this.plan = runPlanOf(application);
    this.checkpoints = new CheckpointStore(deps.store, deps.accountId, application.incarnationId);
  }

  async start(): Promise<void> {
    const { deps, application, plan } = this;
    const input = plan.input;
    const position = input?.InputStartingPositionConfiguration?.InputStartingPosition ?? "NOW";
    const existing = await this.loadCheckpoint();
    const resume = existing !== undefined && (existing.head.runNumber === application.runNumber || position === "LAST_STOPPED_POINT") ? existing : undefined;
    const restore = resume !== undefined && resume.head.codeHash === plan.codeHash ? resume : undefined;
    this.lastHead = existing?.head;
    this.host = new EngineHost({
      output: (output) => this.writers.get(output.outputId)?.enqueue(output.firstSeq, output.lastSeq, output.records),
      failure: (message) => this.fail(message),
    });
    const engineRestore: EngineCheckpoint | undefined = restore && { engine: restore.engine, outputSeqs: Object.fromEntries(Object.entries(restore.head.outputs).map(([id, output]) => [id, output.seq])) };
    await this.host.init(plan.unit, plan.workerInputs, plan.workerOutputs, plan.workerReferences, engineRestore, deps.clock.nowMs());
    for (const output of application.outputs) {
      this.writers.set(output.OutputId, new OutputWriter(destinationOf(deps, application, output), deps.clock, deps.logger, engineRestore?.outputSeqs[output.OutputId] ?? 0));
    }
    // After a crash, what the outputs wrote past the checkpoint is not written again.
    if (restore !== undefined && !restore.head.final) await this.suppressWritten(restore.head);
    void this.loadReferences();
    if (input === undefined) return;
    const inputState = resume?.head.inputs[input.InputId];
    this.merger = new InputMerger(plan.workerInputs[0]!.streams.length, deps.options.watermarkGraceMs, restore !== undefined ? inputState?.lastRowtimesMs : undefined);
    if (restore !== undefined) this.watermarkMs = restore.head.watermarkMs;
    if (input.InputProcessingConfiguration !== undefined) this.preprocessor = new Preprocessor(deps, application, input);
    this.source = await openSource(deps, application, input, inputState?.positions, {
      changed: () => this.schedulePump(),
      problem: (message) => deps.logger.warn({ application: application.ApplicationName }, message),
    });
    this.timers.push(deps.clock.setInterval(() => this.schedulePump(), deps.options.tickMs, { unref: true }));
    this.timers.push(deps.clock.setInterval(() => this.requestCheckpoint(), deps.options.checkpointIntervalMs, { unref: true }));
    this.schedulePump();
  }

  /** Stops reading; with `checkpoint`, takes a final checkpoint once the outputs have written everything. */
  async stop(checkpoint: boolean): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) this.deps.clock.clearTimer(timer);
    await this.source?.stop();
    await this.pumping;
    await this.checkpointing;
    if (checkpoint && !this.failed && this.host !== undefined && this.source !== undefined) {
      try {
        await this.takeCheckpoint(true);
      } catch (error) {
        this.deps.logger.warn({ err: error, application: this.application.ApplicationName }, "the final checkpoint failed; the application resumes from the one before");
      }
    }
    await Promise.all([...this.writers.values()].map((writer) => writer.stop()));
    await this.host?.terminate();
  }

  /** Records waiting for outputs (health). */
  backlog(): number {
    let total = 0;
    for (const writer of this.writers.values()) total += writer.backlog;
    return total;
  }

  writtenRecords(): number {
    let total = 0;
    for (const writer of this.writers.values()) total += writer.writtenRecords;
    return total;
  }

  private async loadCheckpoint(): Promise<Checkpoint | undefined> {
    try {
      return await this.checkpoints.load();
    } catch (error) {
      this.deps.logger.error({ err: error, application: this.application.ApplicationName }, "the checkpoint could not be read; starting afresh");
      return undefined;
    }
  }

  private async suppressWritten(head: CheckpointHead): Promise<void> {
    for (const [outputId, output] of Object.entries(head.outputs)) {
      if (!this.writers.has(outputId)) continue;
      const found = await readBack(output.mark, this.deps.streamAccess, this.deps.deliveryStreamAccess);
      if (found.length > 0) this.host!.suppress(outputId, found);
    }
  }

  private async loadReferences(): Promise<void> {
    for (const reference of this.application.references) {
      while (!this.stopped) {
        const loaded = await loadReference(this.deps.objectClient, reference);
        if (loaded.ok) {
          if (!this.stopped) this.host!.reference(reference.TableName, loaded.data, this.deps.clock.nowMs());
          break;
        }
        this.deps.logger.warn({ application: this.application.ApplicationName }, loaded.message);
        try {
          await this.deps.clock.sleep(analyticsRuntimeLimits.referenceRetryMs, { unref: true });
        } catch {
          return;
        }
      }
    }
  }

  private schedulePump(): void {
    if (this.stopped || this.failed || this.source === undefined) return;
    if (this.pumping !== undefined) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error: unknown) => this.fail(`the runtime failed: ${(error as Error).message}`))
      .finally(() => {
        this.pumping = undefined;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.schedulePump();
        }
      });
  }

  private blocked(): boolean {
    if (this.pushesInFlight >= analyticsRuntimeLimits.pushesInFlightMax) return true;
    for (const writer of this.writers.values()) if (writer.backlog > analyticsRuntimeLimits.outputBacklogMax) return true;
    return false;
  }

  private async pump(): Promise<void> {
    const { clock } = this.deps;
    const merger = this.merger!;
    const streams = this.plan.workerInputs[0]!.streams;
    while (!this.stopped && !this.failed && !this.blocked()) {
      const nowMs = clock.nowMs();
      const lanes = this.source!.lanes();
      let moved = false;
      for (let index = 0; index < streams.length; index++) {
        const taken = merger.take(index, lanes, nowMs, this.watermarkMs, analyticsRuntimeLimits.batchRecordsMax);
        if (taken.length === 0) continue;
        moved = true;
        await this.push(streams[index]!, taken);
        if (this.stopped || this.failed) return;
      }
      const watermarkMs = merger.watermark(this.source!.lanes(), clock.nowMs());
      if (watermarkMs > this.watermarkMs) {
        this.watermarkMs = watermarkMs;
        this.host!.advance(watermarkMs, clock.nowMs());
      }
      if (this.checkpointWanted && this.checkpointing === undefined) {
        this.checkpointWanted = false;
        this.checkpointing = this.takeCheckpoint(false)
          .catch((error: unknown) => this.deps.logger.warn({ err: error, application: this.application.ApplicationName }, "a checkpoint failed"))
          .finally(() => (this.checkpointing = undefined));
      }
      if (!moved) return;
    }
  }

  private async push(stream: string, taken: TakenRecord[]): Promise<void> {
    let records = taken;
    if (this.preprocessor !== undefined) {
      const processed = await this.preprocessor.process(stream, taken, () => this.stopped);
      if (processed.failed.length > 0) this.host!.failedRecords(stream, processed.failed, this.deps.clock.nowMs());
      records = processed.records;
      if (records.length === 0) return;
    }
    const batch = batchOf(stream, records, this.plan.workerInputs[0]!.source === "kinesis");
    this.pushesInFlight++;
    this.counts.records += records.length;
    this.host!.push(batch, this.deps.clock.nowMs()).then(
      (result) => {
        this.pushesInFlight--;
        this.counts.rows += result.rows;
        this.counts.errors += result.errors;
        this.schedulePump();
      },
      () => {
        this.pushesInFlight--;
      },
    );
  }

  private requestCheckpoint(): void {
    this.checkpointWanted = true;
    this.schedulePump();
  }

  /**
   * The barrier: the positions and ROWTIMEs as of the records sent so far, and the engine's
   * snapshot after exactly those (the worker answers in order); committed once every output has
   * written the rows before it and taken its mark.
   */
  private async takeCheckpoint(final: boolean): Promise<void> {
    const input = this.plan.input!;
    const positions: InputPositions = this.source!.positions();
    const lastRowtimesMs = this.merger!.lastRowtimes();
    const watermarkMs = this.watermarkMs;
    const takenAtMs = this.deps.clock.nowMs();
    const engine = await this.host!.checkpoint();
    const outputs: CheckpointHead["outputs"] = {};
    await Promise.all(
      [...this.writers].map(async ([outputId, writer]) => {
        const seq = engine.outputSeqs[outputId] ?? writer.writtenSeq;
        outputs[outputId] = { seq, mark: await writer.barrier(seq) };
      }),
    );
    const head = {
      version: 1 as const,
      runNumber: this.application.runNumber,
      codeHash: this.plan.codeHash,
      takenAtMs,
      watermarkMs,
      inputs: { [input.InputId]: { positions, lastRowtimesMs } },
      outputs,
      final,
    };
    const saved = await this.checkpoints.save(head, engine.engine, this.lastHead);
    if (saved === undefined) throw new Error("storage refused the checkpoint");
    this.lastHead = saved;
  }

  private fail(message: string): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.deps.logger.error({ application: this.application.ApplicationName }, message);
    this.onFailure(this);
  }
}

/** The taken records as one message: their bytes in one buffer (transferred), metadata in arrays. */
function batchOf(stream: string, taken: readonly TakenRecord[], kinesis: boolean): RecordBatch {
  let bytes = 0;
  for (const { record } of taken) bytes += record.data.length;
  const data = new Uint8Array(bytes);
  const ends = new Uint32Array(taken.length);
  const rowtimesMs = new Float64Array(taken.length);
  const arrivalsMs = new Float64Array(taken.length);
  let offset = 0;
  taken.forEach(({ record, rowtimeMs }, index) => {
    data.set(record.data, offset);
    offset += record.data.length;
    ends[index] = offset;
    rowtimesMs[index] = rowtimeMs;
    arrivalsMs[index] = record.arrivalMs;
  });
  if (!kinesis) return { stream, data, ends, rowtimesMs, arrivalsMs };
  return {
    stream,
    data,
    ends,
    rowtimesMs,
    arrivalsMs,
    partitionKeys: taken.map(({ record }) => record.partitionKey ?? ""),
    sequenceNumbers: taken.map(({ record }) => record.sequenceNumber ?? ""),
    shardIds: taken.map(({ laneId }) => laneId),
  };
}
