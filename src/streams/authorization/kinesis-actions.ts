/**
 * What each Kinesis action the server implements is authorized as: its IAM action name and the
 * resources it touches, as AWS's "Actions, resources, and condition keys for Amazon Kinesis Data
 * Streams" lists them — the stream for stream actions, the consumer for DescribeStreamConsumer,
 * DeregisterStreamConsumer and SubscribeToShard, the named ARN (stream or consumer) for the
 * tagging and resource-policy actions, and `*` for the account-wide ones (ListStreams,
 * DescribeLimits, the account settings). Tributary checks only Kinesis resources: the KMS key
 * StartStreamEncryption also names is not checked.
 *
 * Resources come from the validated input through a `ResourceLocator`, which knows the server's
 * region and the caller's account and can open shard iterators, page tokens and consumers. An input that names
 * no resource it can find (a malformed iterator, a reference with neither StreamName nor
 * StreamARN) yields none: the action itself then refuses the request, and nothing is served.
 */

/** Finds the ARNs a request names; implemented over the streams context (authorize.ts). */
export interface ResourceLocator {
  /** The stream's ARN, from StreamARN or from StreamName in the server's region and the caller's account. */
  streamArn(reference: { StreamName?: string; StreamARN?: string }): string | undefined;
  /** The ARN of the stream a shard iterator reads (in the account it was issued for), if the iterator is ours. */
  iteratorStreamArn(shardIterator: string): string | undefined;
  /** The ARN of the stream a ListShards NextToken pages through, if the token is ours. */
  pageTokenStreamArn(nextToken: string): string | undefined;
  /** The consumer's ARN: ConsumerARN, or the consumer registered under StreamARN and ConsumerName. */
  consumerArn(reference: { StreamARN?: string; ConsumerName?: string; ConsumerARN?: string }): string | undefined;
}

export interface KinesisActionAuthorization {
  /** The IAM action, `kinesis:PutRecord`. */
  iamAction: string;
  /** The resources the request touches; each is authorized. */
  resources(input: Record<string, unknown>, locator: ResourceLocator): string[];
}

type Input = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function present(...arns: (string | undefined)[]): string[] {
  return arns.filter((arn): arn is string => arn !== undefined);
}

const accountWide = (): string[] => ["*"];

function stream(input: Input, locator: ResourceLocator): string[] {
  const StreamName = text(input.StreamName);
  const StreamARN = text(input.StreamARN);
  return present(locator.streamArn({ ...(StreamName !== undefined && { StreamName }), ...(StreamARN !== undefined && { StreamARN }) }));
}

function consumer(input: Input, locator: ResourceLocator): string[] {
  const reference = { StreamARN: text(input.StreamARN), ConsumerName: text(input.ConsumerName), ConsumerARN: text(input.ConsumerARN) };
  const found = locator.consumerArn(reference);
  if (found !== undefined) return [found];
  // A consumer that cannot be found (yet) is checked as its stream, so a caller without access
  // learns nothing about which consumers exist.
  return reference.StreamARN !== undefined ? present(locator.streamArn({ StreamARN: reference.StreamARN })) : [];
}

/** TagResource, PutResourcePolicy...: the ARN as given, a stream's or a consumer's. */
const namedResource = (input: Input): string[] => present(text(input.ResourceARN));

function records(input: Input, locator: ResourceLocator): string[] {
  const StreamARN = text(input.StreamARN);
  if (StreamARN !== undefined) return [StreamARN];
  return present(locator.iteratorStreamArn(text(input.ShardIterator) ?? ""));
}

function shards(input: Input, locator: ResourceLocator): string[] {
  const NextToken = text(input.NextToken);
  if (NextToken !== undefined && input.StreamName === undefined && input.StreamARN === undefined) {
    return present(locator.pageTokenStreamArn(NextToken));
  }
  return stream(input, locator);
}

const resolvers: Readonly<Record<string, KinesisActionAuthorization["resources"]>> = {
  AddTagsToStream: stream,
  CreateStream: stream,
  DecreaseStreamRetentionPeriod: stream,
  DeleteResourcePolicy: namedResource,
  DeleteStream: stream,
  DeregisterStreamConsumer: consumer,
  DescribeAccountSettings: accountWide,
  DescribeLimits: accountWide,
  DescribeStream: stream,
  DescribeStreamConsumer: consumer,
  DescribeStreamSummary: stream,
  DisableEnhancedMonitoring: stream,
  EnableEnhancedMonitoring: stream,
  GetRecords: records,
  GetResourcePolicy: namedResource,
  GetShardIterator: stream,
  IncreaseStreamRetentionPeriod: stream,
  ListShards: shards,
  ListStreamConsumers: stream,
  ListStreams: accountWide,
  ListTagsForResource: namedResource,
  ListTagsForStream: stream,
  MergeShards: stream,
  PutRecord: stream,
  PutRecords: stream,
  PutResourcePolicy: namedResource,
  RegisterStreamConsumer: stream,
  RemoveTagsFromStream: stream,
  SplitShard: stream,
  StartStreamEncryption: stream,
  StopStreamEncryption: stream,
  SubscribeToShard: consumer,
  TagResource: namedResource,
  UntagResource: namedResource,
  UpdateAccountSettings: accountWide,
  UpdateMaxRecordSize: stream,
  UpdateShardCount: stream,
  UpdateStreamMode: stream,
  UpdateStreamRecordDistributionStrategy: stream,
  UpdateStreamWarmThroughput: stream,
};

/** Per API action name (the X-Amz-Target suffix), how it is authorized. */
export const kinesisActions: Readonly<Record<string, KinesisActionAuthorization>> = Object.fromEntries(
  Object.entries(resolvers).map(([name, resources]) => [name, { iamAction: `kinesis:${name}`, resources }]),
);

/** How an action is authorized, or undefined for a name Tributary does not implement. */
export function kinesisActionOf(name: string): KinesisActionAuthorization | undefined {
  return Object.prototype.hasOwnProperty.call(kinesisActions, name) ? kinesisActions[name] : undefined;
}
