/** Request shapes of the consumer actions (AWS's constraints; members in the API model's order). */
import type { StringShape } from "../../protocol/shapes.js";
import { StreamARN } from "../shapes/common.js";
import { consumerLimits } from "./limits.js";

export const ConsumerName: StringShape = {
  type: "string",
  pattern: consumerLimits.consumerNamePattern,
  lengthMin: 1,
  lengthMax: consumerLimits.consumerNameLengthMax,
};

export const ConsumerARN: StringShape = {
  type: "string",
  pattern: consumerLimits.consumerArnPattern,
  lengthMin: 1,
  lengthMax: consumerLimits.consumerArnLengthMax,
};

/** DescribeStreamConsumer / DeregisterStreamConsumer: a consumer by ARN, or by stream ARN and name. */
export const consumerReference = { StreamARN, ConsumerName, ConsumerARN } as const;
