import { defineAction } from "../action.js";
import { ResourceARN } from "../shapes/common.js";
import { changePolicy, checkPolicy, policyStream } from "../resource-policy.js";

interface PutResourcePolicyInput {
  ResourceARN: string;
  Policy: string;
}

/** PutResourcePolicy: attaches (or replaces) the resource's policy document. */
export const putResourcePolicy = defineAction<PutResourcePolicyInput, undefined>({
  shape: {
    type: "structure",
    members: { ResourceARN: { ...ResourceARN, required: true }, Policy: { type: "string", required: true } },
  },
  async run(context, input) {
    const reference = policyStream(context, input.ResourceARN);
    checkPolicy(input.Policy);
    await changePolicy(context, reference, input.Policy);
    return undefined;
  },
});
