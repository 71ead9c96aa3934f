/**
 * PutRecords with the service's limits and its partial failures, for `put` and `import`:
 * records are gathered into requests of at most 500 records and 5 MiB (data plus partition keys,
 * as AWS counts), sent one request at a time in input order, and the entries a response marks
 * with a retriable ErrorCode (ProvisionedThroughputExceededException, InternalFailure,
 * KMSThrottlingException) are sent again, alone, after a jittered backoff, before the next request —
 * so a throttled shard slows the tool down rather than failing it. Other ErrorCodes, and retriable
 * ones after `putAttemptsMax` tries, are failures the caller reports.
 *
 * Order: a partition key's records go out in input order, except that an entry retried after a
 * throttle lands after the ones of its request that succeeded (PutRecords guarantees no order
 * between a request's entries and a later retry; the KPL has the same property).
 */
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { isRetriableError, isRetriableName, jitteredBackoffMs } from "../../client/retry.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";

/** PutRecords' limits (Kinesis API reference). */
export const requestRecordsMax = 500;
export const requestBytesMax = 5 * 1024 * 1024;
/** Tries of one entry (or of a whole request the service failed) before it counts as failed. */
export const putAttemptsMax = 30;
/** Backoff between tries: full jitter over 100 ms × 2^(attempt−1), at most 2 s (a shard's write allowance refills every second). */
const backoffMsBase = 100;
const backoffMsMax = 2_000;

export interface PutEntry {
  Data: Uint8Array;
  PartitionKey: string;
  ExplicitHashKey?: string;
  /** Where it came from, for messages (the input's line number). */
  line: number;
}

export interface PutFailure {
  line: number;
  ErrorCode: string;
  ErrorMessage: string;
}

export interface PutDeps {
  kinesis: KinesisClient;
  clock: Clock;
  random: Random;
  signal: AbortSignal;
}

/** What an entry counts against a request's 5 MiB. */
export function entryBytes(entry: PutEntry): number {
  return entry.Data.byteLength + Buffer.byteLength(entry.PartitionKey, "utf8");
}

/** Gathers entries into requests; `add` answers a full request to send before the entry is kept. */
export class BatchBuilder {
  private entries: PutEntry[] = [];
  private bytes = 0;

  /** Entries gathered. */
  get size(): number {
    return this.entries.length;
  }

  /** The request to send first, when `entry` does not fit beside what is gathered. */
  add(entry: PutEntry): PutEntry[] | undefined {
    const size = entryBytes(entry);
    let full: PutEntry[] | undefined;
    if (this.entries.length > 0 && (this.entries.length >= requestRecordsMax || this.bytes + size > requestBytesMax)) full = this.take();
    this.entries.push(entry);
    this.bytes += size;
    return full;
  }

  /** What is gathered (possibly nothing), emptying the builder. */
  take(): PutEntry[] {
    const entries = this.entries;
    this.entries = [];
    this.bytes = 0;
    return entries;
  }
}

/**
 * Sends one request's entries until each is put or failed. A request the service rejects as a
 * whole with a retriable error is sent again; any other error (the stream is gone, access denied,
 * a validation error) rejects, and the caller stops. `onPut` hears of each success as it happens.
 */
export async function putBatch(deps: PutDeps, StreamName: string, entries: readonly PutEntry[], onPut: (count: number) => void): Promise<PutFailure[]> {
  const failures: PutFailure[] = [];
  let pending = entries;
  for (let attempt = 1; pending.length > 0; attempt++) {
    deps.signal.throwIfAborted();
    let results;
    try {
      const out = await deps.kinesis.send(
        new PutRecordsCommand({
          StreamName,
          Records: pending.map((entry) => ({ Data: entry.Data, PartitionKey: entry.PartitionKey, ...(entry.ExplicitHashKey !== undefined && { ExplicitHashKey: entry.ExplicitHashKey }) })),
        }),
        { abortSignal: deps.signal },
      );
      results = out.Records ?? [];
    } catch (error) {
      deps.signal.throwIfAborted();
      if (!isRetriableError(error) || attempt >= putAttemptsMax) throw error;
      await backoff(deps, attempt);
      continue;
    }
    const retry: PutEntry[] = [];
    let put = 0;
    pending.forEach((entry, index) => {
      const result = results[index];
      if (result !== undefined && result.ErrorCode === undefined) put++;
      else if (result?.ErrorCode !== undefined && isRetriableName(result.ErrorCode) && attempt < putAttemptsMax) retry.push(entry);
      else failures.push({ line: entry.line, ErrorCode: result?.ErrorCode ?? "MissingResult", ErrorMessage: result?.ErrorMessage ?? "the response had no result for this record" });
    });
    if (put > 0) onPut(put);
    pending = retry;
    if (pending.length > 0) await backoff(deps, attempt);
  }
  return failures;
}

function backoff(deps: PutDeps, attempt: number): Promise<void> {
  return deps.clock.sleep(jitteredBackoffMs(attempt, deps.random, backoffMsBase, backoffMsMax), { signal: deps.signal });
}
