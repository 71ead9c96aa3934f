/** DescribeStreamSummary: the stream's status, mode, open shards and retention, and the first call every tool makes (a missing stream fails here, with the service's message). */
import { DescribeStreamSummaryCommand, type KinesisClient, type StreamDescriptionSummary } from "@aws-sdk/client-kinesis";

export async function describeStream(kinesis: KinesisClient, StreamName: string): Promise<StreamDescriptionSummary> {
  const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
  if (out.StreamDescriptionSummary === undefined) throw new Error(`DescribeStreamSummary answered no StreamDescriptionSummary for ${StreamName}`);
  return out.StreamDescriptionSummary;
}

/** The stream's capacity mode as the service names it (PROVISIONED when it says none, as streams created before modes existed). */
export function modeOf(summary: StreamDescriptionSummary): string {
  return summary.StreamModeDetails?.StreamMode ?? "PROVISIONED";
}
