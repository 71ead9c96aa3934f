import { defineAction } from "../action.js";
import { accountWide } from "../authorization/action-resources.js";
import { wireCommitment, type WireBillingCommitment } from "../account-settings.js";

/** DescribeAccountSettings: the account's MinimumThroughputBillingCommitment (DISABLED until first enabled). */
export const describeAccountSettings = defineAction<Record<string, never>, { MinimumThroughputBillingCommitment: WireBillingCommitment }>({
  iamAction: "kinesis:DescribeAccountSettings",
  resources: accountWide,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: { type: "structure", members: {} },
  async run(context) {
    return { MinimumThroughputBillingCommitment: wireCommitment(context.account.current(), context.clock.nowMs()) };
  },
});
