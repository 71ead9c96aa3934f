/**
 * One shard's record processor under the MultiLangDaemon: a child process that speaks the KCL
 * multilang protocol (messages.ts). Each ShardRecordProcessor call writes its message to the
 * child's stdin and resolves once the child answers {"action":"status","responseFor":<action>};
 * a checkpoint the child asks for in between is carried out through the call's checkpointer and
 * answered as the Java daemon answers it.
 *
 * Lifecycle, as MultiLangShardRecordProcessor: initialize starts the child; after leaseLost or
 * shardEnded the child's stdin is closed and it is expected to exit (killed after a grace
 * period). shutdownRequested is followed by leaseLost, as the KCL follows a requested shutdown.
 * Where the Java daemon exits the whole JVM when a child misbehaves (exits, answers for another
 * action, times out), this processor rejects the call and kills the child: the consumer then
 * treats the shard as failed and its lease is released for a fresh processor.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import type {
  InitializationInput, ProcessRecordsInput, RecordProcessorCheckpointer, ShardEndedInput, ShardRecordProcessor, ShutdownRequestedInput,
} from "../../client/consumer/types.js";
import type { Logger } from "../../util/logger.js";
import { systemClock, type Clock } from "../../util/clock.js";
import {
  bareMessage, checkpointAnswer, checkpointErrorName, initializeMessage, parseChildMessage, processRecordsMessage,
  type ChildMessage, type ParentAction,
} from "./messages.js";

/** How long a child may take to exit after its last message before it is killed. */
export const exitGraceMsDefault = 10_000;
/** After SIGKILL, how long to wait for the child's pipes to close (a grandchild may hold them). */
const killWaitMs = 5_000;
/** A line of the child's stdout longer than this is not a message (ours are tiny); the rest of it is dropped. */
export const lineCharsMax = 1 << 20;
/** Messages the child may write ahead of the call that reads them. */
const queuedMessagesMax = 1_000;

export interface MultiLangProcessorOptions {
  /** The executable and its arguments (executableName split as the KCL splits it). */
  command: readonly string[];
  cwd: string;
  logger: Logger;
  /** Where the child's stderr goes, each line prefixed with the shard id (default: our stderr). */
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
  exitGraceMs?: number;
  /** How long to wait for the child's answer to one message; undefined waits as long as it takes (the KCL's default). */
  responseTimeoutMs?: number;
  /** What the waits on the child (its answers, its exit) run on: wall time, so the system clock by default. */
  clock?: Clock;
}

interface Waiter {
  action: ParentAction;
  checkpointer: RecordProcessorCheckpointer | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

type State = "new" | "running" | "finished" | "failed";

/**
 * @example
 * const processorFactory = () => new MultiLangProcessor({ command: ["node", "app.js"], cwd, logger });
 */
export class MultiLangProcessor implements ShardRecordProcessor {
  private state: State = "new";
  private failure: Error | undefined;
  private shardId = "(uninitialized)";
  private child: ChildProcess | undefined;
  private closed: Promise<void> = Promise.resolve();
  private waiter: Waiter | undefined;
  private readonly queue: ChildMessage[] = [];
  private pumping = false;
  private busy = false;
  private readonly exitGraceMs: number;

  constructor(private readonly options: MultiLangProcessorOptions) {
    if (options.command.length === 0 || options.command[0] === "") throw new Error("MultiLangProcessor needs a command");
    this.exitGraceMs = options.exitGraceMs ?? exitGraceMsDefault;
  }

  async initialize(input: InitializationInput): Promise<void> {
    await this.serially({ whenFailed: "reject" }, async () => {
      if (this.state !== "new") throw new Error(`initialize called twice for shard ${input.shardId}`);
      this.shardId = input.shardId;
      this.start();
      await this.call("initialize", initializeMessage(input.shardId, input.extendedSequenceNumber), undefined);
    });
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    await this.serially({ whenFailed: "reject" }, () => this.call("processRecords", processRecordsMessage(input.records, input.millisBehindLatest), input.checkpointer));
  }

  async leaseLost(): Promise<void> {
    await this.serially({ whenFailed: "resolve" }, async () => {
      // Nothing to tell a child that never started, already finished, or already failed.
      if (this.state !== "running") return;
      await this.call("leaseLost", bareMessage("leaseLost"), undefined);
      await this.finish();
    });
  }

