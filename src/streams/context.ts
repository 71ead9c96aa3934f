import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { LogStore } from "../storage/types.js";
import type { StreamsConfig } from "./config.js";
import type { StreamRegistry } from "./stream-registry.js";

/** Everything an action may touch: injected, so tests control time, randomness and storage. */
export interface StreamsContext {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: StreamsConfig;
  streams: StreamRegistry;
  logs: LogStore;
  /** Key that signs shard iterators; stable for the data directory. */
  iteratorKey: Buffer;
}
