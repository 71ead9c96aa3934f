/**
 * The stream triggers' engine (event source mappings): the API actions in ./actions store the
 * mappings (through `mappings`); the manager runs a poller per enabled mapping and shard, invoking
 * the function through the Executor. Implemented in this folder (createEventSourceManager, index.ts).
 */
import type { ObjectClient } from "../../storage/object-client/index.js";
import type { StreamAccess } from "../../storage/stream-access.js";
import type { TableStore } from "../../storage/types.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { Random } from "../../util/random.js";
import type { Executor, FunctionResolver } from "../model.js";
import type { MappingStore } from "./mapping-store.js";
import type { LambdaMetrics } from "../metrics.js";
import type { WorkLeaseTuning } from "../../storage/work-leases.js";

export interface EventSourceManagerDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  region: string;
  tables: TableStore;
  streamAccess: StreamAccess;
  objectClient: ObjectClient;
  functions: FunctionResolver;
  executor: Executor;
  /** Engine tuning (tests shorten the waits); defaults in tuning.ts. */
  tuning?: Partial<EventSourceTuning>;
  /** Where each batch's IteratorAge goes (src/lambda/metrics.ts). */
  metrics?: LambdaMetrics;
  /** Whether every node on these tables runs in this process (src/storage/work-leases.ts, processLocalEngine); true when absent. */
  processLocal?: boolean;
  /** The work leases' lifetime and renewal (tests shorten them). */
  leaseTuning?: Partial<WorkLeaseTuning>;
}

export interface EventSourceTuning {
  /** The first wait before retrying a failed batch; doubled per attempt up to retryDelayMsMax. */
  retryDelayMs: number;
  retryDelayMsMax: number;
  /** How long an idle shard waits for its watch before reading again anyway. */
  idlePollMs: number;
  /** How often a running mapping looks at its stream's shards again (resharding, a stream created late). */
  shardScanMs: number;
}

export interface EventSourceManager {
  /** The stored mappings (the API actions read and write them here). */
  readonly mappings: MappingStore;
  /** Loads the stored mappings and starts pollers for the enabled ones. */
  start(): Promise<void>;
  /** Stops every poller (in-flight batches finish or are abandoned un-checkpointed). */
  stop(): Promise<void>;
  /** A mapping was created, updated or deleted through the API: (re)start or stop its pollers. */
  changed(accountId: string, uuid: string): void;
  /** Resolves once the manager has acted on every change announced so far (tests; the API does not wait). */
  settled(): Promise<void>;
}
