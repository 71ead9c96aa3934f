import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import type { DeliveryStreamType } from "../model.js";

const limitDefault = 10;

export const listDeliveryStreams = defineAction<
  { Limit?: number; DeliveryStreamType?: DeliveryStreamType; ExclusiveStartDeliveryStreamName?: string },
  { DeliveryStreamNames: string[]; HasMoreDeliveryStreams: boolean }
>({
  iamAction: "firehose:ListDeliveryStreams",
  shape: firehoseRequestShapes.ListDeliveryStreams,
  async run(context, input) {
    const all = await context.store.list(context.accountId);
    // Names sort by their characters; a start name that does not exist still starts after it.
    const names = all
      .filter((stream) => input.DeliveryStreamType === undefined || stream.DeliveryStreamType === input.DeliveryStreamType)
      .map((stream) => stream.DeliveryStreamName)
      .filter((name) => input.ExclusiveStartDeliveryStreamName === undefined || name > input.ExclusiveStartDeliveryStreamName);
    const limit = input.Limit ?? limitDefault;
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
  },
});
