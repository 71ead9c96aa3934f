/**
 * The Kinesis Data Streams error catalog: every wire error the service sends is built here, with
 * AWS's type, status and wording. Actions call these factories; they never build messages inline.
 */
import { ServiceError } from "../protocol/service-error.js";

export { ServiceError };

export const streamsErrors = {
  unknownOperation: () => new ServiceError("UnknownOperationException", undefined, 400),
  serialization: (message?: string) => new ServiceError("SerializationException", message, 400),
  validation: (message: string) => new ServiceError("ValidationException", message, 400),
  streamNotFound: (streamName: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Stream ${streamName} under account ${accountId} not found.`, 400),
  shardNotFound: (shardId: string, streamName: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Shard ${shardId} in stream ${streamName} under account ${accountId} does not exist`, 400),
  resourceNotFound: (message: string) => new ServiceError("ResourceNotFoundException", message, 400),
  resourceInUse: (message: string) => new ServiceError("ResourceInUseException", message, 400),
  streamInUse: (streamName: string, accountId: string) =>
    new ServiceError("ResourceInUseException", `Stream ${streamName} under account ${accountId} already exists.`, 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceededException", message, 400),
  invalidArgument: (message: string) => new ServiceError("InvalidArgumentException", message, 400),
  expiredIterator: (message: string) => new ServiceError("ExpiredIteratorException", message, 400),
  throughputExceeded: (message: string) => new ServiceError("ProvisionedThroughputExceededException", message, 400),
  accessDenied: (message: string) => new ServiceError("AccessDeniedException", message, 400),
  /**
   * Authorization's refusal (src/streams/authorization/authorize.ts), in IAM's wording, which Kinesis answers with
   * status 400: "User: <arn> is not authorized to perform: kinesis:<Action> on resource: <arn>
   * because no identity-based policy allows the kinesis:<Action> action", or "... with an explicit
   * deny in an identity-based policy" (resource-based: "a resource-based policy").
   */
  notAuthorized: (principalArn: string, iamAction: string, resourceArn: string, policyKind: "identity-based" | "resource-based", explicit: boolean) =>
    new ServiceError(
      "AccessDeniedException",
      `User: ${principalArn} is not authorized to perform: ${iamAction} on resource: ${resourceArn} ` +
        (explicit
          ? `with an explicit deny in ${policyKind === "identity-based" ? "an" : "a"} ${policyKind} policy`
          : `because no ${policyKind} policy allows the ${iamAction} action`),
      400,
    ),
  // Data plane (PutRecord, PutRecords, GetShardIterator, GetRecords): wording as kinesalite records AWS's.
  invalidExplicitHashKey: (value: string) =>
    new ServiceError("InvalidArgumentException", `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${value}`, 400),
  invalidSequenceNumberForOrdering: (sequenceNumber: string, streamName: string, accountId: string) =>
    new ServiceError("InvalidArgumentException", `ExclusiveMinimumSequenceNumber ${sequenceNumber} used in PutRecord on stream ${streamName} under account ${accountId} is invalid.`, 400),
  /** A record's data plus partition key over the record size limit, reported on its data member. */
  recordTooLarge: (path: string, dataBytes: number, recordBytesMax: number) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${dataBytes} cap=${dataBytes}]' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${recordBytesMax}`,
      400,
    ),
  /** AWS raised the limit from 5 to 10 MiB with large records; the text follows the 5 MB one kinesalite recorded. */
  putRecordsTooLarge: () => new ServiceError("InvalidArgumentException", "Records size exceeds 10 MB limit", 400),
  unresolvableShardId: (shardId: string, streamName: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Could not find shard ${shardId} in stream ${streamName} under account ${accountId}.`, 400),
  iteratorTypeNeedsSequenceNumber: (iteratorType: string, hasSequenceNumber: boolean) =>
    new ServiceError(
      "InvalidArgumentException",
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. " +
        `Request specified ${iteratorType} and ${hasSequenceNumber ? "also a" : "no"} StartingSequenceNumber.`,
      400,
    ),
  invalidStartingSequenceNumber: (sequenceNumber: string, shardId: string, streamName: string, accountId: string) =>
    new ServiceError("InvalidArgumentException", `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shardId} in stream ${streamName} under account ${accountId} is invalid.`, 400),
  foreignStartingSequenceNumber: (sequenceNumber: string, shardId: string, streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shardId} in stream ${streamName} under account ${accountId} is invalid because it did not come from this stream.`,
      400,
    ),
  startingSequenceNumberOtherShard: (encodedShardId: string, shardId: string) =>
    new ServiceError("InvalidArgumentException", `Invalid StartingSequenceNumber. It encodes ${encodedShardId}, while it was used in a call to a shard with ${shardId}`, 400),
  /**
   * GetShardIterator with an old-layout number of the right shard ("0" on shard 0): AWS answers a
   * bare 500 InternalFailure, no message (kinesalite's tests, recorded against AWS). Expected, so
   * marked injected: not logged as a failure of ours.
   */
  legacySequenceNumberFailure: () => new ServiceError("InternalFailure", undefined, 500, { injected: true }),
  timestampMissing: () =>
    new ServiceError("InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.", 400),
  timestampInFuture: (timestampMs: number, nowMs: number) =>
    new ServiceError(
      "InvalidArgumentException",
      `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${timestampMs}, currentTimestampInMillis: ${nowMs}`,
      400,
    ),
  /**
   * DryRun on a data-plane action whose checks all passed: AWS documents HTTP 400 and this type
   * (streams/latest/dev/kds-dryrun-validation); the message text is ours, no recording of AWS's exists.
   */
  dryRunSucceeded: () => new ServiceError("DryRunOperationException", "The request would have succeeded, but the DryRun parameter was set.", 400),
  invalidShardIterator: () => new ServiceError("InvalidArgumentException", "Invalid ShardIterator.", 400),
  expiredIteratorAt: (issuedAtMs: number, nowMs: number, ttlMs: number) =>
    new ServiceError(
      "ExpiredIteratorException",
      `Iterator expired. The iterator was created at time ${javaUtcDate(issuedAtMs)} while right now it is ${javaUtcDate(nowMs)} ` +
        `which is further in the future than the tolerated delay of ${ttlMs} milliseconds.`,
      400,
    ),
  // Control plane (stream lifecycle, listing, retention, tags).
  streamNotActive: (streamName: string, accountId: string, status: string) =>
    new ServiceError("ResourceInUseException", `Stream ${streamName} under account ${accountId} not ACTIVE, instead in state ${status}`, 400),
  shardLimitExceeded: (accountId: string, region: string, currentShards: number, shardLimit: number, additionalShards: number) =>
    new ServiceError(
      "LimitExceededException",
      `This request would exceed the shard limit for the account ${accountId} in ${region}. ` +
        `Current shard count for the account: ${currentShards}. Limit: ${shardLimit}. ` +
        `Number of additional shards that would have resulted from this request: ${additionalShards}. ` +
        "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
        "for current limits and how to request higher limits.",
      400,
    ),
  // Resharding (SplitShard, MergeShards as kinesalite recorded AWS; the closed-shard and
  // On-Demand texts as moto checked them against AWS; UpdateShardCount from kinesalite's tests).
  splitHashKeyOutOfRange: (hashKey: string, shardId: string, streamName: string, accountId: string, range: { StartingHashKey: string; EndingHashKey: string }) =>
    new ServiceError(
      "InvalidArgumentException",
      `NewStartingHashKey ${hashKey} used in SplitShard() on shard ${shardId} in stream ${streamName} under account ${accountId} ` +
        `is not both greater than one plus the shard's StartingHashKey ${range.StartingHashKey} and less than the shard's EndingHashKey ${range.EndingHashKey}.`,
      400,
    ),
  shardsNotAdjacent: (shardId: string, adjacentShardId: string, streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Shards ${shardId} and ${adjacentShardId} in stream ${streamName} under account ${accountId} are not an adjacent pair of shards eligible for merging`,
      400,
    ),
  shardAlreadyResharded: (shardId: string, streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Shard ${shardId} in stream ${streamName} under account ${accountId} has already been merged or split, and thus is not eligible for merging or splitting.`,
      400,
    ),
  streamInOnDemandMode: (streamName: string, accountId: string) =>
    new ServiceError("ValidationException", `Request is invalid. Stream ${streamName} under account ${accountId} is in On-Demand mode.`, 400),
  scaleUpOverDouble: (openShards: number, target: number) =>
    new ServiceError(
      "LimitExceededException",
      `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${openShards}, Target shard count: ${target}`,
      400,
    ),
  scaleDownBelowHalf: (openShards: number, target: number) =>
    new ServiceError(
      "LimitExceededException",
      `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${openShards}, Target shard count: ${target}`,
      400,
    ),
  streamShardCountOverMax: (shardsMax: number, openShards: number, target: number) =>
    new ServiceError(
      "LimitExceededException",
      `Target shard count or number of open shards cannot be greater than ${shardsMax}. Current open shard count: ${openShards}, Target shard count: ${target}`,
      400,
    ),
  shardCountExpected: () => new ServiceError("InvalidArgumentException", "ShardCount is expected when StreamMode=PROVISIONED", 400),
  shardCountNotExpected: () => new ServiceError("InvalidArgumentException", "ShardCount is not expected when StreamMode=ON_DEMAND", 400),
  retentionTooShort: (hours: number, hoursMin: number) =>
    new ServiceError("InvalidArgumentException", `Minimum allowed retention period is ${hoursMin} hours. Requested retention period (${hours} hours) is too short.`, 400),
  retentionTooLong: (hours: number, hoursMax: number) =>
    new ServiceError("InvalidArgumentException", `Maximum allowed retention period is ${hoursMax} hours. Requested retention period (${hours} hours) is too long.`, 400),
  retentionNotLonger: (hours: number, streamName: string, currentHours: number) =>
    new ServiceError(
      "InvalidArgumentException",
      `Requested retention period (${hours} hours) for stream ${streamName} can not be shorter than existing retention period (${currentHours} hours). Use DecreaseRetentionPeriod API.`,
      400,
    ),
  retentionNotShorter: (hours: number, streamName: string, currentHours: number) =>
    new ServiceError(
      "InvalidArgumentException",
      `Requested retention period (${hours} hours) for stream ${streamName} can not be longer than existing retention period (${currentHours} hours). Use IncreaseRetentionPeriod API.`,
      400,
    ),
  tagsInvalidCharacters: () =>
    new ServiceError("InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.", 400),
  /** AWS rejects '%' in a second, later check with its own wording ("add tags to" / "remove tags from"). */
  tagsIllegalCharacters: (verb: "add tags to" | "remove tags from", streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Failed to ${verb} stream ${streamName} under account ${accountId} because some tags contained illegal characters. ` +
        "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.",
      400,
    ),
  tagsReservedPrefix: (verb: "add tags to" | "remove tags from", streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Failed to ${verb} stream ${streamName} under account ${accountId} because some tags use the prefix 'aws:', which is reserved for AWS use.`,
      400,
    ),
  /** AWS's text says 10 whatever the per-stream limit (50) is; kinesalite recorded it so against AWS. */
  tooManyTags: (streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Failed to add tags to stream ${streamName} under account ${accountId} because a given stream cannot have more than 10 tags associated with it.`,
      400,
    ),
  unsupportedResourceArn: (resourceArn: string) =>
    new ServiceError("InvalidArgumentException", `Invalid ResourceARN: ${resourceArn}. Only Kinesis data stream ARNs are supported.`, 400),
  nextTokenWith: (member: string) => new ServiceError("InvalidArgumentException", `NextToken and ${member} cannot be provided together.`, 400),
  listShardsNeedsStream: () => new ServiceError("InvalidArgumentException", "Either NextToken or StreamName should be provided.", 400),
  invalidNextToken: () => new ServiceError("InvalidArgumentException", "Invalid NextToken.", 400),
  expiredNextToken: () => new ServiceError("ExpiredNextTokenException", "The NextToken has expired. Tokens are valid for 300 seconds.", 400),
  shardFilterNeedsShardId: () =>
    new ServiceError("InvalidArgumentException", "ShardId must be specified in the ShardFilter when its Type is AFTER_SHARD_ID.", 400),
  shardFilterNeedsTimestamp: (type: string) =>
    new ServiceError("InvalidArgumentException", `Timestamp must be specified in the ShardFilter when its Type is ${type}.`, 400),
  shardFilterUnexpectedShardId: (type: string) =>
    new ServiceError("InvalidArgumentException", `ShardId can only be specified in the ShardFilter when its Type is AFTER_SHARD_ID, not ${type}.`, 400),
  shardFilterUnexpectedTimestamp: (type: string) =>
    new ServiceError("InvalidArgumentException", `Timestamp can only be specified in the ShardFilter when its Type is AT_TIMESTAMP or FROM_TIMESTAMP, not ${type}.`, 400),
  // Throttling (streams/limits, and fault injection) and server-side failures (fault injection only), in AWS's wording.
  shardRateExceeded: (shardId: string, streamName: string, accountId: string) =>
    new ServiceError("ProvisionedThroughputExceededException", shardRateExceededMessage(shardId, streamName, accountId), 400),
  streamRateExceeded: (streamName: string, accountId: string) =>
    new ServiceError("LimitExceededException", `Rate exceeded for stream ${streamName} under account ${accountId}.`, 400),
  /** A throttled call that names no stream (ListStreams, or an iterator that does not decode). */
  accountRateExceeded: (type: "ProvisionedThroughputExceededException" | "LimitExceededException", accountId: string) =>
    new ServiceError(type, `Rate exceeded for account ${accountId}.`, 400),
  /**
   * AWS's common errors: InternalFailure (500) and ServiceUnavailable (503), with their documented
   * text. Marked injected, so the server does not log each as a failure of its own.
   */
  serverFailure: () =>
    new ServiceError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500, { injected: true }),
  serviceUnavailable: () => new ServiceError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503, { injected: true }),
  // Capacity mode, warm throughput, record size, enhanced monitoring, resource policies. These
  // APIs are newer than kinesalite, so no recording of AWS's text exists to follow: the wording
  // below follows AWS's neighbouring messages (shard limit, CreateStream's mode checks).
  onDemandStreamLimitExceeded: (accountId: string, region: string, current: number, limit: number) =>
    new ServiceError(
      "LimitExceededException",
      `This request would exceed the on-demand stream limit for the account ${accountId} in ${region}. ` +
        `Current on-demand stream count for the account: ${current}. Limit: ${limit}. ` +
        "Number of additional on-demand streams that would have resulted from this request: 1. " +
        "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
        "for current limits and how to request higher limits.",
      400,
    ),
  modeSwitchLimitExceeded: (streamName: string, accountId: string, switchesMax: number) =>
    new ServiceError(
      "LimitExceededException",
      `Stream ${streamName} under account ${accountId} has already switched capacity mode ${switchesMax} times in the last 24 hours.`,
      400,
    ),
  shardCountUpdateLimitExceeded: (streamName: string, accountId: string, updatesMax: number) =>
    new ServiceError(
      "LimitExceededException",
      `Stream ${streamName} under account ${accountId} has already been scaled by UpdateShardCount ${updatesMax} times in the last 24 hours.`,
      400,
    ),
  // Service-managed record distribution (RecordDistributionStrategy AUTO). AWS documents the
  // InvalidArgumentException of each case but publishes no text: these follow its wording above.
  autoDistributionNotExpected: () =>
    new ServiceError("InvalidArgumentException", "RecordDistributionStrategy AUTO is not expected when StreamMode=PROVISIONED", 400),
  autoDistributionNeedsOnDemand: (streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Stream ${streamName} under account ${accountId} is not in ON_DEMAND capacity mode. Record distribution strategy AUTO is only supported for ON_DEMAND streams.`,
      400,
    ),
  provisionedNeedsUserPartitionKey: (streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Stream ${streamName} under account ${accountId} uses record distribution strategy AUTO, which PROVISIONED capacity mode does not support. Update its record distribution strategy to USER_PARTITION_KEY first.`,
      400,
    ),
  orderingOnAutoDistribution: (streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `SequenceNumberForOrdering is not supported on stream ${streamName} under account ${accountId}: its record distribution strategy is AUTO.`,
      400,
    ),
  warmThroughputNotExpected: () =>
    new ServiceError("InvalidArgumentException", "WarmThroughputMiBps is not expected when StreamMode=PROVISIONED", 400),
  warmThroughputNeedsOnDemand: (streamName: string, accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Stream ${streamName} under account ${accountId} is not in ON_DEMAND capacity mode. Warm throughput is only supported for ON_DEMAND streams.`,
      400,
    ),
  warmThroughputNeedsCommitment: (accountId: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account ${accountId}.`,
      400,
    ),
  warmThroughputTooHigh: (requestedMiBps: number, maxMiBps: number) =>
    new ServiceError(
      "LimitExceededException",
      `Requested warm throughput (${requestedMiBps} MiBps) exceeds the maximum warm throughput of ${maxMiBps} MiBps for an on-demand stream.`,
      400,
    ),
  streamArnRequired: () => new ServiceError("InvalidArgumentException", "StreamARN must be provided.", 400),
  resourcePolicyNotJson: () =>
    new ServiceError("InvalidArgumentException", "Invalid policy document: the policy must be a JSON object.", 400),
  /** A policy that is JSON but not a valid IAM resource policy; `detail` from src/auth/policy's parser. */
  resourcePolicyInvalid: (detail: string) => new ServiceError("InvalidArgumentException", `Invalid policy document: ${detail}.`, 400),
  resourcePolicyTooLarge: (bytes: number, bytesMax: number) =>
    new ServiceError("InvalidArgumentException", `Policy document size (${bytes} bytes) exceeds the maximum size of ${bytesMax} bytes.`, 400),
  invalidResourceArn: (resourceArn: string) =>
    new ServiceError("InvalidArgumentException", `Invalid ResourceARN: ${resourceArn}. Only Kinesis data stream and consumer ARNs are supported.`, 400),
  consumerNotFound: (consumerArn: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Consumer ${consumerArn} under account ${accountId} not found.`, 400),
  // Enhanced fan-out consumers (src/streams/consumers). AWS's text where a recording exists:
  // DeleteStream's (quoted in aws-nuke, terraform-provider-aws and cloud-custodian issues) and
  // the not-ACTIVE one (cloudformation-coverage-roadmap #2442, from PutResourcePolicy). The
  // others follow those and consumerNotFound.
  consumerNameNotFound: (consumerName: string, streamName: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Consumer ${consumerName} under stream ${streamName} and account ${accountId} not found.`, 400),
  consumerInUse: (consumerName: string, streamName: string, accountId: string) =>
    new ServiceError("ResourceInUseException", `Consumer ${consumerName} under stream ${streamName} and account ${accountId} already exists.`, 400),
  consumerNotActive: (consumerName: string, createdSeconds: number, streamName: string, accountId: string) =>
    new ServiceError(
      "ResourceInUseException",
      `Consumer ${consumerName} with creation timestamp ${createdSeconds} under stream ${streamName} and account ${accountId} is not in ACTIVE status.`,
      400,
    ),
  streamHasConsumers: (streamArn: string, streamName: string) =>
    new ServiceError(
      "ResourceInUseException",
      `DeleteStream can't delete ${streamArn} because there are consumers associated with this data stream. ` +
        `To delete ${streamName} anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the consumers that are associated with it.`,
      400,
    ),
  consumersPerStreamExceeded: (streamName: string, accountId: string, consumersMax: number) =>
    new ServiceError(
      "LimitExceededException",
      `Stream ${streamName} under account ${accountId} already has ${consumersMax} registered consumers, the most a stream can have.`,
      400,
    ),
  consumersCreatingExceeded: (accountId: string, creatingMax: number) =>
    new ServiceError(
      "LimitExceededException",
      `Account ${accountId} already has ${creatingMax} consumers in CREATING status: only ${creatingMax} consumers can be created at the same time.`,
      400,
    ),
  consumerReferenceMissing: () =>
    new ServiceError("InvalidArgumentException", "Either ConsumerARN or both StreamARN and ConsumerName must be provided.", 400),
  invalidConsumerArn: (consumerArn: string) => new ServiceError("InvalidArgumentException", `Invalid ConsumerARN: ${consumerArn}`, 400),
  consumerArnConflict: (consumerArn: string, member: "StreamARN" | "ConsumerName", value: string) =>
    new ServiceError(
      "InvalidArgumentException",
      `ConsumerARN ${consumerArn} and ${member} ${value} refer to different ${member === "StreamARN" ? "streams" : "consumers"}.`,
      400,
    ),
  /**
   * SubscribeToShard within 5 seconds of a successful call for the same consumer and shard, and
   * the exception frame that ends a subscription taken over by a later call. AWS's text as a
   * Databricks knowledge-base article quotes it (account redacted there):
   * `Another active subscription exists for this consumer: <account>:<stream>:<shardId>:<consumer>`.
   */
  subscriptionInUse: (accountId: string, streamName: string, shardId: string, consumerName: string) =>
    new ServiceError("ResourceInUseException", `Another active subscription exists for this consumer: ${accountId}:${streamName}:${shardId}:${consumerName}`, 400),
  // Encryption at rest (Start/StopStreamEncryption, docs/encryption.md): no recording of AWS's
  // text exists to follow either; the wording follows AWS's documentation of the members.
  encryptionTypeNotKms: (action: string, encryptionType: string) =>
    new ServiceError("InvalidArgumentException", `EncryptionType ${encryptionType} is not valid for ${action}. The only valid value is KMS.`, 400),
  kmsKeyNotFound: (keyId: string, region: string) =>
    new ServiceError(
      "KMSNotFoundException",
      `Invalid keyId ${keyId}: expected a key id, a key ARN, an alias name prefixed by "alias/" or an alias ARN, of a KMS key in ${region}.`,
      400,
    ),
  encryptionKeyLimitExceeded: (streamName: string, accountId: string, keysMax: number) =>
    new ServiceError(
      "LimitExceededException",
      `Stream ${streamName} under account ${accountId} has already applied a new KMS key ${keysMax} times in the last 24 hours.`,
      400,
    ),
  /** A stored record that cannot be opened (altered on disk, or no key for it): never served as garbage. */
  recordUnreadable: (cause: unknown) =>
    new ServiceError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500, { cause }),
  /** Storage could not make a write durable (disk full, I/O error): retriable. */
  storageUnavailable: (cause: unknown) =>
    new ServiceError("InternalFailure", "The service could not store the request. Please retry the request.", 500, { cause }),
} as const;

/** PutRecords' per-entry error for a record storage could not make durable (AWS's wording). */
export const internalFailureEntryMessage = "Internal Service Failure";

/** AWS's throttling text for one shard: PutRecords entries carry it as their ErrorMessage too. */
export function shardRateExceededMessage(shardId: string, streamName: string, accountId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${streamName} under account ${accountId}.`;
}

/** A time as Java's Date.toString prints it in UTC, which AWS uses in messages: `Thu Jan 22 01:22:02 UTC 2015`. */
function javaUtcDate(ms: number): string {
  const date = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const two = (value: number) => String(value).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${two(date.getUTCDate())} ${time} UTC ${date.getUTCFullYear()}`;
}
