/** Stream ARNs as AWS writes them: arn:aws:kinesis:<region>:<account>:stream/<name>. */
export function streamArn(region: string, accountId: string, streamName: string): string {
  return `arn:aws:kinesis:${region}:${accountId}:stream/${streamName}`;
}

export interface ParsedStreamArn {
  region: string;
  accountId: string;
  streamName: string;
}

const streamArnPattern = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;

export function parseStreamArn(arn: string): ParsedStreamArn | undefined {
  const match = streamArnPattern.exec(arn);
  if (!match) return undefined;
  return { region: match[1]!, accountId: match[2]!, streamName: match[3]! };
}
