import { defineAction } from "../action.js";
import { ResourceARN } from "../shapes/common.js";
import { noPolicy, policyStream } from "../resource-policy.js";

interface GetResourcePolicyInput {
  ResourceARN: string;
}

/** GetResourcePolicy: the resource's policy document, or `{}` when it has none. */
export const getResourcePolicy = defineAction<GetResourcePolicyInput, { Policy: string }>({
  shape: { type: "structure", members: { ResourceARN: { ...ResourceARN, required: true } } },
  async run(context, input) {
    const meta = context.streams.require(policyStream(context, input.ResourceARN));
    return { Policy: meta.resourcePolicy ?? noPolicy };
  },
});
