/**
 * Limits as AWS enforces them (docs/limits.md): per-shard write and read throughput, the
 * control-plane call rates, and the on-demand scaler that gives ON_DEMAND streams the shards their
 * writes need; in a cluster, the rates are shared by the nodes (cluster-rates.ts). `--limits off`
 * (LimitsMode "off") leaves all of it out.
 */
import type { StreamsConfig } from "../config.js";
import type { PeerBus } from "../../storage/peer-bus.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import { ClusterRates } from "./cluster-rates.js";
import { ControlPlaneLimiter } from "./control-plane-rates.js";
import { ThroughputMeters } from "./throughput-meters.js";

export { ControlPlaneLimiter, controlPlaneRates, rateBucketsMax, type ControlPlaneRate, type RateScope } from "./control-plane-rates.js";
export { ThroughputMeters, StreamMeters } from "./throughput-meters.js";
export { OnDemandScaler } from "./on-demand-scaler.js";
export { ClusterRates, ratesReportIntervalMs, ratesTopic } from "./cluster-rates.js";
export { onDemandPolicy, onDemandShardsMax } from "./on-demand-policy.js";
export {
  shardReadBytesPerSecond, shardReadCallsPerSecond, shardWriteBytesPerSecond, shardWriteRecordsPerSecond,
} from "./shard-meters.js";

export interface StreamLimits {
  throughput: ThroughputMeters;
  controlPlane: ControlPlaneLimiter;
  /** The rates shared with the other nodes (cluster-rates.ts): only on an engine with peers. */
  cluster: ClusterRates | undefined;
}

export interface StreamLimitsDeps {
  clock: Clock;
  logger: Logger;
  /** The engine's peer bus; absent when one process serves the data (memory, embedded). */
  peers?: PeerBus | undefined;
}

/** The limits for a service, or undefined when they are off. */
export function createStreamLimits(config: StreamsConfig, deps?: StreamLimitsDeps): StreamLimits | undefined {
  if (config.limits === "off") return undefined;
  const throughput = new ThroughputMeters();
  const controlPlane = new ControlPlaneLimiter();
  const cluster = deps?.peers && new ClusterRates({ peers: deps.peers, clock: deps.clock, logger: deps.logger, throughput, controlPlane });
  return { throughput, controlPlane, cluster };
}
