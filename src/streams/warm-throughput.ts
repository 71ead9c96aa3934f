/**
 * Warm throughput (UpdateStreamWarmThroughput, and UpdateStreamMode to ON_DEMAND): how much write
 * throughput an ON_DEMAND stream is kept ready for. AWS takes it only for ON_DEMAND streams of an
 * account whose MinimumThroughputBillingCommitment is in force, up to 10 GiBps, and reports it
 * (DescribeStreamSummary's WarmThroughput) only for those. The stream scales towards the target
 * while it is UPDATING: until then CurrentMiBps is the value it scales from. Only the setting is
 * stored; the on-demand scaling itself is built elsewhere.
 */
import type { StreamMeta, StreamMode, WarmThroughputMeta } from "./model.js";
import type { StreamsContext } from "./context.js";
import { commitmentInForce } from "./account-settings.js";
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";

export interface WireWarmThroughput {
  TargetMiBps: number;
  CurrentMiBps: number;
}

/** The new warm throughput for a stream that is (or is becoming) `mode`; throws AWS's errors in its order. */
export function warmThroughputChange(context: StreamsContext, meta: StreamMeta, mode: StreamMode, requestedMiBps: number, nowMs: number): WarmThroughputMeta {
  if (mode !== "ON_DEMAND") throw streamsErrors.warmThroughputNeedsOnDemand(meta.StreamName, context.accountId);
  if (!commitmentInForce(context.account.current(), nowMs)) throw streamsErrors.warmThroughputNeedsCommitment(context.accountId);
  if (requestedMiBps > limits.warmThroughputMiBpsMax) throw streamsErrors.warmThroughputTooHigh(requestedMiBps, limits.warmThroughputMiBpsMax);
  return {
    targetMiBps: requestedMiBps,
    previousMiBps: currentMiBps(meta.warmThroughput, nowMs),
    reachedAtMs: nowMs + context.config.updateStreamMs,
  };
}

export function currentMiBps(warm: WarmThroughputMeta | undefined, nowMs: number): number {
  if (!warm) return 0;
  return nowMs >= warm.reachedAtMs ? warm.targetMiBps : warm.previousMiBps;
}

export function wireWarmThroughput(warm: WarmThroughputMeta, nowMs: number): WireWarmThroughput {
  return { TargetMiBps: warm.targetMiBps, CurrentMiBps: currentMiBps(warm, nowMs) };
}

/** DescribeStreamSummary's WarmThroughput: only for an ON_DEMAND stream with a setting, in an account whose commitment is in force. */
export function describedWarmThroughput(context: StreamsContext, meta: StreamMeta, nowMs: number): WireWarmThroughput | undefined {
  if (meta.StreamMode !== "ON_DEMAND" || !meta.warmThroughput) return undefined;
  if (!commitmentInForce(context.account.current(), nowMs)) return undefined;
  return wireWarmThroughput(meta.warmThroughput, nowMs);
}
