/**
 * The Destination our factories return: the pipeline's contract (deliver, close) plus what the
 * engine may want to know. `deliver` carries out Firehose's whole rule for one batch — attempts
 * until RetryOptions.DurationInSeconds, then the failed records to the backup bucket — and answers
 * `ok: true` once every record is delivered or backed up. It answers `ok: false, retriable: true`
 * (with `failedRecordIds` when only some records are concerned) only when even the backup write
 * failed: Firehose then pauses the stream and tries again, so the engine must re-deliver those.
 * `attempt` is one try alone, for engines that schedule retries themselves.
 */
import type { DeliveryBatch, DeliveryOutcome, Destination } from "../../delivery/contracts.js";

export interface FirehoseDestination extends Destination {
  /** RetryOptions.DurationInSeconds, or the destination's default. */
  readonly retryDurationSeconds: number;
  /** One attempt, no retries and no backup: the records that failed are in failedRecordIds. */
  attempt(batch: DeliveryBatch): Promise<DeliveryOutcome>;
  deliver(batch: DeliveryBatch): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export function backupFailed(errorCode: string, errorMessage: string, recordIds: readonly string[]): DeliveryOutcome {
  return { ok: false, retriable: true, errorCode, errorMessage, failedRecordIds: recordIds };
}
