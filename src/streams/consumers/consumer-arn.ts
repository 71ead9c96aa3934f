/**
 * Consumer ARNs as AWS writes them: the stream's ARN, `/consumer/`, the consumer's name, `:` and
 * its creation time in whole epoch seconds —
 * `arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<seconds>`. The time makes a
 * consumer registered again under a name a different resource (AWS says so of IAM policies).
 */

export interface ParsedConsumerArn {
  /** The ARN of the stream the consumer is registered with. */
  streamArn: string;
  streamName: string;
  consumerName: string;
  createdSeconds: number;
}

const consumerArnPattern = /^(arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/([a-zA-Z0-9_.-]{1,128}))\/consumer\/([a-zA-Z0-9_.-]{1,128}):([0-9]{1,15})$/;

export function consumerArn(streamArn: string, consumerName: string, createdAtMs: number): string {
  return `${streamArn}/consumer/${consumerName}:${createdSeconds(createdAtMs)}`;
}

/** Returns undefined for text that is not a consumer ARN (the shape's pattern lets more through). */
export function parseConsumerArn(arn: string): ParsedConsumerArn | undefined {
  const match = consumerArnPattern.exec(arn);
  if (!match) return undefined;
  return { streamArn: match[1]!, streamName: match[2]!, consumerName: match[3]!, createdSeconds: Number(match[4]!) };
}

/** The creation time an ARN and AWS's messages give: whole seconds. */
export function createdSeconds(createdAtMs: number): number {
  return Math.floor(createdAtMs / 1000);
}
