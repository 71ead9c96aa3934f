/**
 * The delivery pipeline's contracts (docs/firehose.md): records come from the delivery stream's
 * source (DirectPut's durable internal log, or a Kinesis stream), pass the processors of
 * ProcessingConfiguration in order, are buffered per destination and dynamic partition by
 * BufferingHints, and each flushed buffer is a DeliveryBatch that a Destination delivers (S3:
 * converted, compressed and written under its prefix; Redshift through PostgreSQL COPY; OpenSearch
 * `_bulk`; HTTP endpoints; Splunk HEC). Each stage is a module of its own against these types.
 */

/** Metadata of a record read from a Kinesis stream source (Lambda transformation events carry it). */
export interface KinesisRecordMetadata {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly approximateArrivalTimestampMs: number;
  readonly subsequenceNumber?: number;
}

/** A record in the pipeline. Processors return new ones; they never mutate. */
export interface PipelineRecord {
  /** Firehose's recordId: unique in the delivery stream and stable across retries (the Lambda transformation contract). */
  readonly recordId: string;
  readonly data: Buffer;
  readonly approximateArrivalTimestampMs: number;
  readonly kinesisRecordMetadata?: KinesisRecordMetadata;
  /** Dynamic partitioning keys (MetadataExtraction's `partitionKeyFromQuery`, Lambda's `metadata.partitionKeys`). */
  readonly partitionKeys?: Readonly<Record<string, string>>;
}

/** A record the pipeline could not process: written to the error output as Firehose's error record. */
export interface FailedRecord {
  readonly recordId: string;
  /** The record's data as it entered the failing stage. */
  readonly rawData: Buffer;
  readonly approximateArrivalTimestampMs: number;
  /** Firehose's code: "Lambda.FunctionError", "Lambda.ProcessingFailedStatus", "DynamicPartitioning.MetadataExtractionFailed", "DataFormatConversion.…" */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** The function's ARN, for a Lambda processor's failure. */
  readonly lambdaArn?: string;
  /** Which error output it goes to: `!{firehose:error-output-type}` (processing-failed, format-conversion-failed, …). */
  readonly errorOutputType: "processing-failed" | "decompression-failed" | "format-conversion-failed" | "partitioning-failed" | "elasticsearch-failed" | "http-endpoint-failed" | "splunk-failed" | "redshift-failed";
}

export interface ProcessingOutcome {
  readonly ok: readonly PipelineRecord[];
  readonly failed: readonly FailedRecord[];
  /** Records the processor dropped on purpose (Lambda's `Dropped`): counted, not delivered, not errors. */
  readonly droppedCount: number;
}

/** One processor of ProcessingConfiguration.Processors; processors chain in their configured order. */
export interface RecordProcessor {
  process(records: readonly PipelineRecord[]): Promise<ProcessingOutcome>;
}

/** A flushed buffer of one destination and partition. */
export interface DeliveryBatch {
  /** Stable across retries of this batch: X-Amz-Firehose-Request-Id, the object key's UUID. */
  readonly batchId: string;
  readonly deliveryStreamName: string;
  readonly deliveryStreamVersion: number;
  readonly records: readonly PipelineRecord[];
  /** The batch's dynamic partition, when partitioning is on. */
  readonly partitionKeys?: Readonly<Record<string, string>>;
  /** Arrival of the batch's first record: the time in the S3 key and `!{timestamp:…}`. */
  readonly firstArrivalMs: number;
  /**
   * Told of the records (and their data bytes) a destination gave up on and wrote to its backup
   * bucket as error records, answering the batch delivered: the delivery metrics count them
   * undelivered (src/firehose/metrics.ts).
   */
  readonly backedUp?: (records: number, bytes: number) => void;
}

export type DeliveryOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Whether to try again (within RetryOptions.DurationInSeconds) or give up to the error output / backup. */
      readonly retriable: boolean;
      readonly errorCode: string;
      readonly errorMessage: string;
      /** A partial failure (OpenSearch `_bulk` items): only these records failed; the others are delivered. */
      readonly failedRecordIds?: readonly string[];
    };

export interface Destination {
  deliver(batch: DeliveryBatch): Promise<DeliveryOutcome>;
  /** Ends connections and timers. */
  close?(): Promise<void>;
}
