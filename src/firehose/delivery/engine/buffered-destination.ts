/**
 * How the engine buffers for a destination. A BufferedDestination opens one DestinationBuffer per
 * (destination, dynamic partition) buffer: `append` takes records as they are read (the S3
 * destination compresses them at once, so its buffer holds compressed bytes), `deliver` sends the
 * sealed buffer (called again for each retry: same batchId, same object key, same request id), and
 * `discard` frees it. Destinations that want the record list (the contract's Destination: Redshift,
 * OpenSearch, HTTP endpoints, Splunk) are adapted by `recordListDestination`, which keeps the
 * records and, on a partial failure, re-delivers only the failed ones.
 */
import type { DeliveryBatch, DeliveryOutcome, Destination, PipelineRecord } from "../contracts.js";

/** The batch's identity and placement, fixed when the buffer is sealed. */
export type SealedBatch = Omit<DeliveryBatch, "records">;

export interface DestinationBuffer {
  append(records: readonly PipelineRecord[]): Promise<void>;
  deliver(batch: SealedBatch): Promise<DeliveryOutcome>;
  discard(): void;
}

export interface BufferedDestination {
  /** How long the engine keeps retrying a retriable failure before giving the batch up. */
  readonly retryDurationMs: number;
  /** The pause between attempts (the engine doubles it up to 30 s unless the destination fixes it). */
  readonly retryIntervalMs?: number;
  open(): DestinationBuffer;
  close?(): Promise<void>;
}

/** A contract Destination (deliver retries and backs up itself), buffered as a list of records. */
export function recordListDestination(destination: Destination, retryDurationMs: number): BufferedDestination {
  return {
    retryDurationMs,
    open(): DestinationBuffer {
      let records: PipelineRecord[] = [];
      return {
        async append(more) {
          for (const record of more) records.push(record);
        },
        async deliver(batch) {
          const outcome = await destination.deliver({ ...batch, records });
          if (!outcome.ok && outcome.failedRecordIds !== undefined) {
            // Only the failed records are tried again.
            const failed = new Set(outcome.failedRecordIds);
            records = records.filter((record) => failed.has(record.recordId));
          }
          return outcome;
        },
        discard() {
          records = [];
        },
      };
    },
    ...(destination.close !== undefined && { close: () => destination.close!() }),
  };
}
