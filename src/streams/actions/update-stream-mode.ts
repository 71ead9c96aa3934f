import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamARN, StreamId, StreamModeDetails } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { isOpen } from "../shards.js";
import { changeActiveStream, updatingStatus, type StreamChange } from "../stream-change.js";
import { checkClaimedOnDemandQuota, checkClaimedShardQuota } from "../resharding/index.js";
import { claimOf, type Claim, type Usage } from "../quota/account-quota.js";
import { warmThroughputChange } from "../warm-throughput.js";
import type { StreamMeta, StreamMode } from "../model.js";
import type { StreamsContext } from "../context.js";

interface UpdateStreamModeInput {
  StreamARN: string;
  StreamModeDetails: { StreamMode: StreamMode };
  WarmThroughputMiBps?: number;
}

/**
 * UpdateStreamMode: PROVISIONED <-> ON_DEMAND. The stream keeps its shards and is UPDATING for
 * config.updateStreamMs. AWS's limits: two switches per stream in any 24 hours, the account's
 * ON_DEMAND stream quota when switching to ON_DEMAND, and the shard quota when switching to
 * PROVISIONED (the stream's open shards start counting against it). WarmThroughputMiBps is taken
 * only with ON_DEMAND. Asking for the mode the stream already has changes nothing but the warm
 * throughput, if one is given. A stream whose record distribution strategy is AUTO cannot switch to
 * PROVISIONED until it is USER_PARTITION_KEY again (our choice: AWS documents AUTO as ON_DEMAND
 * only but not what this switch does; the message is ours).
 */
export const updateStreamMode = defineAction<UpdateStreamModeInput, undefined>({
  iamAction: "kinesis:UpdateStreamMode",
  resources: streamResource,
  plane: "control",
  shape: {
    type: "structure",
    members: {
      StreamARN: { ...StreamARN, required: true },
      StreamId,
      StreamModeDetails: { ...StreamModeDetails, required: true },
      WarmThroughputMiBps: { type: "integer", min: 0 },
    },
  },
  async run(context, input) {
    const mode = input.StreamModeDetails.StreamMode;
    if (mode === "PROVISIONED" && input.WarmThroughputMiBps !== undefined) throw streamsErrors.warmThroughputNotExpected();
    await changeActiveStream(context, { StreamARN: input.StreamARN }, (meta, nowMs) => modeChange(context, meta, mode, input.WarmThroughputMiBps, nowMs));
    return undefined;
  },
});

function modeChange(context: StreamsContext, meta: StreamMeta, mode: StreamMode, warmMiBps: number | undefined, nowMs: number): StreamChange<void> {
  if (meta.StreamMode === mode) {
    if (warmMiBps === undefined) return { next: undefined, result: undefined };
    const warmThroughput = warmThroughputChange(context, meta, mode, warmMiBps, nowMs);
    return { next: { ...meta, ...updatingStatus(context, nowMs), warmThroughput }, result: undefined };
  }
  const switchedAtMs = (meta.modeSwitchedAtMs ?? []).filter((atMs) => nowMs - atMs < limits.modeSwitchWindowMs);
  if (switchedAtMs.length >= limits.modeSwitchesPerWindowMax) {
    throw streamsErrors.modeSwitchLimitExceeded(meta.StreamName, context.accountId, limits.modeSwitchesPerWindowMax);
  }
  // PROVISIONED streams have no record distribution strategy (AWS: AUTO is for ON_DEMAND streams only);
  // refused rather than silently reset, so producers that omit partition keys do not start failing.
  if (mode === "PROVISIONED" && meta.RecordDistributionStrategy === "AUTO") throw streamsErrors.provisionedNeedsUserPartitionKey(meta.StreamName, context.accountId);
  const { warmThroughput: _previous, ...rest } = meta;
  const next: StreamMeta = { ...rest, ...updatingStatus(context, nowMs), StreamMode: mode, modeSwitchedAtMs: [...switchedAtMs, nowMs] };
  if (mode === "ON_DEMAND" && warmMiBps !== undefined) next.warmThroughput = warmThroughputChange(context, meta, mode, warmMiBps, nowMs);
  // The stream claims its new mode's quota with every node while keeping its old one's, and lets
  // go of the old once the switch is stored (or of the new, if it is not): a claim never counts
  // less than the stream.
  const before = claimOf(meta, nowMs)!;
  const after: Claim = { ...before, onDemand: mode === "ON_DEMAND", shards: mode === "PROVISIONED" ? meta.shards.filter(isOpen).length : 0 };
  const during: Claim = { ...after, onDemand: true, shards: Math.max(before.shards, after.shards) };
  const check = (usage: Usage) => (mode === "ON_DEMAND" ? checkClaimedOnDemandQuota(context, usage) : checkClaimedShardQuota(context, usage, after.shards));
  return { next, result: undefined, quota: { during, stored: after, notStored: before, check } };
}
