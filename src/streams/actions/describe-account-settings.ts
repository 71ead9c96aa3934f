import { defineAction } from "../action.js";
import { wireCommitment, type WireBillingCommitment } from "../account-settings.js";

/** DescribeAccountSettings: the account's MinimumThroughputBillingCommitment (DISABLED until first enabled). */
export const describeAccountSettings = defineAction<Record<string, never>, { MinimumThroughputBillingCommitment: WireBillingCommitment }>({
  shape: { type: "structure", members: {} },
  async run(context) {
    return { MinimumThroughputBillingCommitment: wireCommitment(context.account.current(), context.clock.nowMs()) };
  },
});
