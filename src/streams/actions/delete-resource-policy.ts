import { defineAction } from "../action.js";
import { namedResource } from "../authorization/action-resources.js";
import { ResourceARN, StreamId } from "../shapes/common.js";
import { changePolicy, policyTarget } from "../resource-policy.js";

interface DeleteResourcePolicyInput {
  ResourceARN: string;
}

/** DeleteResourcePolicy: removes the resource's policy; a resource without one is left as it is. */
export const deleteResourcePolicy = defineAction<DeleteResourcePolicyInput, undefined>({
  iamAction: "kinesis:DeleteResourcePolicy",
  resources: namedResource,
  plane: "control",
  shape: { type: "structure", members: { ResourceARN: { ...ResourceARN, required: true }, StreamId } },
  async run(context, input) {
    await changePolicy(context, policyTarget(context, input.ResourceARN), undefined);
    return undefined;
  },
});
