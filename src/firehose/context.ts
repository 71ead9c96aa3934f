/**
 * What Firehose's actions run with (docs/firehose.md): the injected clock and randomness, the
 * service's settings, its store, the DirectPut ingest logs and the delivery engine's hooks.
 */
import type { StructureShape } from "../protocol/shapes.js";
import type { PipelineAction } from "../protocol/action-pipeline.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { DeliveryStreamStore } from "./store/delivery-streams.js";
import type { DirectPutLogs } from "./sources/direct-put-log.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { FirehoseMetrics } from "./metrics.js";

export interface FirehoseOptions {
  /** How long a new delivery stream stays CREATING; Firehose takes seconds, we default to 500 ms. */
  createDelayMs: number;
  /**
   * The undelivered bytes of a DirectPut stream (appended, not yet delivered or written to the
   * error output) past which PutRecord and PutRecordBatch answer ServiceUnavailableException.
   */
  backlogBytesMax: number;
  /** Whether the delivery engine runs (tests of the API alone may turn it off). */
  deliveryEnabled: boolean;
  /**
   * `--firehose-ca-file`: PEM certificates the HTTPS destinations (HTTP endpoints, Splunk,
   * OpenSearch) trust besides Node's own CA list, for receivers with a private or self-signed certificate.
   */
  trustedCaPem?: string;
}

export const firehoseOptionsDefault: FirehoseOptions = { createDelayMs: 500, backlogBytesMax: 512 * 1024 * 1024, deliveryEnabled: true };

export interface FirehoseConfig extends FirehoseOptions {
  accountId: string;
  region: string;
}

/** What actions ask of the delivery engine (delivery/engine/engine.ts). */
export interface DeliveryControl {
  /** The stream's configuration changed (created, updated, deleted): start, restart or stop its delivery. */
  streamChanged(accountId: string, name: string): void;
  /** Bytes appended and not yet settled (delivered or sent to the error output). */
  backlogBytes(incarnationId: string): number;
  /** An append of `bytes` was acknowledged. */
  appended(incarnationId: string, bytes: number): void;
  /** Stops the stream's delivery and waits for its work in flight (before its deletion). */
  stopStream(incarnationId: string): Promise<void>;
}

export interface FirehoseContext {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: FirehoseConfig;
  accountId: string;
  store: DeliveryStreamStore;
  ingest: DirectPutLogs;
  delivery: DeliveryControl;
  streamAccess: StreamAccess;
  /** The delivery streams' CloudWatch metrics (metrics.ts); lookups answer undefined under `--metrics off`. */
  metrics: FirehoseMetrics;
}

export interface FirehoseAction<Input = any, Output = unknown> extends PipelineAction<FirehoseContext> {
  shape: StructureShape;
  iamAction: string;
  run(context: FirehoseContext, input: Input): Promise<Output>;
}

export function defineAction<Input, Output>(action: FirehoseAction<Input, Output>): FirehoseAction<Input, Output> {
  return action;
}
