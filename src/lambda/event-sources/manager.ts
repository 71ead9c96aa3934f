/**
 * The stream triggers' engine (event source mappings): the API actions in ./actions store the
 * mappings; the manager runs a poller per enabled mapping and shard, invoking the function
 * through the Executor. Implemented in this folder (createEventSourceManager).
 */
import type { ObjectClient } from "../../storage/object-client/index.js";
import type { StreamAccess } from "../../storage/stream-access.js";
import type { TableStore } from "../../storage/types.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { Random } from "../../util/random.js";
import type { Executor, FunctionResolver } from "../model.js";

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
}

export interface EventSourceManager {
  /** Loads the stored mappings and starts pollers for the enabled ones. */
  start(): Promise<void>;
  /** Stops every poller (in-flight batches finish or are abandoned un-checkpointed). */
  stop(): Promise<void>;
  /** A mapping was created, updated or deleted through the API: (re)start or stop its pollers. */
  changed(accountId: string, uuid: string): void;
  /** A function was deleted: its mappings stay (as on AWS) but fail until it exists again. */
}
