import { defineAction } from "../action.js";
import { accountWide } from "../authorization/action-resources.js";
import { wireCommitment, withCommitmentStatus, type WireBillingCommitment } from "../account-settings.js";

interface UpdateAccountSettingsInput {
  MinimumThroughputBillingCommitment: { Status: "ENABLED" | "DISABLED" };
}

/**
 * UpdateAccountSettings: enables or disables the MinimumThroughputBillingCommitment, synchronously,
 * and answers the settings as they now are. Disabling within the commitment's first 24 hours
 * schedules the end for EarliestAllowedEndAt; enabling again before then cancels it.
 */
export const updateAccountSettings = defineAction<UpdateAccountSettingsInput, { MinimumThroughputBillingCommitment: WireBillingCommitment }>({
  iamAction: "kinesis:UpdateAccountSettings",
  resources: accountWide,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      MinimumThroughputBillingCommitment: {
        type: "structure",
        required: true,
        members: { Status: { type: "string", required: true, enum: ["ENABLED", "DISABLED"] } },
      },
    },
  },
  async run(context, input) {
    const nowMs = context.clock.nowMs();
    const settings = await context.account.update((current) => withCommitmentStatus(current, input.MinimumThroughputBillingCommitment.Status, nowMs));
    return { MinimumThroughputBillingCommitment: wireCommitment(settings, nowMs) };
  },
});
