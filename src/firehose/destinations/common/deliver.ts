/**
 * Firehose's whole rule for one batch at the HTTP-style destinations (OpenSearch, HTTP endpoint,
 * Splunk), written once: the "all" S3BackupMode backs the batch up first; attempts follow until
 * RetryOptions.DurationInSeconds (retry.ts); what still failed then goes to the S3Configuration
 * bucket as error records. Only a failed backup write answers `ok: false` (retriable, with the
 * records concerned), and so does a destination closing mid-retry: the engine delivers those again.
 */
import type { DeliveryBatch, DeliveryOutcome } from "../../delivery/contracts.js";
import { writeFailedRecords, writeSourceBackup, type FailedDelivery, type S3Configuration } from "./backup.js";
import type { DestinationDeps } from "./deps.js";
import { backupFailed, type FirehoseDestination } from "./destination.js";
import { retryUntilDuration, type AttemptResult, type RetryOutcome } from "./retry.js";

/** One request's result at a destination that sends the batch whole. */
export type Sent = { ok: true } | { ok: false; errorCode: string; errorMessage: string };

/** A whole-batch send as one `attempt` (no retries, no backup). */
export function attemptOutcome(sent: Sent): DeliveryOutcome {
  return sent.ok ? sent : { ok: false, retriable: true, errorCode: sent.errorCode, errorMessage: sent.errorMessage };
}

export interface RetryAndBackup<Item> {
  readonly deps: DestinationDeps;
  readonly s3: S3Configuration;
  readonly batch: DeliveryBatch;
  /** S3BackupMode is AllDocuments / AllData / AllEvents: every batch is backed up before delivery. */
  readonly backupAll: boolean;
  readonly retryDurationSeconds: number;
  /** Splunk's retry duration starts at the first failure. */
  readonly durationFrom?: "first-attempt-start" | "first-failure";
  /** The destination's closing signal: ends the retries, and the batch is handed back rather than backed up. */
  readonly signal: AbortSignal;
  readonly items: readonly Item[];
  readonly attempt: (pending: readonly Item[]) => Promise<AttemptResult<Item>>;
  /** The error output type in the error records' keys (`http-endpoint-failed`, `splunk-failed`…). */
  readonly errorOutputType: string;
  /** The error records for the items still failed once the retry duration ran out. */
  readonly failuresOf: (failed: RetryOutcome<Item>["failed"]) => FailedDelivery[];
}

export async function deliverWithRetryAndBackup<Item>(input: RetryAndBackup<Item>): Promise<DeliveryOutcome> {
  const { deps, s3, batch } = input;
  if (batch.records.length === 0) return { ok: true };
  if (input.backupAll) {
    const backedUp = await writeSourceBackup(deps, s3, batch);
    if (!backedUp.ok) return backupFailed(backedUp.errorCode, backedUp.errorMessage, batch.records.map((record) => record.recordId));
  }
  const outcome = await retryUntilDuration({
    clock: deps.clock,
    durationSeconds: input.retryDurationSeconds,
    ...(input.durationFrom !== undefined ? { durationFrom: input.durationFrom } : {}),
    items: input.items,
    signal: input.signal,
    attempt: input.attempt,
  });
  const first = outcome.failed[0];
  if (first === undefined) return { ok: true };
  const failures = input.failuresOf(outcome.failed);
  const recordIds = failures.map((failure) => failure.record.recordId);
  if (input.signal.aborted) return { ok: false, retriable: true, errorCode: first.errorCode, errorMessage: first.errorMessage, failedRecordIds: recordIds };
  const written = await writeFailedRecords(deps, s3, batch, input.errorOutputType, failures, outcome);
  if (!written.ok) return backupFailed(written.errorCode, written.errorMessage, recordIds);
  if (batch.backedUp !== undefined) {
    let bytes = 0;
    for (const failure of failures) bytes += failure.record.data.length;
    batch.backedUp(failures.length, bytes);
  }
  return { ok: true };
}

/**
 * The same for a destination that sends the batch whole (HTTP endpoint, Splunk): every attempt
 * sends every record, `onFailure` hears of each failed attempt, and once the retry duration has run
 * out every record becomes an error record with the last failure (plus `extraOf`'s fields).
 */
export function deliverWholeBatch(
  input: Omit<RetryAndBackup<DeliveryBatch>, "items" | "attempt" | "failuresOf"> & {
    readonly send: (batch: DeliveryBatch) => Promise<Sent>;
    readonly onFailure: (sent: Extract<Sent, { ok: false }>) => void;
    readonly extraOf?: (record: DeliveryBatch["records"][number]) => Readonly<Record<string, unknown>>;
  },
): Promise<DeliveryOutcome> {
  const { batch, send, onFailure, extraOf, ...rest } = input;
  return deliverWithRetryAndBackup({
    ...rest,
    batch,
    items: [batch],
    attempt: async (pending) => {
      const sent = await send(batch);
      if (sent.ok) return { failed: [] };
      onFailure(sent);
      return { failed: pending.map((item) => ({ item, errorCode: sent.errorCode, errorMessage: sent.errorMessage })) };
    },
    failuresOf: ([failure]) =>
      batch.records.map((record) => ({
        record,
        errorCode: failure!.errorCode,
        errorMessage: failure!.errorMessage,
        ...(extraOf !== undefined ? { extra: extraOf(record) } : {}),
      })),
  });
}

/** The destination over its own attempt and deliver: closing ends the retries' waits, then the connections. */
export function closableDestination(parts: {
  readonly retryDurationSeconds: number;
  readonly attempt: FirehoseDestination["attempt"];
  readonly deliver: FirehoseDestination["deliver"];
  readonly closing: AbortController;
  readonly agents: { destroy(): void };
}): FirehoseDestination {
  const { retryDurationSeconds, attempt, deliver, closing, agents } = parts;
  return {
    retryDurationSeconds,
    attempt,
    deliver,
    async close() {
      closing.abort();
      agents.destroy();
    },
  };
}
