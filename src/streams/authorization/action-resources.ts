/**
 * The resources a Kinesis action is authorized on, as AWS's "Actions, resources, and condition
 * keys for Amazon Kinesis Data Streams" lists them: the stream for stream actions, the consumer
 * for DescribeStreamConsumer, DeregisterStreamConsumer and SubscribeToShard, the named ARN (stream
 * or consumer) for the tagging and resource-policy actions, and `*` for the account-wide ones
 * (ListStreams, DescribeLimits, the account settings). Each action names its own beside its shape
 * (`resources` in its `defineAction`, src/streams/action.ts); these are the ways it can name them.
 * Tributary checks only Kinesis resources: the KMS key StartStreamEncryption also names is not checked.
 *
 * Resources come from the validated input through a `ResourceLocator`, which knows the server's
 * region and the caller's account and can open shard iterators, page tokens and consumers. An input
 * that names no resource it can find (a malformed iterator, a reference with neither StreamName nor
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

/** The resources a request touches; each is authorized. */
export type ActionResources = (input: Record<string, unknown>, locator: ResourceLocator) => string[];

type Input = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function present(...arns: (string | undefined)[]): string[] {
  return arns.filter((arn): arn is string => arn !== undefined);
}

/** ListStreams, DescribeLimits, the account settings: `*`. */
export const accountWide: ActionResources = () => ["*"];

/** The stream named by StreamName or StreamARN. */
export function streamResource(input: Input, locator: ResourceLocator): string[] {
  const StreamName = text(input.StreamName);
  const StreamARN = text(input.StreamARN);
  return present(locator.streamArn({ ...(StreamName !== undefined && { StreamName }), ...(StreamARN !== undefined && { StreamARN }) }));
}

/** The consumer named by ConsumerARN, or by StreamARN and ConsumerName. */
export function consumerResource(input: Input, locator: ResourceLocator): string[] {
  const reference = { StreamARN: text(input.StreamARN), ConsumerName: text(input.ConsumerName), ConsumerARN: text(input.ConsumerARN) };
  const found = locator.consumerArn(reference);
  if (found !== undefined) return [found];
  // A consumer that cannot be found (yet) is checked as its stream, so a caller without access
  // learns nothing about which consumers exist.
  return reference.StreamARN !== undefined ? present(locator.streamArn({ StreamARN: reference.StreamARN })) : [];
}

/** TagResource, PutResourcePolicy...: the ARN as given, a stream's or a consumer's. */
export const namedResource: ActionResources = (input) => present(text(input.ResourceARN));

/** GetRecords: the StreamARN given, else the stream its shard iterator reads. */
export function iteratorStreamResource(input: Input, locator: ResourceLocator): string[] {
  const StreamARN = text(input.StreamARN);
  if (StreamARN !== undefined) return [StreamARN];
  return present(locator.iteratorStreamArn(text(input.ShardIterator) ?? ""));
}

/** ListShards: the stream named, else the stream its NextToken pages through. */
export function pagedStreamResource(input: Input, locator: ResourceLocator): string[] {
  const NextToken = text(input.NextToken);
  if (NextToken !== undefined && input.StreamName === undefined && input.StreamARN === undefined) {
    return present(locator.pageTokenStreamArn(NextToken));
  }
  return streamResource(input, locator);
}
