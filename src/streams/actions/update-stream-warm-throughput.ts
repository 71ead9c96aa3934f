import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamARN, StreamId, StreamName } from "../shapes/common.js";
import { changeActiveStream, updatingStatus } from "../stream-change.js";
import { warmThroughputChange, wireWarmThroughput, type WireWarmThroughput } from "../warm-throughput.js";
import type { StreamReference } from "../stream-registry.js";
import { streamArn } from "../../core/arn.js";

interface UpdateStreamWarmThroughputInput extends StreamReference {
  WarmThroughputMiBps: number;
}

interface UpdateStreamWarmThroughputOutput {
  StreamARN: string;
  StreamName: string;
  WarmThroughput: WireWarmThroughput;
}

/**
 * UpdateStreamWarmThroughput: sets an ON_DEMAND stream's warm throughput (the account's
 * MinimumThroughputBillingCommitment must be in force). The stream is UPDATING while it scales;
 * the answer shows the new target and the throughput it scales from.
 */
export const updateStreamWarmThroughput = defineAction<UpdateStreamWarmThroughputInput, UpdateStreamWarmThroughputOutput>({
  iamAction: "kinesis:UpdateStreamWarmThroughput",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      StreamARN,
      StreamName,
      StreamId,
      WarmThroughputMiBps: { type: "integer", required: true, min: 0 },
    },
  },
  async run(context, input) {
    const { region } = context.config;
    const { accountId } = context;
    return changeActiveStream(context, input, (meta, nowMs) => {
      const warmThroughput = warmThroughputChange(context, meta, meta.StreamMode, input.WarmThroughputMiBps, nowMs);
      return {
        next: { ...meta, ...updatingStatus(context, nowMs), warmThroughput },
        result: {
          StreamARN: streamArn(region, accountId, meta.StreamName),
          StreamName: meta.StreamName,
          WarmThroughput: wireWarmThroughput(warmThroughput, nowMs),
        },
      };
    });
  },
});
