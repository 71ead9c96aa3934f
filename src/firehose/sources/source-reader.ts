/**
 * A delivery stream's source as the engine reads it: chunks of records, each from one lane (the
 * DirectPut log is one lane; a Kinesis stream has a lane per shard) and ending at a position the
 * lane can resume after (its checkpoint once settled: checkpoint-tracker.ts).
 */
import type { PipelineRecord } from "../delivery/contracts.js";

export interface SourceChunk {
  readonly lane: string;
  readonly records: readonly PipelineRecord[];
  readonly endPosition: string;
  readonly bytes: number;
}

export interface SourceReader {
  /** The next chunk; waits for records; rejects with the signal's reason once aborted. */
  next(signal: AbortSignal): Promise<SourceChunk>;
  /** A lane's checkpoint became durable (the Kinesis reader starts a closed shard's children after it). */
  committed?(lane: string, position: string): void;
  close(): void;
}

/** Resolves when `wake` is called or the signal aborts (rejecting). */
export function waitFor(register: (wake: () => void) => () => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const done = () => {
      unregister();
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal.reason);
    };
    const unregister = register(() => {
      done();
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
