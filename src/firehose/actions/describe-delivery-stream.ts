import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { requireStream, statusOf } from "./common.js";
import { destinationDescription } from "./destination-description.js";

export const describeDeliveryStream = defineAction<{ DeliveryStreamName: string; Limit?: number; ExclusiveStartDestinationId?: string }, unknown>({
  iamAction: "firehose:DescribeDeliveryStream",
  shape: firehoseRequestShapes.DescribeDeliveryStream,
  async run(context, input) {
    const stream = await requireStream(context, input.DeliveryStreamName);
    let destinations = stream.destinations;
    if (input.ExclusiveStartDestinationId !== undefined) {
      const at = destinations.findIndex((destination) => destination.DestinationId === input.ExclusiveStartDestinationId);
      destinations = at < 0 ? destinations : destinations.slice(at + 1);
    }
    const limit = input.Limit ?? destinations.length;
    const shown = destinations.slice(0, limit);
    const encryption = stream.encryption ?? { Status: "DISABLED" as const };
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: stream.DeliveryStreamName,
        DeliveryStreamARN: stream.DeliveryStreamARN,
        DeliveryStreamStatus: statusOf(stream, context.clock.nowMs()),
        DeliveryStreamEncryptionConfiguration: encryption,
        DeliveryStreamType: stream.DeliveryStreamType,
        VersionId: stream.VersionId,
        CreateTimestamp: new Date(stream.createdAtMs),
        ...(stream.lastUpdatedAtMs !== undefined && { LastUpdateTimestamp: new Date(stream.lastUpdatedAtMs) }),
        Source:
          stream.kinesisSource === undefined
            ? { DirectPutSourceDescription: {} }
            : {
                KinesisStreamSourceDescription: {
                  KinesisStreamARN: stream.kinesisSource.KinesisStreamARN,
                  RoleARN: stream.kinesisSource.RoleARN,
                  DeliveryStartTimestamp: new Date(stream.kinesisSource.deliveryStartMs),
                },
              },
        Destinations: shown.map(destinationDescription),
        HasMoreDestinations: shown.length < destinations.length,
      },
    };
  },
});
