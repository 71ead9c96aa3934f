import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { TableStore } from "../storage/types.js";
import type { Principal } from "../auth/principal.js";

export interface DynamoDbConfig {
  region: string;
  /** The account of callers under `--auth none`. */
  accountId: string;
  /** How long a new table stays CREATING (AWS: seconds; 0 makes it ACTIVE at once). */
  createTableMs: number;
}

/** What an action may touch: injected, so tests control time, randomness and storage. */
export interface DynamoDbContext {
  clock: Clock;
  random: Random;
  config: DynamoDbConfig;
  tables: TableStore;
  /** The caller's account: tables belong to it. */
  accountId: string;
  principal: Principal;
}
