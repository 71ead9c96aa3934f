/**
 * What the Analytics actions run with (docs/analytics/api.md): the injected clock and randomness,
 * the service's settings, its store, the runtime's hooks and the ports to the other services
 * (Kinesis streams, delivery streams, functions, objects) that DiscoverInputSchema samples.
 */
import type { StructureShape } from "../protocol/shapes.js";
import type { PipelineAction } from "../protocol/action-pipeline.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { FunctionInvoker } from "../storage/function-invoker.js";
import type { ObjectClient } from "../storage/object-client/object-client.js";
import type { DeliveryStreamAccess } from "../storage/delivery-stream-access.js";
import type { ApplicationStore } from "./store/applications.js";
import type { CodeCompiler } from "./runtime/compiler.js";

export interface AnalyticsOptions {
  /** How long StartApplication's STARTING lasts; the service takes about a minute, we default to 500 ms. */
  startDelayMs: number;
  /** How long StopApplication's STOPPING lasts. */
  stopDelayMs: number;
  /** How long a running application stays UPDATING after a change. */
  updateDelayMs: number;
  /** How long DeleteApplication's DELETING lasts before the application is gone. */
  deleteDelayMs: number;
  /** Applications per account (the service's default quota). */
  applicationsMax: number;
  /** Whether the runtime runs RUNNING applications (tests of the API alone may turn it off). */
  runtimeEnabled: boolean;
  /** How often a running application's checkpoint is taken (and at every stop). */
  checkpointIntervalMs: number;
  /** How often the runtime moves the watermark to now (windows close on time without new rows). */
  tickMs: number;
}

export const analyticsOptionsDefault: AnalyticsOptions = {
  startDelayMs: 500,
  stopDelayMs: 500,
  updateDelayMs: 500,
  deleteDelayMs: 500,
  applicationsMax: 50,
  runtimeEnabled: true,
  checkpointIntervalMs: 5000,
  tickMs: 20,
};

export interface AnalyticsConfig extends AnalyticsOptions {
  accountId: string;
  region: string;
}

/** What actions ask of the runtime (runtime/runtime.ts). */
export interface RuntimeControl {
  /** The application's stored configuration changed (started, stopped, updated, deleted): follow it. */
  applicationChanged(accountId: string, name: string): void;
}

export interface AnalyticsContext {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: AnalyticsConfig;
  accountId: string;
  store: ApplicationStore;
  runtime: RuntimeControl;
  streamAccess: StreamAccess;
  deliveryStreamAccess: DeliveryStreamAccess;
  functionInvoker: FunctionInvoker;
  objectClient: ObjectClient;
  /** The engine's compiler (runtime/compiler.ts), which checks application code. */
  compile: CodeCompiler;
}

export interface AnalyticsAction<Input = any, Output = unknown> extends PipelineAction<AnalyticsContext> {
  shape: StructureShape;
  iamAction: string;
  run(context: AnalyticsContext, input: Input): Promise<Output>;
}

export function defineAction<Input, Output>(action: AnalyticsAction<Input, Output>): AnalyticsAction<Input, Output> {
  return action;
}
