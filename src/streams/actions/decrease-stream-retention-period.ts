import { defineAction } from "../action.js";
import { streamReference } from "../shapes/common.js";
import { changeRetention, retentionMembers, type RetentionInput } from "../retention.js";

/** DecreaseStreamRetentionPeriod: down to 24 hours; never above the current period. */
export const decreaseStreamRetentionPeriod = defineAction<RetentionInput, undefined>({
  shape: { type: "structure", members: { ...retentionMembers, ...streamReference } },
  async run(context, input) {
    await changeRetention(context, input, "decrease");
    return undefined;
  },
});
