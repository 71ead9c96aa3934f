/**
 * One running application (runtime.ts starts and stops these): its input read lane by lane
 * (sources/), merged into ROWTIME order (sources/merge.ts), preprocessed by its Lambda function
 * if it has one, run through the engine in a worker thread (worker/), its outputs written
 * (outputs/), its watermark moved with the clock so windows close on time, and its checkpoints
 * taken (checkpoints.ts) — every `checkpointIntervalMs`, and at a stop.
 *
 * The pump (one at a time) takes the records the lanes hold, gives them their ROWTIME (the time
 * they enter the in-application stream, never below an earlier one), journals the take
 * (journal.ts) and sends them to the engine once the journal entry is durable; every `tickMs` the
 * watermark moves to now, after the records taken before. It holds back while the engine or an
 * output is behind (bounded: `pushesInFlightMax`, `outputBacklogMax`).
 */
import type { Timer } from "../../util/clock.js";
import type { StoredApplication } from "../model.js";
import { analyticsRuntimeLimits, type RunnerDeps } from "./runner-deps.js";
import { runPlanOf, type RunPlan } from "./run-plan.js";
import { CheckpointStore, type Checkpoint, type CheckpointHead } from "./checkpoints.js";
import { EngineHost, type EngineCheckpoint } from "./worker/engine-host.js";
import { LaneTaker, type Taken } from "./sources/merge.js";
import { Journal, type JournalEntry } from "./journal.js";
import type { InputPositions, InputSource } from "./sources/source.js";
import { openSource } from "./open-source.js";
import { OutputWriter } from "./outputs/writer.js";
import { destinationOf } from "./outputs/destinations.js";
import { readBack } from "./outputs/read-back.js";
import { loadReferences } from "./reference-data.js";
import { batchOf } from "./worker/record-batch.js";
import { Preprocessor } from "./preprocessor.js";
import { applicationMetrics, type ApplicationMetrics } from "./metrics.js";

