/**
 * SubscribeToShard's one-subscription rule on a real cluster (docs/cluster.md): two `tributary
 * server --storage nats` nodes over a three-server NATS cluster (test/helpers/cluster.ts), through
 * the SDK only. A subscription through node A, then a call through node B within 5 seconds, is
 * refused with AWS's ResourceInUseException; a call through B 5 seconds on takes the subscription
 * over: B's receives the records, and A's ends with ResourceInUseException
 * (src/streams/subscriptions/shared-claims.ts). The in-process twin, on a hand-moved clock, is
 * test/cluster/shared-subscriptions.test.ts.
 *
 * The nodes run on the wall clock: the refusal is asserted only when B's call was answered within
 * 5 seconds of A's being sent (else the machine was too slow for it to say anything, and the
 * scenario runs again on a new consumer).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, KinesisClient, PutRecordCommand, RegisterStreamConsumerCommand, ResourceInUseException,
} from "@aws-sdk/client-kinesis";
import { activeThrough, onceVisible, startCluster, type TributaryCluster } from "../helpers/cluster.js";
import { exampleCredentials, randomStreamName } from "../helpers/server.js";
import { subscribe, type Subscription } from "../helpers/subscription.js";
import { sleep } from "../helpers/wait.js";

const region = "us-east-1";
const accountId = "000000000000";
const shard0 = "shardId-000000000000";
const position = { Type: "LATEST" as const };
const takeoverAfterMs = 5000;
/** Past the 5 seconds on the node's clock, whatever the call's own latency. */
const takeoverWaitMs = takeoverAfterMs + 500;
const attemptsMax = 3;

describe("cluster > subscriptions across nodes", { timeout: 180_000 }, () => {
  let cluster: TributaryCluster;
  let a: KinesisClient;
  let b: KinesisClient;
  let streamName: string;
  let streamArn: string;
  before(async () => {
    cluster = await startCluster({ nodes: 2 });
    [a, b] = cluster.nodes.map((node) => new KinesisClient({ endpoint: node.url, region, credentials: exampleCredentials, maxAttempts: 1 })) as [KinesisClient, KinesisClient];
    streamName = randomStreamName("cluster-subscribe");
    await a.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await activeThrough(a, streamName);
    await activeThrough(b, streamName);
    streamArn = `arn:aws:kinesis:${region}:${accountId}:stream/${streamName}`;
  });
  after(async () => {
    a?.destroy();
    b?.destroy();
    await cluster?.stop();
  });

  async function register(consumerName: string): Promise<string> {
    const out = await a.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }));
    return out.Consumer!.ConsumerARN!;
  }

  it("refuses a call through B within 5 seconds of one through A, then lets B take over and ends A's", async () => {
    let first: Subscription | undefined;
    let consumerName = "";
    let consumerArn = "";
    for (let attempt = 1; first === undefined; attempt++) {
      consumerName = `takeover-${attempt}`;
      consumerArn = await register(consumerName);
      // B may hear of the consumer a moment after A registered it (read-through answers at once; this is a guard).
      const sentMs = performance.now();
      const candidate = await onceVisible(() => subscribe(a, consumerArn, shard0, position));
      const message = `Another active subscription exists for this consumer: ${accountId}:${streamName}:${shard0}:${consumerName}`;
      const outcome = await onceVisible(() => subscribe(b, consumerArn, shard0, position)).then(
        (subscription) => ({ subscription }),
        (error: unknown) => ({ error }),
      );
      const answeredWithinMs = performance.now() - sentMs;
      if ("error" in outcome) {
        assert.ok(outcome.error instanceof ResourceInUseException, `B answered ${String(outcome.error)}`);
        assert.equal(outcome.error.message, message);
        first = candidate;
      } else {
        await outcome.subscription.close();
        await candidate.close();
        assert.ok(answeredWithinMs >= takeoverAfterMs, `B admitted a second subscription ${Math.round(answeredWithinMs)} ms after A's call was sent`);
        assert.ok(attempt < attemptsMax, `the machine was too slow ${attemptsMax} times to call twice within 5 seconds`);
      }
    }
    await sleep(takeoverWaitMs);
    const second = await subscribe(b, consumerArn, shard0, position);
    const ended = await first.ended();
    assert.ok(ended instanceof ResourceInUseException, `A's subscription ended with ${String(ended)}\n${cluster.describe()}`);
    assert.equal(ended.message, `Another active subscription exists for this consumer: ${accountId}:${streamName}:${shard0}:${consumerName}`);
    await a.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "k", Data: Buffer.from("to-b") }));
    await second.until(() => second.records().length > 0, "a record on B's subscription");
    assert.deepEqual(second.data(), ["to-b"]);
    await second.close();
  });
});
