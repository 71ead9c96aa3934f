import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { LogStore } from "../storage/types.js";
import type { StreamsConfig } from "./config.js";
import type { ReadBudget } from "./records/read-budget.js";
import type { AccountStreams } from "./stream-registry.js";
import type { AccountSettingsStore } from "./account-settings.js";
import type { PutRecordsFaults } from "./faults/index.js";
import type { KeyRing } from "./encryption/index.js";
import type { ThroughputMeters } from "./limits/index.js";
import type { Subscriptions } from "./subscriptions/index.js";
import type { Principal } from "../auth/principal.js";
import type { StreamsMetrics } from "./metrics/index.js";

/** Everything an action may touch: injected, so tests control time, randomness and storage. */
export interface StreamsContext {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: StreamsConfig;
  /**
   * The account the request acts on: its caller's (the configured account under `--auth none`),
   * or the owner's for a cross-account call a resource policy granted. ARNs and messages carry it.
   */
  accountId: string;
  /** That account's streams (`streams.registry` holds every account's, for the service's own work). */
  streams: AccountStreams;
  /** Account-level settings (UpdateAccountSettings). */
  account: AccountSettingsStore;
  logs: LogStore;
  /** Key that signs shard iterators; stable for the data directory. */
  iteratorKey: Buffer;
  /** The master key and the streams' data keys, for encryption at rest (docs/encryption.md). */
  keyRing: KeyRing;
  /** The data bytes concurrent GetRecords calls may hold together. */
  readBudget: ReadBudget;
  /** Per-shard write and read limits; undefined with `--limits off`, and then nothing is metered. */
  throughput?: ThroughputMeters;
  /** SubscribeToShard's subscriptions: one per consumer and shard, their 5-minute ends and heartbeats. */
  subscriptions: Subscriptions;
  /**
   * Who is calling (src/auth/principal.ts): the request's authenticated principal, or the
   * configured account's anonymous one under `--auth none` and for the service's own work.
   */
  principal: Principal;
  /** The streams' and consumers' CloudWatch metrics (streams/metrics); lookups answer undefined under `--metrics off`. */
  metrics: StreamsMetrics;
  /** Set only on a PutRecords call a partial-failure fault rule fired on (streams/faults). */
  putRecordsFaults?: PutRecordsFaults;
}
