/** Kinesis Data Streams limits, as AWS documents them. Named with their unit last. */
export const limits = {
  streamNameLengthMax: 128,
  streamNamePattern: "[a-zA-Z0-9_.-]+",
  streamArnPattern: "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
  streamArnLengthMax: 2048,
  partitionKeyLengthMax: 256,
  /**
   * The Data blob's bound in the PutRecord(s) shapes: the largest record any stream can take
   * (10 MiB). Each stream's own maximum (MaxRecordSizeInKiB, 1 MiB by default) is checked after.
   */
  recordDataBytesMax: 10 * 1024 * 1024,
  /** UpdateMaxRecordSize's range, and the maximum record size every stream starts with. */
  maxRecordSizeKiBMin: 1024,
  maxRecordSizeKiBMax: 10240,
  maxRecordSizeKiBDefault: 1024,
  putRecordsEntriesMax: 500,
  /** PutRecords: the whole request, data plus partition keys (10 MiB since AWS's large-record launch; 5 MiB before). */
  putRecordsBytesMax: 10 * 1024 * 1024,
  getRecordsLimitMax: 10_000,
  getRecordsBytesMax: 10 * 1024 * 1024,
  shardIteratorLengthMax: 512,
  iteratorTtlMs: 5 * 60 * 1000,
  retentionHoursMin: 24,
  retentionHoursMax: 8760,
  retentionHoursDefault: 24,
  tagsPerStreamMax: 50,
  /** The TagMap shape (CreateStream, AddTagsToStream, TagResource); the per-stream 50 is checked after. */
  tagMapEntriesMax: 200,
  /** RemoveTagsFromStream / UntagResource TagKeys, and ListTagsForStream's Limit. */
  tagKeysPerRequestMax: 50,
  tagKeyLengthMax: 128,
  tagValueLengthMax: 256,
  listStreamsLimitMax: 10_000,
  /** ListStreams and DescribeStream accept Limit up to 10,000 but return at most 100 (AWS documents both). */
  listStreamsPageMax: 100,
  listShardsResultsMax: 10_000,
  listShardsResultsDefault: 1000,
  describeStreamLimitMax: 10_000,
  describeStreamPageMax: 100,
  /** ListStreams / ListShards NextToken lifetime. */
  nextTokenTtlMs: 300 * 1000,
  onDemandShardCountInitial: 4,
  onDemandStreamCountLimitDefault: 50,
  /** UpdateStreamMode: each stream may switch capacity mode this many times in any 24 hours. */
  modeSwitchesPerWindowMax: 2,
  modeSwitchWindowMs: 24 * 3600 * 1000,
  /** UpdateShardCount: "Scale more than ten times per rolling 24-hour period per stream" is refused. */
  shardCountUpdatesPerWindowMax: 10,
  shardCountUpdateWindowMs: 24 * 3600 * 1000,
  /** UpdateStreamWarmThroughput: an ON_DEMAND stream scales to at most 10 GiBps. */
  warmThroughputMiBpsMax: 10 * 1024,
  /** MinimumThroughputBillingCommitment's minimum term. */
  billingCommitmentTermMs: 24 * 3600 * 1000,
  /** EnableEnhancedMonitoring / DisableEnhancedMonitoring ShardLevelMetrics. */
  shardLevelMetricsMax: 7,
  /** PutResourcePolicy: the policy document's UTF-8 size. */
  resourcePolicyBytesMax: 20 * 1024,
} as const;