  async shardEnded(input: ShardEndedInput): Promise<void> {
    await this.serially({ whenFailed: "reject" }, async () => {
      if (this.state === "new") return;
      if (this.state === "finished") {
        this.options.logger.warn({ shardId: this.shardId }, "shardEnded after the record processor finished; not doing anything");
        return;
      }
      await this.call("shardEnded", bareMessage("shardEnded"), input.checkpointer);
      await this.finish();
    });
  }

  async shutdownRequested(input: ShutdownRequestedInput): Promise<void> {
    await this.serially({ whenFailed: "resolve" }, async () => {
      if (this.state !== "running") return;
      await this.call("shutdownRequested", bareMessage("shutdownRequested"), input.checkpointer);
      await this.call("leaseLost", bareMessage("leaseLost"), undefined);
      await this.finish();
    });
  }

  /**
   * The consumer never overlaps calls for one shard; a second one at once is a bug in the caller.
   * After a failure the calls that need the child reject with it; leaseLost and shutdownRequested
   * have nothing left to tell a child that is gone, so they resolve.
   */
  private async serially(mode: { whenFailed: "reject" | "resolve" }, work: () => Promise<void>): Promise<void> {
    if (this.busy) throw new Error(`overlapping record processor calls for shard ${this.shardId}`);
    if (this.state === "failed") {
      if (mode.whenFailed === "reject") throw this.failure!;
      return;
    }
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
    }
  }

