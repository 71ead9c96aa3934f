/**
 * Enhanced fan-out across subscriptions: the server ends each subscription after 6 s (AWS: 5
 * minutes), so the fetcher must subscribe again from the continuation sequence number, and AWS's
 * 5-second rule refuses a second subscribe too soon (ResourceInUseException), which it must retry.
 * The two cases run concurrently to keep the file near 7 s.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { aggregateRecords } from "../../src/client/kpl/index.js";
import { ensureStreamConsumer, FanOutFetcher } from "../../src/client/consumer/retrieval/fanout-fetcher.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { text } from "./retrieval-helpers.js";
import { sleep } from "../helpers/wait.js";

const shardId = "shardId-000000000000";
const subscriptionMs = 6000;
/** A guard against hanging, not a performance bound. */
const guardMs = 12_000;

describe("consumer > retrieval > fan-out > re-subscription", { concurrency: true }, () => {
  let server: TestServer;
  let client: KinesisClient;

  const setup = async () => {
    const stream = randomStreamName("resubscribe");
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const streamARN = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
    const consumerARN = await ensureStreamConsumer({ kinesis: client, streamARN, consumerName: "app" });
    return { stream, streamARN, consumerARN };
  };
  const start = (target: { streamARN: string; consumerARN: string }, checkpoint = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 }) =>
    new FanOutFetcher({ kinesis: client, ...target, shardId, checkpoint, initialPosition: { type: "TRIM_HORIZON" } });

  before(async () => {
    server = await startTestServer({ streams: { subscriptionMs } });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("consumer > retrieval > fan-out > re-subscription > a subscription's end loses and repeats nothing", async () => {
    const target = await setup();
    const fetcher = start(target);
    const written: string[] = [];
    const writer = (async () => {
      // Plain records and aggregates, written across the 6-second end of the first subscription.
      for (let round = 0; round < 36; round++) {
        const values = [`r${round}-0`, `r${round}-1`, `r${round}-2`];
        const records =
          round % 2 === 0
            ? values.map((value) => ({ PartitionKey: value, Data: Buffer.from(value) }))
            : aggregateRecords(values.map((value) => ({ PartitionKey: value, Data: Buffer.from(value) }))).map((entry) => ({ ...entry, ExplicitHashKey: "0" }));
        await client.send(new PutRecordsCommand({ StreamName: target.stream, Records: records }));
        written.push(...values);
        await sleep(200);
      }
    })();
    const received: string[] = [];
    const deadline = Date.now() + guardMs;
    try {
      while (received.length < 108) {
        assert.ok(Date.now() < deadline, `only ${received.length} records within ${guardMs} ms`);
        received.push(...(await fetcher.next()).records.map(text));
      }
      await writer;
      assert.deepEqual(received, written);
      assert.ok(fetcher.stats.subscriptions >= 2, `subscribed again (${fetcher.stats.subscriptions} subscriptions)`);
    } finally {
      await fetcher.close();
    }
  });

  it("consumer > retrieval > fan-out > re-subscription > a subscribe within 5 s of the last is retried until AWS allows it", async () => {
    const target = await setup();
    const values = ["a", "b", "c", "d"];
    const put = (some: string[]) => client.send(new PutRecordsCommand({ StreamName: target.stream, Records: some.map((value) => ({ PartitionKey: value, Data: Buffer.from(value) })) }));
    await put(values.slice(0, 2));
    // A first worker reads part of the shard and stops (its lease moved).
    const first = start(target);
    const firstBatch = await first.next();
    await first.close();
    const firstRecords = firstBatch.records;
    assert.deepEqual(firstRecords.map(text), ["a", "b"]);
    await put(values.slice(2));
    // The next owner subscribes at once, from the first's last record: refused for ~5 s, then it reads the rest.
    const last = firstRecords[firstRecords.length - 1]!;
    const second = start(target, { sequenceNumber: last.SequenceNumber, subSequenceNumber: last.SubSequenceNumber });
    try {
      const received = firstRecords.map(text);
      const deadline = Date.now() + guardMs;
      while (received.length < values.length) {
        assert.ok(Date.now() < deadline, `only ${received.length} records within ${guardMs} ms`);
        received.push(...(await second.next()).records.map(text));
      }
      assert.deepEqual(received, values);
      assert.ok(second.stats.subscribeRetries > 0, "the first subscribe was refused and retried");
      assert.equal(second.stats.subscriptions, 1);
    } finally {
      await second.close();
    }
  });
});
