/**
 * Limits as AWS enforces them (docs/limits.md): per-shard write and read throughput, the
 * control-plane call rates, and the on-demand scaler that gives ON_DEMAND streams the shards their
 * writes need. `--limits off` (LimitsMode "off") leaves all of it out.
 */
import type { StreamsConfig } from "../config.js";
import { ControlPlaneLimiter } from "./control-plane-rates.js";
import { ThroughputMeters } from "./throughput-meters.js";

export { ControlPlaneLimiter, controlPlaneRates, rateBucketsMax, type ControlPlaneRate, type RateScope } from "./control-plane-rates.js";
export { ThroughputMeters, StreamMeters } from "./throughput-meters.js";
export { OnDemandScaler } from "./on-demand-scaler.js";
export { onDemandPolicy, onDemandShardsMax } from "./on-demand-policy.js";
export {
  shardReadBytesPerSecond, shardReadCallsPerSecond, shardWriteBytesPerSecond, shardWriteRecordsPerSecond,
} from "./shard-meters.js";

export interface StreamLimits {
  throughput: ThroughputMeters;
  controlPlane: ControlPlaneLimiter;
}

/** The limits for a service, or undefined when they are off. */
export function createStreamLimits(config: StreamsConfig): StreamLimits | undefined {
  if (config.limits === "off") return undefined;
  return { throughput: new ThroughputMeters(), controlPlane: new ControlPlaneLimiter() };
}