  private start(): void {
    const [file, ...args] = this.options.command;
    const child = spawn(file!, args, { cwd: this.options.cwd, env: this.options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    this.state = "running";
    this.closed = new Promise((resolve) => child.once("close", () => resolve()));
    child.once("error", (error) => this.fail(new Error(`cannot run the record processor '${this.options.command.join(" ")}' for shard ${this.shardId}: ${error.message}`, { cause: error })));
    child.once("close", (code, signal) => {
      if (this.state !== "running") return;
      const how = signal === null ? `with code ${code}` : `on ${signal}`;
      this.fail(new Error(`the record processor for shard ${this.shardId} exited ${how} while ${this.waiter ? `waiting for its status for ${this.waiter.action}` : "idle"}`));
    });
    child.stdin!.on("error", (error) => this.fail(new Error(`cannot write to the record processor for shard ${this.shardId}: ${error.message}`, { cause: error })));
    splitLines(child.stdout!, (line) => this.onLine(line), () =>
      this.options.logger.warn({ shardId: this.shardId, lineCharsMax }, "dropped an over-long line from the record processor's stdout"),
    );
    const stderr = this.options.stderr ?? process.stderr;
    splitLines(child.stderr!, (line) => stderr.write(`[${this.shardId}] ${line}\n`), () => undefined);
  }

  /** Writes one message and waits for the child's status for it, carrying out checkpoints on the way. */
  private async call(action: ParentAction, message: string, checkpointer: RecordProcessorCheckpointer | undefined): Promise<void> {
    if (this.state === "failed") throw this.failure!;
    const status = new Promise<void>((resolve, reject) => (this.waiter = { action, checkpointer, resolve, reject }));
    status.catch(() => undefined); // Handled below; a write failure may reject it first.
    const timeoutMs = this.options.responseTimeoutMs;
    const clock = this.options.clock ?? systemClock;
    const timer = timeoutMs === undefined ? undefined : clock.setTimeout(
      () => this.fail(new Error(`the record processor for shard ${this.shardId} did not answer ${action} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await this.write(message).catch((error: Error) => this.fail(error));
      void this.pump();
      await status;
    } finally {
      clock.clearTimer(timer);
    }
  }

  private write(line: string): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable) return Promise.reject(new Error(`the record processor for shard ${this.shardId} no longer reads its stdin`));
    return new Promise((resolve, reject) => stdin.write(line + "\n", "utf8", (error) => (error ? reject(error) : resolve())));
  }

  private onLine(line: string): void {
    if (line.trim() === "") return;
    const message = parseChildMessage(line);
    if (message === undefined) {
      // As the daemon's reader: a processor may print to stdout; such lines are not messages.
      this.options.logger.info({ shardId: this.shardId, line }, "skipping unexpected line on the record processor's stdout");
      return;
    }
    if (this.state !== "running") {
      this.options.logger.debug({ shardId: this.shardId, line }, "message from the record processor after it finished");
      return;
    }
    if (this.queue.length >= queuedMessagesMax) {
      this.fail(new Error(`the record processor for shard ${this.shardId} wrote more than ${queuedMessagesMax} messages nobody asked for`));
      return;
    }
    this.queue.push(message);
    void this.pump();
  }

  /** Handles queued messages one at a time while a call waits: a checkpoint finishes before the next line counts. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiter !== undefined && this.queue.length > 0 && this.state === "running") {
        const message = this.queue.shift()!;
        const waiter = this.waiter;
        if (message.kind === "checkpoint") {
          await this.checkpoint(message, waiter.checkpointer);
        } else if (message.kind === "status") {
          if (message.responseFor !== waiter.action) {
            this.fail(new Error(`the record processor for shard ${this.shardId} answered ${message.responseFor} while ${waiter.action} was waiting for its status`));
            return;
          }
          this.waiter = undefined;
          waiter.resolve();
        } else {
          this.options.logger.warn({ shardId: this.shardId, action: message.action }, "ignoring a message the record processor has no reason to send");
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async checkpoint(message: Extract<ChildMessage, { kind: "checkpoint" }>, checkpointer: RecordProcessorCheckpointer | undefined): Promise<void> {
    const { sequenceNumber, subSequenceNumber } = message;
    let error: string | null = null;
    if (checkpointer === undefined) {
      // MultiLangProtocol: a checkpoint asked for where there is no checkpointer (initialize, leaseLost).
      this.options.logger.error({ shardId: this.shardId, sequenceNumber }, "the record processor asked to checkpoint where no checkpointer was provided");
      error = "InvalidStateException";
    } else {
      try {
        if (sequenceNumber === null) await checkpointer.checkpoint();
        else await checkpointer.checkpoint(sequenceNumber, subSequenceNumber ?? undefined);
      } catch (cause) {
        error = checkpointErrorName(cause);
        this.options.logger.info({ shardId: this.shardId, sequenceNumber, subSequenceNumber, error, reason: String(cause) }, "checkpoint failed; telling the record processor");
      }
    }
    if (this.state !== "running") return;
    await this.write(checkpointAnswer(sequenceNumber, subSequenceNumber, error)).catch((cause: Error) => this.fail(cause));
  }

  /** The last answer is in: close the child's stdin, give it the grace period to exit, then kill it. */
  private async finish(): Promise<void> {
    this.state = "finished";
    const child = this.child!;
    child.stdin!.end();
    const clock = this.options.clock ?? systemClock;
    if (await settlesWithin(this.closed, this.exitGraceMs, clock)) return;
    this.options.logger.warn({ shardId: this.shardId, exitGraceMs: this.exitGraceMs }, "the record processor did not exit after its last message; killing it");
    child.kill("SIGKILL");
    if (!(await settlesWithin(this.closed, killWaitMs, clock))) {
      child.stdout!.destroy();
      child.stderr!.destroy();
    }
  }

  private fail(error: Error): void {
    if (this.state === "failed" || this.state === "finished") return;
    this.state = "failed";
    this.failure = error;
    this.options.logger.error({ shardId: this.shardId, err: error.message }, "record processor failed");
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

function settlesWithin(promise: Promise<void>, timeoutMs: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), timeoutMs);
    promise.then(() => {
      clock.clearTimer(timer);
      resolve(true);
    });
  });
}

/** Calls onLine for each line of a stream (without its \n or \r\n); a line past lineCharsMax is dropped. */
function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void, onOverlong: () => void): void {
  let pending = "";
  let dropping = false;
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    let text = pending + chunk;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      const line = text.slice(0, newline).replace(/\r$/, "");
      if (!dropping) onLine(line);
      dropping = false;
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    if (text.length > lineCharsMax) {
      if (!dropping) onOverlong();
      dropping = true;
      text = "";
    }
    pending = text;
  });
  stream.on("end", () => {
    if (pending !== "" && !dropping) onLine(pending.replace(/\r$/, ""));
    pending = "";
  });
}
