import { defineAction } from "../action.js";
import { namedResource } from "../authorization/action-resources.js";
import { ResourceARN, StreamId } from "../shapes/common.js";
import { changePolicy, checkPolicy, policyTarget } from "../resource-policy.js";

interface PutResourcePolicyInput {
  ResourceARN: string;
  Policy: string;
}

/** PutResourcePolicy: attaches (or replaces) the resource's policy document. */
export const putResourcePolicy = defineAction<PutResourcePolicyInput, undefined>({
  iamAction: "kinesis:PutResourcePolicy",
  resources: namedResource,
  plane: "control",
  shape: {
    type: "structure",
    members: { ResourceARN: { ...ResourceARN, required: true }, StreamId, Policy: { type: "string", required: true } },
  },
  async run(context, input) {
    const target = policyTarget(context, input.ResourceARN);
    checkPolicy(input.Policy);
    await changePolicy(context, target, input.Policy);
    return undefined;
  },
});
