/** What a runner works with: the process's ports and the service's options, for one account. */
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { StreamAccess } from "../../storage/stream-access.js";
import type { DeliveryStreamAccess } from "../../storage/delivery-stream-access.js";
import type { FunctionInvoker } from "../../storage/function-invoker.js";
import type { ObjectClient } from "../../storage/object-client/object-client.js";
import type { AnalyticsOptions } from "../context.js";
import type { ApplicationStore } from "../store/applications.js";
import type { MetricsRecorder } from "../../core/metrics.js";
import type { HeldLease } from "../../storage/work-leases.js";

export interface RunnerDeps {
  clock: Clock;
  logger: Logger;
  store: ApplicationStore;
  streamAccess: StreamAccess;
  deliveryStreamAccess: DeliveryStreamAccess;
  functionInvoker: FunctionInvoker;
  objectClient: ObjectClient;
  options: AnalyticsOptions;
  /** The application's account. */
  accountId: string;
  /** Where the runners record the applications' CloudWatch metrics (metrics.ts); none when absent. */
  metrics?: MetricsRecorder;
  /** The application's work lease on this node: checkpoint and journal writes are made only under it. */
  lease?: HeldLease;
}

/** The runtime's bounds. */
export const analyticsRuntimeLimits = {
  /** Record messages sent to the engine and not yet run through: past it the pump waits. */
  pushesInFlightMax: 4,
  /** Records per message to the engine (per in-application stream). */
  batchRecordsMax: 5000,
  /** Records an output may have waiting before the pump waits for it. */
  outputBacklogMax: 100_000,
  /** How long a restart waits for the records of a journal entry before it gives up replaying (the input changed). */
  replayWaitMaxMs: 30_000,
  /** How long a reference data source that could not be read waits before the next try. */
  referenceRetryMs: 5000,
} as const;
