import { defineAction } from "../action.js";
import { namedResource } from "../authorization/action-resources.js";
import { ResourceARN, StreamId } from "../shapes/common.js";
import { policyTarget, readPolicy } from "../resource-policy.js";

interface GetResourcePolicyInput {
  ResourceARN: string;
}

/** GetResourcePolicy: the resource's policy document, or `{}` when it has none. */
export const getResourcePolicy = defineAction<GetResourcePolicyInput, { Policy: string }>({
  iamAction: "kinesis:GetResourcePolicy",
  resources: namedResource,
  plane: "control",
  shape: { type: "structure", members: { ResourceARN: { ...ResourceARN, required: true }, StreamId } },
  async run(context, input) {
    return { Policy: readPolicy(context, policyTarget(context, input.ResourceARN)) };
  },
});
