/**
 * The platform's log lines, as Lambda writes them into a function's log stream, and the buffer
 * that carries each invocation's lines to FunctionLogs off the invocation's path:
 *
 *   INIT_START Runtime Version: nodejs:20.20.2\tRuntime Version ARN: arn:aws:lambda:…
 *   START RequestId: <id> Version: $LATEST
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB[\tInit Duration: 95.12 ms][\tStatus: timeout|error\tError Type: …]
 *   <ISO time> <id> Task timed out after 3.00 seconds
 */
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { FunctionLogEvent, FunctionLogs } from "../model.js";

/** LogType Tail returns at most this much of the invocation's log. */
export const tailBytesMax = 4096;
/** Log events waiting for storage; past this, new ones are dropped (and counted) rather than held. */
const pendingEventsMax = 100_000;
const flushIntervalMs = 50;

export function initStartLine(runtimeVersion: string, runtimeVersionArn: string): string {
  return `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: ${runtimeVersionArn}`;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFacts {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMB: number;
  readonly maxMemoryUsedMB: number;
  readonly initDurationMs?: number;
  readonly status?: { readonly status: "timeout" | "error"; readonly errorType?: string };
}

export function reportLine(facts: ReportFacts): string {
  let line = `REPORT RequestId: ${facts.requestId}\tDuration: ${facts.durationMs.toFixed(2)} ms\tBilled Duration: ${facts.billedDurationMs} ms\tMemory Size: ${facts.memorySizeMB} MB\tMax Memory Used: ${facts.maxMemoryUsedMB} MB`;
  if (facts.initDurationMs !== undefined) line += `\tInit Duration: ${facts.initDurationMs.toFixed(2)} ms`;
  if (facts.status !== undefined) {
    line += `\tStatus: ${facts.status.status}`;
    if (facts.status.errorType !== undefined) line += `\tError Type: ${facts.status.errorType}`;
  }
  return line;
}

export function initReportLine(initDurationMs: number, errorType: string): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`;
}

export function timedOutLine(nowMs: number, requestId: string, timeoutSeconds: number): string {
  return `${new Date(nowMs).toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** base64 of the last 4 KB of the lines (each ending in a newline), as Invoke's X-Amz-Log-Result. */
export function tailOf(events: readonly FunctionLogEvent[]): string {
  const text = Buffer.from(events.map((event) => `${event.message}\n`).join(""), "utf8");
  return (text.length > tailBytesMax ? text.subarray(text.length - tailBytesMax) : text).toString("base64");
}

/**
 * Hands log events to FunctionLogs in batches, every `flushIntervalMs`, so an invocation never
 * waits for its log to be stored, and a busy function's log costs one group of durable writes per
 * interval rather than one per invocation.
 */
export class FunctionLogWriter {
  private pending = new Map<string, { accountId: string; functionName: string; events: FunctionLogEvent[] }>();
  private pendingEvents = 0;
  private droppedEvents = 0;
  private scheduled = false;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly logs: FunctionLogs,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  write(accountId: string, functionName: string, events: readonly FunctionLogEvent[]): void {
    if (this.pendingEvents + events.length > pendingEventsMax) {
      this.droppedEvents += events.length;
      return;
    }
    const key = `${accountId}\u0000${functionName}`;
    let batch = this.pending.get(key);
    if (batch === undefined) {
      batch = { accountId, functionName, events: [] };
      this.pending.set(key, batch);
    }
    for (const event of events) batch.events.push(event);
    this.pendingEvents += events.length;
    if (!this.scheduled) {
      this.scheduled = true;
      this.clock.setTimeout(() => this.flushPending(), flushIntervalMs, { unref: true });
    }
  }

  /** Resolves once everything written so far is stored (or failed). */
  async flush(): Promise<void> {
    this.flushPending();
    await Promise.all([...this.inFlight]);
  }

  private flushPending(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    const batches = [...this.pending.values()];
    this.pending = new Map();
    this.pendingEvents = 0;
    if (this.droppedEvents > 0) {
      this.logger.warn({ droppedEvents: this.droppedEvents }, "function log events dropped: storage is behind");
      this.droppedEvents = 0;
    }
    for (const batch of batches) {
      const stored: Promise<void> = this.logs
        .append(batch.accountId, batch.functionName, batch.events)
        .catch((error: unknown) => this.logger.warn({ err: error, functionName: batch.functionName }, "function log events not stored"))
        .finally(() => this.inFlight.delete(stored));
      this.inFlight.add(stored);
    }
  }
}
