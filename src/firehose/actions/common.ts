/** What several actions share: finding a stream, its ARN and status, and the stored-stream views. */
import type { FirehoseContext } from "../context.js";
import type { StoredDeliveryStream } from "../model.js";
import { firehoseErrors } from "../errors.js";

export const firstDestinationId = "destinationId-000000000001";

export function deliveryStreamArn(region: string, accountId: string, name: string): string {
  return `arn:aws:firehose:${region}:${accountId}:deliverystream/${name}`;
}

export async function requireStream(context: FirehoseContext, name: string): Promise<StoredDeliveryStream> {
  const stream = await context.store.get(context.accountId, name);
  if (stream === undefined) throw firehoseErrors.resourceNotFound(name, context.accountId);
  return stream;
}

/** CREATING until its delay has passed, then ACTIVE (read lazily: nothing has to persist the change). */
export function statusOf(stream: StoredDeliveryStream, nowMs: number): "CREATING" | "ACTIVE" {
  return nowMs >= stream.activeAtMs ? "ACTIVE" : "CREATING";
}

export function nextVersionId(versionId: string): string {
  return String(Number(versionId) + 1);
}
