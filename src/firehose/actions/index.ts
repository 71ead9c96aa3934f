/** Firehose's actions by API name (the X-Amz-Target suffix after `Firehose_20150804.`). */
import type { FirehoseAction } from "../context.js";
import { createDeliveryStream } from "./create-delivery-stream.js";
import { deleteDeliveryStream } from "./delete-delivery-stream.js";
import { describeDeliveryStream } from "./describe-delivery-stream.js";
import { listDeliveryStreams } from "./list-delivery-streams.js";
import { putRecord } from "./put-record.js";
import { putRecordBatch } from "./put-record-batch.js";
import { updateDestination } from "./update-destination.js";
import { listTagsForDeliveryStream, tagDeliveryStream, untagDeliveryStream } from "./tags.js";
import { startDeliveryStreamEncryption, stopDeliveryStreamEncryption } from "./encryption.js";

export const firehoseActions: Readonly<Record<string, FirehoseAction>> = {
  CreateDeliveryStream: createDeliveryStream,
  DeleteDeliveryStream: deleteDeliveryStream,
  DescribeDeliveryStream: describeDeliveryStream,
  ListDeliveryStreams: listDeliveryStreams,
  PutRecord: putRecord,
  PutRecordBatch: putRecordBatch,
  UpdateDestination: updateDestination,
  TagDeliveryStream: tagDeliveryStream,
  UntagDeliveryStream: untagDeliveryStream,
  ListTagsForDeliveryStream: listTagsForDeliveryStream,
  StartDeliveryStreamEncryption: startDeliveryStreamEncryption,
  StopDeliveryStreamEncryption: stopDeliveryStreamEncryption,
};
