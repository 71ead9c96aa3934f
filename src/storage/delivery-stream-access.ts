/**
 * How a service reads and writes Firehose delivery streams from inside the process — Analytics'
 * delivery-stream inputs and outputs — without HTTP to ourselves. The Firehose service implements
 * it (`deliveryStreamAccess` on its instance, src/firehose/delivery-stream-access.ts); the app hands
 * it to every service as `ServiceDeps.deliveryStreamAccess` (src/server/app.ts), so services never
 * import each other. Like StreamAccess, one of the process's internal ports.
 *
 * Delivery streams are named by ARN. A DirectPut stream's records are read from its durable ingest
 * log (what PutRecord and PutRecordBatch acknowledged), by position: the log offset. A stream with
 * a Kinesis source names that stream (`kinesisStreamArn`): read it through StreamAccess.
 */

export interface DeliveryStreamView {
  readonly accountId: string;
  readonly name: string;
  readonly arn: string;
  readonly type: "DirectPut" | "KinesisStreamAsSource" | "MSKAsSource" | "DatabaseAsSource";
  readonly status: "CREATING" | "ACTIVE" | "DELETING";
  readonly kinesisStreamArn?: string;
}

export interface DeliveryRecordView {
  /** The record's position in the ingest log (the next read starts after the last one). */
  readonly position: number;
  readonly data: Buffer;
  readonly arrivalMs: number;
}

export type DeliveryReadOutcome =
  | { readonly ok: true; readonly records: readonly DeliveryRecordView[]; readonly next: number }
  | { readonly ok: false; readonly reason: "not-found" | "not-direct-put" };

export type DeliveryPutOutcome =
  | { readonly ok: true; readonly recordIds: readonly string[] }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string; readonly retriable: boolean };

export interface DeliveryStreamAccess {
  describeDeliveryStream(arn: string): Promise<DeliveryStreamView | undefined>;
  /**
   * The log's first and next (end) positions of a DirectPut stream, and with `atTimeMs` the first
   * position whose record arrived at or after it (`end` when none did); undefined for another stream.
   */
  positions(arn: string, atTimeMs?: number): Promise<{ start: number; end: number; at?: number } | undefined>;
  /** Up to the limits from `fromPosition`. */
  readRecords(arn: string, fromPosition: number, limits: { recordsMax: number; bytesMax: number }): Promise<DeliveryReadOutcome>;
  /** Calls `listener` (possibly spuriously) when the stream's log gains records. */
  watch(arn: string, listener: () => void): { stop(): void };
  /** PutRecordBatch as the stream's account would call it: resolves once the records are durable. */
  putRecordBatch(arn: string, records: readonly Buffer[]): Promise<DeliveryPutOutcome>;
}
