import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import {
  InternalFailureException, KinesisClient, ListShardsCommand, PutRecordCommand, PutRecordsCommand, ResourceInUseException,
  ResourceNotFoundException, SubscribeToShardCommand, type StartingPosition,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { checkSplitDelivery, registerConsumer, subscribe, subscriptionGuardMs as guardMs, Subscription } from "../../helpers/subscription.js";
import { encodeCborRequest, decodeCborResponse } from "../../helpers/raw.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { arnOf } from "./stream-settings-helpers.js";
import { EventStreamDecoder, type DecodedMessage } from "../../../src/protocol/eventstream.js";
import { createMemoryEngine } from "../../../src/storage/index.js";
import type { ReadLimits, ShardLog, StorageEngine } from "../../../src/storage/types.js";
import { systemRandom } from "../../../src/util/random.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "SubscribeToShard";
const consumerArnPattern = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";
const iteratorTypes = "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]";
const shard0 = "shardId-000000000000";
const id = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const text = (data: Uint8Array | undefined) => Buffer.from(data!).toString();
const since = (consumerArn: string) => consumerArn.slice(consumerArn.lastIndexOf(":") + 1);
/** A hash key inside shard `index` of a stream created with `count` uniform shards. */
const hashKeyIn = (index: number, count: number) => ((((1n << 128n) / BigInt(count)) * BigInt(index)) + 1n).toString();

async function createStream(server: TestServer, shardCount: number): Promise<string> {
  const name = randomStreamName("subscribe");
  await ok(server, "CreateStream", { StreamName: name, ShardCount: shardCount });
  return name;
}

describe("SubscribeToShard", () => {
  let server: TestServer;
  let client: KinesisClient;
  /** A server on a hand-moved clock: starting times, heartbeats, the 5-minute end and the 5-second rule. */
  let timed: TestServer;
  let timedClient: KinesisClient;
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  const tick = () => timed.app!.streams.context.subscriptions.tick();
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    timed = await startTestServer({ clock });
    timedClient = kinesisClient(timed);
  });
  after(async () => {
    client.destroy();
    timedClient.destroy();
    await server.stop();
    await timed.stop();
  });

  const put = (on: KinesisClient, streamName: string, data: string, hashKey?: string) =>
    on.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: data, Data: Buffer.from(data), ...(hashKey !== undefined && { ExplicitHashKey: hashKey }) }));

  describe("serialization", () => {
    it("rejects a ConsumerARN that is not a string", () => assertWrongTypes(server, action, "ConsumerARN", "String"));
    it("rejects a ShardId that is not a string", () => assertWrongTypes(server, action, "ShardId", "String"));
    it("rejects a StartingPosition that is not a structure", () => assertWrongTypes(server, action, "StartingPosition", "Structure"));
    it("rejects a StartingPosition.Type that is not a string", () => assertWrongTypes(server, action, "StartingPosition.Type", "String"));
    it("rejects a StartingPosition.Timestamp that is not a timestamp", () =>
      assertWrongTypes(server, action, "StartingPosition.Timestamp", "Timestamp"));
  });

  describe("validation", () => {
    it("needs ConsumerARN, ShardId and StartingPosition", () =>
      assertValidation(server, action, {}, [
        "Value null at 'consumerARN' failed to satisfy constraint: Member must not be null",
        "Value null at 'shardId' failed to satisfy constraint: Member must not be null",
        "Value null at 'startingPosition' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { ConsumerARN: "", ShardId: "", StartingPosition: { Type: "NEWEST", SequenceNumber: "01" } }, [
        `Value '' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${consumerArnPattern}`,
        "Value '' at 'consumerARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value 'NEWEST' at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: ${iteratorTypes}`,
        "Value '01' at 'startingPosition.sequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
      ]));

    it("needs StartingPosition.Type", () =>
      assertValidation(server, action, { ConsumerARN: `${arnOf(server, "s")}/consumer/c:1`, ShardId: shard0, StartingPosition: {} }, [
        "Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null",
      ]));
  });

  describe("errors before the stream starts", () => {
    let streamName: string;
    let consumerArn: string;
    before(async () => {
      streamName = await createStream(server, 2);
      consumerArn = await registerConsumer(server, streamName, "checks");
    });

    it("answers ResourceNotFoundException for a consumer that is not registered", () => {
      const unknown = `${arnOf(server, streamName)}/consumer/nobody:1700000000`;
      return assertError(server, action, { ConsumerARN: unknown, ShardId: shard0, StartingPosition: { Type: "LATEST" } }, "ResourceNotFoundException",
        `Consumer ${unknown} under account ${server.accountId} not found.`);
    });

    it("answers ResourceNotFoundException for a shard the stream does not have", async () => {
      await assertError(server, action, { ConsumerARN: consumerArn, ShardId: id(7), StartingPosition: { Type: "LATEST" } }, "ResourceNotFoundException",
        `Shard ${id(7)} in stream ${streamName} under account ${server.accountId} does not exist`);
      await assertError(server, action, { ConsumerARN: consumerArn, ShardId: "nonsense", StartingPosition: { Type: "LATEST" } }, "ResourceNotFoundException",
        `Could not find shard nonsense in stream ${streamName} under account ${server.accountId}.`);
    });

    it("checks StartingPosition with GetShardIterator's rules and messages", async () => {
      const body = (StartingPosition: Record<string, unknown>) => ({ ConsumerARN: consumerArn, ShardId: shard0, StartingPosition });
      const mustEither = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified";
      await assertError(server, action, body({ Type: "AT_SEQUENCE_NUMBER" }), "InvalidArgumentException", `${mustEither} AT_SEQUENCE_NUMBER and no StartingSequenceNumber.`);
      const put1 = await put(client, streamName, "in-shard-1", hashKeyIn(1, 2));
      await assertError(server, action, body({ Type: "TRIM_HORIZON", SequenceNumber: put1.SequenceNumber }), "InvalidArgumentException",
        `${mustEither} TRIM_HORIZON and also a StartingSequenceNumber.`);
      await assertError(server, action, body({ Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: put1.SequenceNumber }), "InvalidArgumentException",
        `Invalid StartingSequenceNumber. It encodes ${id(1)}, while it was used in a call to a shard with ${shard0}`);
      await assertError(server, action, body({ Type: "AT_TIMESTAMP" }), "InvalidArgumentException",
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
    });

    it("answers ResourceInUseException while the consumer is not ACTIVE", async () => {
      // The consumer is CREATING for createStreamMs: on the hand-moved clock it stays so until moved.
      const slow = await startTestServer({ clock: new ManualClock(Date.UTC(2026, 0, 5)), streams: { createStreamMs: 1000 } });
      try {
        const name = randomStreamName("creating");
        await ok(slow, "CreateStream", { StreamName: name, ShardCount: 1 });
        const app = slow.app!;
        (app.streams.context.clock as ManualClock).advance(1000);
        const consumerArn = await registerConsumer(slow, name, "early");
        await assertError(slow, action, { ConsumerARN: consumerArn, ShardId: shard0, StartingPosition: { Type: "LATEST" } }, "ResourceInUseException",
          `Consumer early with creation timestamp ${since(consumerArn)} under stream ${name} and account ${slow.accountId} is not in ACTIVE status.`);
      } finally {
        await slow.stop();
      }
    });
  });

  describe("starting positions", () => {
    let streamName: string;
    const sequenceNumbers: string[] = [];
    let secondBatchMs: number;
    before(async () => {
      streamName = await createStream(timed, 1);
      for (const data of ["a", "b"]) sequenceNumbers.push((await put(timedClient, streamName, data)).SequenceNumber!);
      clock.advance(1000);
      secondBatchMs = clock.nowMs();
      for (const data of ["c", "d"]) sequenceNumbers.push((await put(timedClient, streamName, data)).SequenceNumber!);
    });

    const firstEvent = async (consumerName: string, position: StartingPosition) => {
      const subscription = await subscribe(timedClient, await registerConsumer(timed, streamName, consumerName), shard0, position);
      await subscription.until(() => subscription.events.length > 0, "an event");
      await subscription.close();
      return subscription.events[0]!;
    };

    it("TRIM_HORIZON sends every retained record, and continues from the last", async () => {
      const event = await firstEvent("trim-horizon", { Type: "TRIM_HORIZON" });
      assert.deepEqual(event.Records!.map((record) => text(record.Data)), ["a", "b", "c", "d"]);
      assert.deepEqual(event.Records!.map((record) => record.SequenceNumber), sequenceNumbers);
      assert.equal(event.ContinuationSequenceNumber, sequenceNumbers[3]);
      assert.equal(event.MillisBehindLatest, 0);
      assert.equal(event.ChildShards, undefined);
    });

    it("AT_SEQUENCE_NUMBER starts at the record, AFTER_SEQUENCE_NUMBER after it", async () => {
      const at = await firstEvent("at-sequence", { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: sequenceNumbers[1] });
      assert.deepEqual(at.Records!.map((record) => text(record.Data)), ["b", "c", "d"]);
      const afterIt = await firstEvent("after-sequence", { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: sequenceNumbers[1] });
      assert.deepEqual(afterIt.Records!.map((record) => text(record.Data)), ["c", "d"]);
    });

    it("AT_TIMESTAMP starts at the first record that arrived at or after the time", async () => {
      const event = await firstEvent("at-timestamp", { Type: "AT_TIMESTAMP", Timestamp: new Date(secondBatchMs) });
      assert.deepEqual(event.Records!.map((record) => text(record.Data)), ["c", "d"]);
    });

    it("LATEST sends only what is written after the call, and names the last record as the continuation", async () => {
      const subscription = await subscribe(timedClient, await registerConsumer(timed, streamName, "latest"), shard0, { Type: "LATEST" });
      const written = await put(timedClient, streamName, "e");
      await subscription.until(() => subscription.records().length > 0, "the record written");
      await subscription.close();
      assert.deepEqual(subscription.data(), ["e"]);
      // Nothing went out before the record: no empty event (the clock has not moved 5 seconds).
      assert.equal(subscription.events[0]!.Records!.length, 1);
      assert.equal(subscription.events[0]!.ContinuationSequenceNumber, written.SequenceNumber);
    });
  });

  describe("continuation", () => {
    it("names the shard's StartingSequenceNumber on an empty shard, and resuming AFTER it loses nothing", async () => {
      const streamName = await createStream(timed, 1);
      const consumerArn = await registerConsumer(timed, streamName, "resumer");
      const first = await subscribe(timedClient, consumerArn, shard0, { Type: "TRIM_HORIZON" });
      clock.advance(5000);
      tick();
      await first.until(() => first.events.length > 0, "a heartbeat");
      const heartbeat = first.events[0]!;
      const listed = await timedClient.send(new ListShardsCommand({ StreamName: streamName }));
      assert.deepEqual(heartbeat.Records, []);
      assert.equal(heartbeat.ContinuationSequenceNumber, listed.Shards![0]!.SequenceNumberRange!.StartingSequenceNumber);
      await first.close();
      // A resubscription 5 seconds on (the KCL's way: AFTER_SEQUENCE_NUMBER the continuation).
      clock.advance(1000);
      await put(timedClient, streamName, "first-record");
      const resumed = await subscribe(timedClient, consumerArn, shard0, { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: heartbeat.ContinuationSequenceNumber });
      await resumed.until(() => resumed.records().length > 0, "the first record");
      await resumed.close();
      assert.deepEqual(resumed.data(), ["first-record"]);
    });

    it("sends a heartbeat only after 5 seconds without an event", async () => {
      const streamName = await createStream(timed, 1);
      const subscription = await subscribe(timedClient, await registerConsumer(timed, streamName, "idle"), shard0, { Type: "LATEST" });
      clock.advance(4999);
      tick();
      const written = await put(timedClient, streamName, "x");
      await subscription.until(() => subscription.events.length > 0, "the record");
      // The record's event came first: no heartbeat went out at 4999 ms.
      assert.deepEqual(subscription.data(), ["x"]);
      clock.advance(5000);
      tick();
      await subscription.until(() => subscription.events.length > 1, "a heartbeat");
      await subscription.close();
      const heartbeat = subscription.events[1]!;
      assert.deepEqual(heartbeat.Records, []);
      assert.equal(heartbeat.ContinuationSequenceNumber, written.SequenceNumber);
      assert.equal(heartbeat.MillisBehindLatest, 0);
    });

    it("batches by size and reports how far behind the next record is", async () => {
      const streamName = await createStream(timed, 1);
      const big = Buffer.alloc(700 * 1024, 7);
      for (let index = 0; index < 3; index++) {
        await timedClient.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: `big-${index}`, Data: big }));
      }
      clock.advance(1500);
      const subscription = await subscribe(timedClient, await registerConsumer(timed, streamName, "behind"), shard0, { Type: "TRIM_HORIZON" });
      await subscription.until(() => subscription.records().length === 3, "three large records");
      await subscription.close();
      // One megabyte an event: one 700 KiB record each, the first two with the third still to come.
      assert.deepEqual(subscription.events.map((event) => event.Records!.length), [1, 1, 1]);
      assert.deepEqual(subscription.events.map((event) => event.MillisBehindLatest), [1500, 1500, 0]);
      assert.deepEqual(subscription.records().map((record) => record.PartitionKey), ["big-0", "big-1", "big-2"]);
    });
  });

  describe("the subscription's lifetime", () => {
    it("ends 5 minutes after the call, not before", async () => {
      const streamName = await createStream(timed, 1);
      const subscription = await subscribe(timedClient, await registerConsumer(timed, streamName, "five-minutes"), shard0, { Type: "LATEST" });
      clock.advance(5 * 60 * 1000 - 1);
      tick();
      await put(timedClient, streamName, "still-open");
      await subscription.until(() => subscription.data().includes("still-open"), "a record at 4:59.999");
      clock.advance(1);
      tick();
      assert.equal(await subscription.ended(), undefined);
      assert.equal(timed.app!.streams.context.subscriptions.activeCount(), 0);
    });

    it("refuses a second call within 5 seconds, then lets a later one take over", async () => {
      const streamName = await createStream(timed, 1);
      const consumerArn = await registerConsumer(timed, streamName, "taken-over");
      const message = `Another active subscription exists for this consumer: ${timed.accountId}:${streamName}:${shard0}:taken-over`;
      const first = await subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" });
      clock.advance(4999);
      await assert.rejects(subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" }), (error: unknown) => {
        assert.ok(error instanceof ResourceInUseException);
        assert.equal(error.message, message);
        return true;
      });
      await assertError(timed, action, { ConsumerARN: consumerArn, ShardId: shard0, StartingPosition: { Type: "LATEST" } }, "ResourceInUseException", message);
      clock.advance(1);
      const second = await subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" });
      const error = await first.ended();
      assert.ok(error instanceof ResourceInUseException, `the first subscription ended with ${String(error)}`);
      assert.equal(error.message, message);
      await put(timedClient, streamName, "to-the-second");
      await second.until(() => second.records().length > 0, "a record on the new subscription");
      await second.close();
      assert.deepEqual(second.data(), ["to-the-second"]);
    });

    it("keeps the 5-second rule after the client closed its subscription", async () => {
      const streamName = await createStream(timed, 1);
      const consumerArn = await registerConsumer(timed, streamName, "closed-early");
      const first = await subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" });
      await first.close();
      await assert.rejects(subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" }), ResourceInUseException);
      clock.advance(5000);
      const again = await subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" });
      await again.close();
    });

    it("ends with an exception message when the consumer is deregistered", async () => {
      const streamName = await createStream(timed, 1);
      const consumerArn = await registerConsumer(timed, streamName, "leaving");
      const subscription = await subscribe(timedClient, consumerArn, shard0, { Type: "LATEST" });
      await ok(timed, "DeregisterStreamConsumer", { ConsumerARN: consumerArn });
      // The next append wakes the subscription, which finds its consumer gone (deleteStreamMs is 0 here).
      await put(timedClient, streamName, "after-deregistration");
      const error = await subscription.ended();
      assert.ok(error instanceof ResourceNotFoundException, `ended with ${String(error)}`);
      assert.equal(error.message, `Consumer ${consumerArn} under account ${timed.accountId} not found.`);
      assert.deepEqual(subscription.records(), []);
    });

    it("ends with ResourceNotFoundException when the stream is deleted", async () => {
      const streamName = await createStream(timed, 1);
      const subscription = await subscribe(timedClient, await registerConsumer(timed, streamName, "orphan"), shard0, { Type: "LATEST" });
      await ok(timed, "DeleteStream", { StreamName: streamName, EnforceConsumerDeletion: true });
      clock.advance(5000);
      tick();
      const error = await subscription.ended();
      assert.ok(error instanceof ResourceNotFoundException, `ended with ${String(error)}`);
      assert.equal(error.message, `Shard ${shard0} in stream ${streamName} under account ${timed.accountId} does not exist`);
    });
  });

  describe("call rate", () => {
    it("allows one call a second per consumer and shard with AWS's limits", async () => {
      const limitedClock = new ManualClock(Date.UTC(2026, 0, 5));
      const limited = await startTestServer({ clock: limitedClock, limits: "aws" });
      const limitedClient = kinesisClient(limited);
      try {
        const streamName = await createStream(limited, 2);
        const consumerArn = await registerConsumer(limited, streamName, "hasty");
        const first = await subscribe(limitedClient, consumerArn, shard0, { Type: "LATEST" });
        // Throttled before the 5-second rule is looked at; another shard has its own bucket.
        await assertError(limited, action, { ConsumerARN: consumerArn, ShardId: shard0, StartingPosition: { Type: "LATEST" } }, "LimitExceededException",
          `Rate exceeded for stream ${streamName} under account ${limited.accountId}.`);
        const other = await subscribe(limitedClient, consumerArn, id(1), { Type: "LATEST" });
        limitedClock.advance(1000);
        await assert.rejects(subscribe(limitedClient, consumerArn, shard0, { Type: "LATEST" }), ResourceInUseException);
        await Promise.all([first.close(), other.close()]);
      } finally {
        limitedClient.destroy();
        await limited.stop();
      }
    });
  });

  describe("across a split", () => {
    it("delivers every record once, in order, and names the children at the parent's end", () => checkSplitDelivery(server, client));

    it("ends at once, with the children, on a closed shard subscribed at LATEST", async () => {
      const streamName = await createStream(server, 1);
      const consumerArn = await registerConsumer(server, streamName, "late");
      await ok(server, "SplitShard", { StreamName: streamName, ShardToSplit: shard0, NewStartingHashKey: (1n << 127n).toString() });
      await client.send(new ListShardsCommand({ StreamName: streamName }));
      const subscription = await subscribe(client, consumerArn, shard0, { Type: "LATEST" });
      assert.equal(await subscription.ended(), undefined);
      assert.equal(subscription.events.length, 1);
      assert.deepEqual(subscription.events[0]!.ChildShards!.map((child) => child.ShardId), [id(1), id(2)]);
    });
  });

  describe("many subscribers", () => {
    it("gives each of 5 consumers on each of 4 shards exactly that shard's records, in order", async () => {
      const shardCount = 4;
      const streamName = await createStream(server, shardCount);
      const subscriptions: { shardIndex: number; subscription: Subscription }[] = [];
      for (let consumer = 0; consumer < 5; consumer++) {
        const consumerArn = await registerConsumer(server, streamName, `fan-${consumer}`);
        for (let shardIndex = 0; shardIndex < shardCount; shardIndex++) {
          subscriptions.push({ shardIndex, subscription: await subscribe(client, consumerArn, id(shardIndex), { Type: "LATEST" }) });
        }
      }
      const expected: string[][] = Array.from({ length: shardCount }, () => []);
      for (let batch = 0; batch < 4; batch++) {
        const entries = Array.from({ length: 100 }, (_, index) => {
          const shardIndex = (batch * 100 + index) % shardCount;
          const data = `r-${batch}-${index}`;
          expected[shardIndex]!.push(data);
          return { PartitionKey: data, Data: Buffer.from(data), ExplicitHashKey: hashKeyIn(shardIndex, shardCount) };
        });
        const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
        assert.equal(out.FailedRecordCount, 0);
      }
      for (let shardIndex = 0; shardIndex < shardCount; shardIndex++) {
        await put(client, streamName, `end-${shardIndex}`, hashKeyIn(shardIndex, shardCount));
        expected[shardIndex]!.push(`end-${shardIndex}`);
      }
      for (const { shardIndex, subscription } of subscriptions) {
        await subscription.until(() => subscription.data().includes(`end-${shardIndex}`), `the end of shard ${shardIndex}`);
        assert.deepEqual(subscription.data(), expected[shardIndex]);
      }
      await Promise.all(subscriptions.map(({ subscription }) => subscription.close()));
    });

    it("lets writers and other subscribers go on while one subscriber stops reading", async () => {
      const streamName = await createStream(server, 1);
      const stalledClient = kinesisClient(server);
      try {
        const controller = new AbortController();
        const stalledOut = await stalledClient.send(
          new SubscribeToShardCommand({ ConsumerARN: await registerConsumer(server, streamName, "stalled"), ShardId: shard0, StartingPosition: { Type: "LATEST" } }),
          { abortSignal: controller.signal },
        );
        const reader = await subscribe(client, await registerConsumer(server, streamName, "reader"), shard0, { Type: "LATEST" });
        // 4 MiB: far more than HTTP/2's flow-control windows and the transport's buffers hold.
        const payload = Buffer.alloc(64 * 1024, 1);
        const expected: string[] = [];
        for (let batch = 0; batch < 8; batch++) {
          const entries = Array.from({ length: 8 }, (_, index) => {
            const key = `big-${batch}-${index}`;
            expected.push(key);
            return { PartitionKey: key, Data: payload };
          });
          assert.equal((await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }))).FailedRecordCount, 0);
        }
        await reader.until(() => reader.records().length === expected.length, "every record at the reading subscriber");
        assert.deepEqual(reader.records().map((record) => record.PartitionKey), expected);
        await reader.close();
        // The stalled subscriber, reading at last, has lost nothing.
        const stalled = new Subscription(stalledOut.EventStream!, controller);
        await stalled.until(() => stalled.records().length === expected.length, "every record at the stalled subscriber");
        assert.deepEqual(stalled.records().map((record) => record.PartitionKey), expected);
        await stalled.close();
      } finally {
        stalledClient.destroy();
      }
    });
  });

  describe("records", () => {
    it("opens an encrypted stream's records and says they were encrypted", async () => {
      const streamName = await createStream(server, 1);
      await ok(server, "StartStreamEncryption", { StreamName: streamName, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      const subscription = await subscribe(client, await registerConsumer(server, streamName, "decrypting"), shard0, { Type: "TRIM_HORIZON" });
      await put(client, streamName, "secret");
      await subscription.until(() => subscription.records().length > 0, "the record");
      await subscription.close();
      const [record] = subscription.records();
      assert.equal(text(record!.Data), "secret");
      assert.equal(record!.PartitionKey, "secret");
      assert.equal(record!.EncryptionType, "KMS");
    });

    it("streams CBOR events to a CBOR request (HTTP/1.1), initial-response first", async () => {
      const streamName = await createStream(server, 1);
      const consumerArn = await registerConsumer(server, streamName, "cbor");
      const written = await put(client, streamName, "in-cbor");
      const messages = await rawEvents(server, encodeCborRequest({ ConsumerARN: consumerArn, ShardId: shard0, StartingPosition: { Type: "TRIM_HORIZON" } }), 2);
      assert.deepEqual(messages.map((message) => [message.headers[":message-type"], message.headers[":event-type"], message.headers[":content-type"]]), [
        ["event", "initial-response", "application/cbor"],
        ["event", "SubscribeToShardEvent", "application/cbor"],
      ]);
      const event = decodeCborResponse(messages[1]!.payload) as any;
      assert.equal(event.ContinuationSequenceNumber, written.SequenceNumber);
      assert.equal(event.Records.length, 1);
      assert.equal(Buffer.from(event.Records[0].Data).toString(), "in-cbor");
      assert.equal(event.Records[0].SequenceNumber, written.SequenceNumber);
    });
  });

  it("ends with InternalFailureException when the shard cannot be read", async () => {
    const storage = readFailingStorage();
    const failing = await startTestServer({ storage: storage.engine });
    const failingClient = kinesisClient(failing);
    try {
      const streamName = await createStream(failing, 1);
      const subscription = await subscribe(failingClient, await registerConsumer(failing, streamName, "unlucky"), shard0, { Type: "LATEST" });
      storage.failing = true;
      await put(failingClient, streamName, "unreadable");
      const error = await subscription.ended();
      assert.ok(error instanceof InternalFailureException, `ended with ${String(error)}`);
      assert.deepEqual(subscription.records(), []);
    } finally {
      failingClient.destroy();
      await failing.stop();
    }
  });
});

