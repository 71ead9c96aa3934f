import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { streamReference } from "../shapes/common.js";
import { changeRetention, retentionMembers, type RetentionInput } from "../retention.js";

/** DecreaseStreamRetentionPeriod: down to 24 hours; never above the current period. */
export const decreaseStreamRetentionPeriod = defineAction<RetentionInput, undefined>({
  iamAction: "kinesis:DecreaseStreamRetentionPeriod",
  resources: streamResource,
  plane: "control",
  shape: { type: "structure", members: { ...retentionMembers, ...streamReference } },
  async run(context, input) {
    await changeRetention(context, input, "decrease");
    return undefined;
  },
});