export class ApplicationRunner {
  private readonly plan: RunPlan;
  private readonly checkpoints: CheckpointStore;
  private readonly journal: Journal;
  private host: EngineHost | undefined;
  private source: InputSource | undefined;
  private readonly taker = new LaneTaker();
  private preprocessor: Preprocessor | undefined;
  private readonly writers = new Map<string, OutputWriter>();
  private lastHead: CheckpointHead | undefined;
  /** The last watermark sent (in send order), and the last ROWTIME given: records taken later get at least both. */
  private watermarkMs = -Infinity;
  private lastRowtimeMs = -Infinity;
  /** The last journal entry taken, and the last whose records went to the engine. */
  private journalSeq = 0;
  private pushedSeq = 0;
  /** Per lane, the position after its last record sent to the engine. */
  private readonly pushedPositions = new Map<string, string>();
  /** Entries of the journal still to take again after a restart, and since when the first waits. */
  private replay: JournalEntry[] = [];
  private replayWaitingSinceMs: number | undefined;
  /** Everything sent to the engine, in order: a push waits for its journal entry, an advance or a checkpoint for the pushes before it. */
  private sends: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Set once the engine failed: the runtime starts the application again from its checkpoint. */
  failed = false;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private takesInFlight = 0;
  private checkpointWanted = false;
  private checkpointing: Promise<void> | undefined;
  private timers: Timer[] = [];
  /** The work lease it runs under (the runtime compares it). */
  get lease(): RunnerDeps["lease"] {
    return this.deps.lease;
  }
  /** Records taken, rows pushed into the engine and records that failed there (health, tests). */
  readonly counts = { records: 0, rows: 0, errors: 0 };
  /** The application's CloudWatch metrics (metrics.ts); undefined under `--metrics off`. */
  private readonly metrics: ApplicationMetrics | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    readonly application: StoredApplication,
    private readonly onFailure: (runner: ApplicationRunner) => void,
  ) {
    this.plan = runPlanOf(application);
    this.checkpoints = new CheckpointStore(deps.store, deps.accountId, application.incarnationId, deps.lease);
    this.journal = new Journal(deps.store, deps.accountId, application.incarnationId, application.runNumber, deps.lease);
    this.metrics = applicationMetrics(deps.metrics, deps.accountId, application.ApplicationName);
  }

  async start(): Promise<void> {
    const { deps, application, plan } = this;
    const input = plan.input;
    const position = input?.InputStartingPositionConfiguration?.InputStartingPosition ?? "NOW";
    const existing = await this.loadCheckpoint();
    const sameRun = existing !== undefined && existing.head.runNumber === application.runNumber;
    const resume = sameRun || position === "LAST_STOPPED_POINT" ? existing : undefined;
    const restore = resume !== undefined && resume.head.codeHash === plan.codeHash ? resume : undefined;
    this.lastHead = existing?.head;
    this.host = new EngineHost({
      output: (output) => this.writers.get(output.outputId)?.enqueue(output.firstSeq, output.lastSeq, output.records),
      failure: (message) => this.fail(message),
    });
    const engineRestore: EngineCheckpoint | undefined = restore && { engine: restore.engine, outputSeqs: Object.fromEntries(Object.entries(restore.head.outputs).map(([id, output]) => [id, output.seq])) };
    await this.host.init(plan.unit, plan.workerInputs, plan.workerOutputs, plan.workerReferences, engineRestore, deps.clock.nowMs());
    for (const output of application.outputs) {
      this.writers.set(output.OutputId, new OutputWriter(destinationOf(deps, application, output), deps.clock, deps.logger, engineRestore?.outputSeqs[output.OutputId] ?? 0, this.metrics?.flow("Output", output.OutputId)));
    }
    if (resume !== undefined) {
      this.watermarkMs = resume.head.watermarkMs;
      this.lastRowtimeMs = resume.head.lastRowtimeMs;
    }
    if (sameRun) {
      // A restart of this run: the takes after the checkpoint again, the outputs' rows after it not twice.
      this.journalSeq = this.pushedSeq = existing.head.journalSeq;
      this.replay = await this.journal.after(existing.head.journalSeq);
      if (restore !== undefined && !existing.head.final) await this.suppressWritten(existing.head);
    } else {
      await this.journal.clear();
    }
    // Reference tables are in place before the first record (one that cannot be read yet is tried again meanwhile).
    await loadReferences(deps, application, (table, data) => this.host!.reference(table, data, deps.clock.nowMs()), () => this.stopped);
    if (input === undefined) return;
    const positions = resume?.head.inputs[input.InputId]?.positions;
    for (const [laneId, lane] of Object.entries(positions?.lanes ?? {})) if ("after" in lane) this.pushedPositions.set(laneId, lane.after);
    if (input.InputProcessingConfiguration !== undefined) this.preprocessor = new Preprocessor(deps, application, input);
    this.source = await openSource(deps, application, input, positions, {
      changed: () => this.schedulePump(),
      problem: (message) => deps.logger.warn({ application: application.ApplicationName }, message),
    });
    this.timers.push(deps.clock.setInterval(() => this.tick(), deps.options.tickMs, { unref: true }));
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
    await this.sends.catch(() => undefined);
    await this.checkpointing;
    if (checkpoint && !this.failed && this.host !== undefined && this.source !== undefined && this.replay.length === 0) {
      try {
        await this.beginCheckpoint(true);
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

  /** Time passed: the watermark moves to now (after every record taken before), windows that ended close. */
  private tick(): void {
    this.schedulePump();
    if (this.stopped || this.failed || this.replay.length > 0) return;
    const nowMs = this.deps.clock.nowMs();
    if (nowMs <= this.watermarkMs) return;
    this.watermarkMs = nowMs;
    this.send(() => this.host!.advance(nowMs, this.deps.clock.nowMs()));
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
    if (this.takesInFlight >= analyticsRuntimeLimits.pushesInFlightMax) return true;
    for (const writer of this.writers.values()) if (writer.backlog > analyticsRuntimeLimits.outputBacklogMax) return true;
    return false;
  }

  private async pump(): Promise<void> {
    const streams = this.plan.workerInputs[0]!.streams;
    while (!this.stopped && !this.failed && !this.blocked()) {
      if (this.replay.length > 0) {
        if (!this.replayOne()) return;
        continue;
      }
      let moved = false;
      for (let index = 0; index < streams.length && !this.blocked(); index++) {
        const taken = this.taker.take(index, this.source!.lanes(), analyticsRuntimeLimits.batchRecordsMax);
        if (taken.records.length === 0) continue;
        moved = true;
        const nowMs = this.deps.clock.nowMs();
        const rowtimeMs = Math.max(nowMs, this.lastRowtimeMs, this.watermarkMs);
        this.lastRowtimeMs = rowtimeMs;
        const entry: JournalEntry = { seq: ++this.journalSeq, stream: index, rowtimeMs, segments: taken.segments };
        this.dispatch(entry, taken, this.journal.append(entry));
      }
      if (this.checkpointWanted && this.checkpointing === undefined) {
        this.checkpointWanted = false;
        this.checkpointing = this.beginCheckpoint(false)
          .catch((error: unknown) => this.deps.logger.warn({ err: error, application: this.application.ApplicationName }, "a checkpoint failed"))
          .finally(() => (this.checkpointing = undefined));
      }
      if (!moved) return;
    }
  }

  /** Takes the next journal entry again, once its lanes hold its records; false while they do not yet. */
  private replayOne(): boolean {
    const entry = this.replay[0]!;
    const taken = this.taker.takeExact(this.source!.lanes(), entry.segments);
    const nowMs = this.deps.clock.nowMs();
    if (taken === undefined) {
      this.replayWaitingSinceMs ??= nowMs;
      if (nowMs - this.replayWaitingSinceMs < analyticsRuntimeLimits.replayWaitMaxMs) return false;
      this.deps.logger.warn({ application: this.application.ApplicationName }, `${this.replay.length} takes after the checkpoint could not be read again (the input changed); going on from here`);
      this.replay = [];
      return true;
    }
    this.replay.shift();
    this.replayWaitingSinceMs = undefined;
    this.lastRowtimeMs = Math.max(this.lastRowtimeMs, entry.rowtimeMs);
    this.dispatch(entry, taken, Promise.resolve(true));
    return true;
  }

  /** Sends the taken records to the engine, in order, once their journal entry is durable. */
  private dispatch(entry: JournalEntry, taken: Taken, durable: Promise<boolean>): void {
    this.takesInFlight++;
    this.counts.records += taken.records.length;
    const stream = this.plan.workerInputs[0]!.streams[entry.stream]!;
    let records = taken.records.map(({ record, laneId }) => ({ record, laneId, rowtimeMs: entry.rowtimeMs }));
    const inputId = this.plan.input?.InputId ?? "";
    this.metrics?.took(inputId, taken.records, this.deps.clock.nowMs());
    this.send(async () => {
      if (!(await durable)) throw new Error("storage refused the journal entry");
      if (this.preprocessor !== undefined) {
        const startedMs = this.deps.clock.nowMs();
        const processed = await this.preprocessor.process(stream, records, () => this.stopped);
        this.metrics?.preprocessed(inputId, this.deps.clock.nowMs() - startedMs, records.length, processed.records, processed.failed.length);
        if (processed.failed.length > 0) this.host!.failedRecords(stream, processed.failed, this.deps.clock.nowMs());
        records = processed.records;
      }
      for (const [laneId, position] of taken.positions) this.pushedPositions.set(laneId, position);
      this.pushedSeq = entry.seq;
      if (records.length === 0) {
        this.takesInFlight--;
        return;
      }
      this.host!.push(batchOf(stream, records, this.plan.workerInputs[0]!.source === "kinesis"), this.deps.clock.nowMs()).then(
        (result) => {
          this.takesInFlight--;
          this.counts.rows += result.rows;
          this.counts.errors += result.errors;
          this.schedulePump();
        },
        () => {
          this.takesInFlight--;
        },
      );
    });
  }

  /** Queues an operation after everything sent before it. */
  private send(operation: () => void | Promise<void>): Promise<void> {
    const next = this.sends.then(operation);
    this.sends = next.catch((error: unknown) => this.fail(`the runtime failed: ${(error as Error).message}`));
    return next;
  }

  private requestCheckpoint(): void {
    this.checkpointWanted = true;
    this.schedulePump();
  }

  /**
   * The barrier, in send order: the positions after the records sent so far and the engine's
   * snapshot after exactly those (the worker answers in order); committed once every output has
   * written the rows before it and taken its mark. Then the journal up to it goes.
   */
  private beginCheckpoint(final: boolean): Promise<void> {
    const input = this.plan.input!;
    let barrier!: { positions: InputPositions; journalSeq: number; watermarkMs: number; lastRowtimeMs: number; takenAtMs: number; engine: Promise<EngineCheckpoint> };
    const sent = this.send(() => {
      barrier = {
        positions: this.source!.positions(this.pushedPositions),
        journalSeq: this.pushedSeq,
        watermarkMs: this.watermarkMs,
        lastRowtimeMs: this.lastRowtimeMs,
        takenAtMs: this.deps.clock.nowMs(),
        engine: this.host!.checkpoint(),
      };
    });
    return sent.then(async () => {
      const engine = await barrier.engine;
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
        takenAtMs: barrier.takenAtMs,
        watermarkMs: barrier.watermarkMs,
        lastRowtimeMs: barrier.lastRowtimeMs,
        journalSeq: barrier.journalSeq,
        inputs: { [input.InputId]: { positions: barrier.positions } },
        outputs,
        final,
      };
      const saved = await this.checkpoints.save(head, engine.engine, this.lastHead);
      if (saved === undefined) throw new Error("storage refused the checkpoint");
      this.lastHead = saved;
      await this.journal.trim(barrier.journalSeq);
    });
  }

  private fail(message: string): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.deps.logger.error({ application: this.application.ApplicationName }, message);
    this.onFailure(this);
  }
}
