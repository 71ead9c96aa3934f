import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { streamReference } from "../shapes/common.js";
import { changeRetention, retentionMembers, type RetentionInput } from "../retention.js";

/** IncreaseStreamRetentionPeriod: up to 8760 hours; never below the current period. */
export const increaseStreamRetentionPeriod = defineAction<RetentionInput, undefined>({
  iamAction: "kinesis:IncreaseStreamRetentionPeriod",
  resources: streamResource,
  plane: "control",
  shape: { type: "structure", members: { ...retentionMembers, ...streamReference } },
  async run(context, input) {
    await changeRetention(context, input, "increase");
    return undefined;
  },
});
