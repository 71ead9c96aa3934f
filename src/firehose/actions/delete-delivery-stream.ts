import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { firehoseErrors } from "../errors.js";
import { requireStream, statusOf } from "./common.js";

export const deleteDeliveryStream = defineAction<{ DeliveryStreamName: string; AllowForceDelete?: boolean }, Record<string, never>>({
  iamAction: "firehose:DeleteDeliveryStream",
  shape: firehoseRequestShapes.DeleteDeliveryStream,
  async run(context, input) {
    const stream = await requireStream(context, input.DeliveryStreamName);
    // Firehose deletes a stream only once it has left CREATING. (AllowForceDelete concerns KMS
    // grants Firehose could not retire; there are none here, so it changes nothing.)
    if (statusOf(stream, context.clock.nowMs()) === "CREATING") throw firehoseErrors.notActive(stream.DeliveryStreamName, "CREATING");
    // Delivery stops first: records still buffered are not delivered (Firehose drops what a deleted stream holds).
    await context.delivery.stopStream(stream.incarnationId);
    await context.store.remove(context.accountId, stream.DeliveryStreamName);
    await context.store.dropCheckpoints(context.accountId, stream.incarnationId);
    if (stream.DeliveryStreamType === "DirectPut") await context.ingest.unregister(context.accountId, stream.DeliveryStreamName, stream.incarnationId);
    context.delivery.streamChanged(context.accountId, stream.DeliveryStreamName);
    return {};
  },
});
