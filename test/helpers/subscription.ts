/**
 * SubscribeToShard through the SDK for tests: a subscription consumed in the background, and the
 * split scenario the cleartext and TLS suites share (every record across a split, following
 * ChildShards, nothing lost or duplicated).
 */
import assert from "node:assert/strict";
import {
  PutRecordCommand, SubscribeToShardCommand, type KinesisClient, type StartingPosition, type SubscribeToShardEvent,
  type SubscribeToShardEventStream, type _Record,
} from "@aws-sdk/client-kinesis";
import { randomStreamName, type TestServer } from "./server.js";
import { ok } from "./wire-assert.js";

/** How long a test waits for an event before failing: a guard against hanging, not a performance bound. */
export const subscriptionGuardMs = 10_000;

export const shardIdOf = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const text = (data: Uint8Array | undefined) => Buffer.from(data!).toString();

/** Consumes one subscription in the background, keeping its events, and how it ended. */
export class Subscription {
  readonly events: SubscribeToShardEvent[] = [];
  error: unknown;
  done = false;
  private readonly finished: Promise<void>;
  private poke: (() => void) | undefined;

  constructor(
    stream: AsyncIterable<SubscribeToShardEventStream>,
    private readonly controller: AbortController,
  ) {
    this.finished = (async () => {
      try {
        for await (const message of stream) {
          if (message.SubscribeToShardEvent) this.events.push(message.SubscribeToShardEvent);
          this.poke?.();
        }
      } catch (error) {
        this.error = error;
      } finally {
        this.done = true;
        this.poke?.();
      }
    })();
  }

  records(): _Record[] {
    return this.events.flatMap((event) => event.Records ?? []);
  }

  /** The records' data as text. */
  data(): string[] {
    return this.records().map((record) => text(record.Data));
  }

  /** Waits until `predicate` holds; fails if the subscription ends first or the guard runs out. */
  async until(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + subscriptionGuardMs;
    while (!predicate()) {
      if (this.done) throw new Error(`the subscription ended before ${what}: ${String(this.error)}`);
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) throw new Error(`no ${what} within ${subscriptionGuardMs} ms (${this.events.length} events)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        this.poke = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Waits for the stream to end, and returns how (undefined when it ended cleanly). */
  async ended(): Promise<unknown> {
    await this.until(() => this.done, "the end of the stream");
    return this.error;
  }

  /** Closes the subscription from the client's side. */
  async close(): Promise<void> {
    this.controller.abort();
    await this.finished;
  }
}

/** SubscribeToShardCommand; resolves once the initial response is in. */
export async function subscribe(client: KinesisClient, consumerArn: string, shardId: string, position: StartingPosition): Promise<Subscription> {
  const controller = new AbortController();
  const out = await client.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position }), {
    abortSignal: controller.signal,
  });
  return new Subscription(out.EventStream!, controller);
}

export async function registerConsumer(server: TestServer, streamName: string, consumerName: string): Promise<string> {
  const streamArn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${streamName}`;
  return (await ok(server, "RegisterStreamConsumer", { StreamARN: streamArn, ConsumerName: consumerName })).Consumer.ConsumerARN;
}

/**
 * The proof: a consumer subscribed to a one-shard stream at TRIM_HORIZON while two writers
 * write, one splitting the shard partway, receives the parent's records up to its end, then
 * ChildShards (and no ContinuationSequenceNumber); subscribed to each child, it receives the rest.
 * Every acknowledged record arrives once, in sequence order, on the shard PutRecord named.
 * `client` talks to `server` (or to its TLS port); control-plane calls go to `server.url`.
 */
export async function checkSplitDelivery(server: TestServer, client: KinesisClient): Promise<void> {
  const shard0 = shardIdOf(0);
  const streamName = randomStreamName("split-delivery");
  await ok(server, "CreateStream", { StreamName: streamName, ShardCount: 1 });
  const consumerArn = await registerConsumer(server, streamName, "lineage");
  const put = (data: string, hashKey?: string) =>
    client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: data, Data: Buffer.from(data), ...(hashKey !== undefined && { ExplicitHashKey: hashKey }) }));

  const parent = await subscribe(client, consumerArn, shard0, { Type: "TRIM_HORIZON" });
  const acked: { data: string; shardId: string; sequenceNumber: string }[] = [];
  const writer = async (name: string, count: number, splitAt?: number) => {
    for (let index = 0; index < count; index++) {
      if (index === splitAt) await ok(server, "SplitShard", { StreamName: streamName, ShardToSplit: shard0, NewStartingHashKey: (1n << 127n).toString() });
      const data = `${name}-${index}`;
      const out = await put(data);
      acked.push({ data, shardId: out.ShardId!, sequenceNumber: out.SequenceNumber! });
    }
  };
  await Promise.all([writer("w1", 60, 20), writer("w2", 60)]);
  assert.equal(await parent.ended(), undefined);
  const last = parent.events[parent.events.length - 1]!;
  assert.equal(last.ContinuationSequenceNumber, undefined);
  assert.deepEqual(last.Records, []);
  assert.deepEqual(last.ChildShards!.map((child) => [child.ShardId, child.ParentShards]), [[shardIdOf(1), [shard0]], [shardIdOf(2), [shard0]]]);

  // Sequence numbers of one shard have one length: text order is their order.
  const inOrder = (shardId: string) =>
    acked.filter((record) => record.shardId === shardId).sort((a, b) => (a.sequenceNumber < b.sequenceNumber ? -1 : 1)).map((record) => record.data);
  assert.deepEqual(parent.data(), inOrder(shard0));
  for (const [index, child] of last.ChildShards!.entries()) {
    const subscription = await subscribe(client, consumerArn, child.ShardId!, { Type: "TRIM_HORIZON" });
    // A last record after everything the writers wrote shows nothing came twice.
    await put(`end-${index}`, child.HashKeyRange!.StartingHashKey);
    await subscription.until(() => subscription.data().includes(`end-${index}`), `the end of ${child.ShardId}`);
    await subscription.close();
    assert.deepEqual(subscription.data(), [...inOrder(child.ShardId!), `end-${index}`]);
  }
  assert.ok(inOrder(shardIdOf(1)).length > 0 && inOrder(shardIdOf(2)).length > 0, "both children took writes");
  assert.ok(inOrder(shard0).length > 0, "the parent took writes before the split");
  assert.equal(new Set(acked.map((record) => record.data)).size, 120);
}
