/**
 * Enhanced (shard-level) monitoring: which shard-level CloudWatch metrics a stream has enabled,
 * shared by EnableEnhancedMonitoring and DisableEnhancedMonitoring. "ALL" stands for every metric:
 * enabling it enables all seven, disabling it disables all. The change is asynchronous on AWS (the
 * answer carries the metrics before and after), so a change leaves the stream UPDATING; asking for
 * what is already so changes nothing. The shard-level metrics are recorded while enabled
 * (streams/metrics: shard-metrics.ts reads ShardLevelMetrics).
 */
import type { ListShape, Shape } from "../protocol/shapes.js";
import { limits } from "./limits.js";
import type { StreamsContext } from "./context.js";
import { streamReference } from "./shapes/common.js";
import { changeActiveStream, updatingStatus } from "./stream-change.js";
import type { StreamReference } from "./stream-registry.js";
import { streamArn } from "../core/arn.js";

/** The shard-level metrics, in the API model's order (the order answers list them in). */
export const shardLevelMetricNames = [
  "IncomingBytes",
  "IncomingRecords",
  "OutgoingBytes",
  "OutgoingRecords",
  "WriteProvisionedThroughputExceeded",
  "ReadProvisionedThroughputExceeded",
  "IteratorAgeMilliseconds",
] as const;
const all = "ALL";
const metricsEnum: readonly string[] = [...shardLevelMetricNames, all];

export interface EnhancedMonitoringInput extends StreamReference {
  ShardLevelMetrics: string[];
}

export interface EnhancedMonitoringOutput {
  StreamName: string;
  CurrentShardLevelMetrics: string[];
  DesiredShardLevelMetrics: string[];
  StreamARN: string;
}

/** The request members, in the model's order. AWS reports a metric outside the enum on the list as a whole (memberEnum). */
const ShardLevelMetrics: ListShape = {
  type: "list",
  required: true,
  member: { type: "string" },
  memberEnum: metricsEnum,
  lengthMin: 1,
  lengthMax: limits.shardLevelMetricsMax,
};
export const monitoringMembers: Readonly<Record<string, Shape>> = {
  StreamName: streamReference.StreamName,
  ShardLevelMetrics,
  StreamARN: streamReference.StreamARN,
};

export function changeMonitoring(context: StreamsContext, input: EnhancedMonitoringInput, direction: "enable" | "disable"): Promise<EnhancedMonitoringOutput> {
  const requested = input.ShardLevelMetrics;
  const { region } = context.config;
  const { accountId } = context;
  return changeActiveStream(context, input, (meta, nowMs) => {
    const current = meta.ShardLevelMetrics;
    const desired = direction === "enable" ? enabled(current, requested) : disabled(current, requested);
    const changed = desired.length !== current.length || desired.some((name, index) => name !== current[index]);
    return {
      next: changed ? { ...meta, ...updatingStatus(context, nowMs), ShardLevelMetrics: desired } : undefined,
      result: {
        StreamName: meta.StreamName,
        CurrentShardLevelMetrics: [...current],
        DesiredShardLevelMetrics: desired,
        StreamARN: streamArn(region, accountId, meta.StreamName),
      },
    };
  });
}

function enabled(current: readonly string[], requested: readonly string[]): string[] {
  if (requested.includes(all)) return [...shardLevelMetricNames];
  return shardLevelMetricNames.filter((name) => current.includes(name) || requested.includes(name));
}

function disabled(current: readonly string[], requested: readonly string[]): string[] {
  if (requested.includes(all)) return [];
  return shardLevelMetricNames.filter((name) => current.includes(name) && !requested.includes(name));
}
