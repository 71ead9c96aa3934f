/** The action registry: one line per Kinesis action (X-Amz-Target `Kinesis_20131202.<name>`). */
import type { StreamsAction } from "../action.js";
import { createStream } from "./create-stream.js";
import { describeStreamSummary } from "./describe-stream-summary.js";
import { deleteStream } from "./delete-stream.js";
import { describeStream } from "./describe-stream.js";
import { listStreams } from "./list-streams.js";
import { listShards } from "./list-shards.js";
import { increaseStreamRetentionPeriod } from "./increase-stream-retention-period.js";
import { decreaseStreamRetentionPeriod } from "./decrease-stream-retention-period.js";
import { addTagsToStream } from "./add-tags-to-stream.js";
import { removeTagsFromStream } from "./remove-tags-from-stream.js";
import { listTagsForStream } from "./list-tags-for-stream.js";
import { tagResource } from "./tag-resource.js";
import { untagResource } from "./untag-resource.js";
import { listTagsForResource } from "./list-tags-for-resource.js";
import { describeLimits } from "./describe-limits.js";
import { putRecord } from "./put-record.js";
import { putRecords } from "./put-records.js";
import { getShardIterator } from "./get-shard-iterator.js";
import { getRecords } from "./get-records.js";
import { splitShard } from "./split-shard.js";
import { mergeShards } from "./merge-shards.js";
import { updateShardCount } from "./update-shard-count.js";
import { updateStreamMode } from "./update-stream-mode.js";
import { updateStreamRecordDistributionStrategy } from "./update-stream-record-distribution-strategy.js";
import { updateStreamWarmThroughput } from "./update-stream-warm-throughput.js";
import { describeAccountSettings } from "./describe-account-settings.js";
import { updateAccountSettings } from "./update-account-settings.js";
import { updateMaxRecordSize } from "./update-max-record-size.js";
import { enableEnhancedMonitoring } from "./enable-enhanced-monitoring.js";
import { disableEnhancedMonitoring } from "./disable-enhanced-monitoring.js";
import { putResourcePolicy } from "./put-resource-policy.js";
import { getResourcePolicy } from "./get-resource-policy.js";
import { deleteResourcePolicy } from "./delete-resource-policy.js";
import { startStreamEncryption } from "./start-stream-encryption.js";
import { stopStreamEncryption } from "./stop-stream-encryption.js";
import { registerStreamConsumer } from "./register-stream-consumer.js";
import { deregisterStreamConsumer } from "./deregister-stream-consumer.js";
import { describeStreamConsumer } from "./describe-stream-consumer.js";
import { listStreamConsumers } from "./list-stream-consumers.js";
import { subscribeToShard } from "./subscribe-to-shard.js";

export const streamsActions: Readonly<Record<string, StreamsAction>> = {
  CreateStream: createStream,
  DescribeStreamSummary: describeStreamSummary,
  DeleteStream: deleteStream,
  DescribeStream: describeStream,
  ListStreams: listStreams,
  ListShards: listShards,
  IncreaseStreamRetentionPeriod: increaseStreamRetentionPeriod,
  DecreaseStreamRetentionPeriod: decreaseStreamRetentionPeriod,
  AddTagsToStream: addTagsToStream,
  RemoveTagsFromStream: removeTagsFromStream,
  ListTagsForStream: listTagsForStream,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  DescribeLimits: describeLimits,
  PutRecord: putRecord,
  PutRecords: putRecords,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
  SplitShard: splitShard,
  MergeShards: mergeShards,
  UpdateShardCount: updateShardCount,
  UpdateStreamMode: updateStreamMode,
  UpdateStreamRecordDistributionStrategy: updateStreamRecordDistributionStrategy,
  UpdateStreamWarmThroughput: updateStreamWarmThroughput,
  DescribeAccountSettings: describeAccountSettings,
  UpdateAccountSettings: updateAccountSettings,
  UpdateMaxRecordSize: updateMaxRecordSize,
  EnableEnhancedMonitoring: enableEnhancedMonitoring,
  DisableEnhancedMonitoring: disableEnhancedMonitoring,
  PutResourcePolicy: putResourcePolicy,
  GetResourcePolicy: getResourcePolicy,
  DeleteResourcePolicy: deleteResourcePolicy,
  StartStreamEncryption: startStreamEncryption,
  StopStreamEncryption: stopStreamEncryption,
  RegisterStreamConsumer: registerStreamConsumer,
  DeregisterStreamConsumer: deregisterStreamConsumer,
  DescribeStreamConsumer: describeStreamConsumer,
  ListStreamConsumers: listStreamConsumers,
  SubscribeToShard: subscribeToShard,
};