/** The memory engine, whose shard reads fail (as an I/O error would) once `failing` is set. */
function readFailingStorage(): { engine: StorageEngine; failing: boolean } {
  const inner = createMemoryEngine(systemRandom);
  const state = { engine: undefined as unknown as StorageEngine, failing: false };
  const shard = (streamId: string, shardIndex: number): ShardLog => {
    const log = inner.logs.shard(streamId, shardIndex);
    return new Proxy(log, {
      get(target, property, receiver) {
        if (property !== "read") return Reflect.get(target, property, receiver);
        return (fromOffset: number, limits: ReadLimits) => (state.failing ? Promise.reject(new Error("EIO: read failed")) : target.read(fromOffset, limits));
      },
    });
  };
  state.engine = { name: "read-failing", catalog: inner.catalog, tables: inner.tables, objects: inner.objects, logs: { shard, dropStream: (streamId) => inner.logs.dropStream(streamId) }, close: () => inner.close() };
  return state;
}

/** A raw SubscribeToShard over HTTP/1.1: the first `count` event-stream messages, then the connection is dropped. */
function rawEvents(server: TestServer, body: Buffer, count: number): Promise<DecodedMessage[]> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/x-amz-cbor-1.1", "x-amz-target": `Kinesis_20131202.${action}`, "content-length": String(body.length) },
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        const decoder = new EventStreamDecoder();
        const messages: DecodedMessage[] = [];
        const timer = setTimeout(() => {
          req.destroy();
          reject(new Error(`only ${messages.length} messages within ${guardMs} ms`));
        }, guardMs);
        res.on("data", (chunk: Buffer) => {
          messages.push(...decoder.push(chunk));
          if (messages.length < count) return;
          clearTimeout(timer);
          req.destroy();
          resolve(messages.slice(0, count));
        });
      },
    );
    req.on("error", (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end(body);
  });
}
