/**
 * Stream setup and reading through the SDK, shared by the test files: create a stream and wait
 * until it is ACTIVE, and read a shard to its tip.
 */
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, type GetRecordsCommandOutput,
  type KinesisClient, type _Record,
} from "@aws-sdk/client-kinesis";
import { waitFor } from "./wait.js";

/** How long a stream may take to become ACTIVE: a guard against hanging, not a performance bound. */
export const activeGuardMs = 60_000;

/** Polls DescribeStreamSummary until the stream is ACTIVE. */
export function waitUntilActive(client: KinesisClient, streamName: string, timeoutMs = activeGuardMs): Promise<void> {
  return waitFor(
    `stream ${streamName} ACTIVE`,
    async () => (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE",
    timeoutMs,
    20,
  );
}

/** Creates a stream and waits (bounded) until it is ACTIVE. */
export async function createActiveStream(client: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  await waitUntilActive(client, streamName);
}

/** Every record from `iterator` up to the tip: pages until an empty one (at most 100 calls). */
export async function readToTip(client: KinesisClient, iterator: string): Promise<_Record[]> {
  const out: _Record[] = [];
  let next: string | undefined = iterator;
  for (let call = 0; next && call < 100; call++) {
    const page: GetRecordsCommandOutput = await client.send(new GetRecordsCommand({ ShardIterator: next }));
    out.push(...(page.Records ?? []));
    if ((page.Records ?? []).length === 0) return out;
    next = page.NextShardIterator;
  }
  return out;
}

/** Every record of one shard (the first unless named), from TRIM_HORIZON to the tip. */
export async function readShard(client: KinesisClient, streamName: string, shardId = "shardId-000000000000"): Promise<_Record[]> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
  return readToTip(client, out.ShardIterator!);
}
