import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DescribeStreamConsumerCommand, KinesisClient, LimitExceededException, RegisterStreamConsumerCommand, ResourceInUseException,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "RegisterStreamConsumer";
const streamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
const namePattern = "[a-zA-Z0-9_.-]+";

describe("RegisterStreamConsumer", () => {
  let server: TestServer;
  let client: KinesisClient;
  const stream = randomStreamName("shared");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { ConsumerName: "a" }));
    it("rejects a ConsumerName that is not a string", () => assertWrongTypes(server, action, "ConsumerName", "String", { StreamARN: arnOf(server, stream) }));
    it("rejects Tags that are not a map", () => assertWrongTypes(server, action, "Tags", "Map", { StreamARN: arnOf(server, stream), ConsumerName: "a" }));
    it("rejects a tag value that is not a string", () => assertWrongTypes(server, action, "Tags.a", "String", { StreamARN: arnOf(server, stream), ConsumerName: "a" }));
  });

  describe("validation", () => {
    it("requires StreamARN and ConsumerName", () =>
      assertValidation(server, action, {}, [
        "Value null at 'streamARN' failed to satisfy constraint: Member must not be null",
        "Value null at 'consumerName' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamARN: "", ConsumerName: "", Tags: {} }, [
        `Value '' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${streamArnPattern}`,
        "Value '' at 'streamARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'consumerName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a name over 128 characters or outside the pattern", async () => {
      const long = "a".repeat(129);
      await assertValidation(server, action, { StreamARN: arnOf(server, stream), ConsumerName: long }, [
        `Value '${long}' at 'consumerName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
      await assertValidation(server, action, { StreamARN: arnOf(server, stream), ConsumerName: "a/b" }, [
        `Value 'a/b' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
      ]);
    });

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamARN: arnOf(server, unknown), ConsumerName: "a" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("refuses a stream of another account", () => {
      const foreign = `arn:aws:kinesis:${server.region}:111122223333:stream/${stream}`;
      return assertError(server, action, { StreamARN: foreign, ConsumerName: "a" }, "AccessDeniedException",
        `User is not authorized to access stream ${foreign}: the stream belongs to another account or region.`);
    });

    it("refuses a name the stream already has, whatever the format", async () => {
      const name = randomStreamName("duplicate");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      await ok(server, action, { StreamARN: arnOf(server, name), ConsumerName: "reader" });
      await assertError(server, action, { StreamARN: arnOf(server, name), ConsumerName: "reader" }, "ResourceInUseException",
        `Consumer reader under stream ${name} and account ${server.accountId} already exists.`);
      await assert.rejects(client.send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(server, name), ConsumerName: "reader" })), ResourceInUseException);
    });

    it("refuses a 21st consumer on a stream", async () => {
      const name = randomStreamName("crowded");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      for (let i = 0; i < 20; i++) await ok(server, action, { StreamARN: arnOf(server, name), ConsumerName: `reader-${i}` });
      await assertError(server, action, { StreamARN: arnOf(server, name), ConsumerName: "reader-20" }, "LimitExceededException",
        `Stream ${name} under account ${server.accountId} already has 20 registered consumers, the most a stream can have.`);
      await assert.rejects(client.send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(server, name), ConsumerName: "reader-20" })), LimitExceededException);
      assert.equal((await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary.ConsumerCount, 20);
    });

    it("checks tags as CreateStream does", async () => {
      const base = { StreamARN: arnOf(server, stream), ConsumerName: "tagged" };
      await assertError(server, action, { ...base, Tags: { "a!": "b" } }, "InvalidArgumentException",
        "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.");
      await assertError(server, action, { ...base, Tags: { "aws:owner": "b" } }, "InvalidArgumentException",
        `Failed to add tags to stream ${stream} under account ${server.accountId} because some tags use the prefix 'aws:', which is reserved for AWS use.`);
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, "v"]));
      await assertError(server, action, { ...base, Tags: many }, "InvalidArgumentException",
        `Failed to add tags to stream ${stream} under account ${server.accountId} because a given stream cannot have more than 10 tags associated with it.`);
      // None of the refused registrations took the name.
      await ok(server, action, { ...base, Tags: { team: "data" } });
    });
  });

  describe("behaviour", () => {
    it("answers the consumer CREATING, with AWS's ARN, in JSON and CBOR", async () => {
      for (const format of formats) {
        const name = randomStreamName(format);
        await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
        const before = Date.now();
        const response = await call(server, format, action, { StreamARN: arnOf(server, name), ConsumerName: "reader" });
        assert.equal(response.statusCode, 200);
        const consumer = response.body.Consumer;
        const createdMs = format === "json" ? Math.round(consumer.ConsumerCreationTimestamp * 1000) : consumer.ConsumerCreationTimestamp.tag1;
        assert.ok(createdMs >= before - 1000 && createdMs <= Date.now(), `${format} timestamp ${createdMs}`);
        assert.deepEqual(consumer, {
          ConsumerName: "reader",
          ConsumerARN: `${arnOf(server, name)}/consumer/reader:${Math.floor(createdMs / 1000)}`,
          ConsumerStatus: "CREATING",
          ConsumerCreationTimestamp: consumer.ConsumerCreationTimestamp,
        });
      }
    });

    it("registers through the SDK; the same name may be used on another stream", async () => {
      const first = randomStreamName("sdk");
      const second = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: first, ShardCount: 1 });
      await ok(server, "CreateStream", { StreamName: second, ShardCount: 1 });
      const one = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(server, first), ConsumerName: "app" }))).Consumer!;
      const two = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(server, second), ConsumerName: "app" }))).Consumer!;
      assert.ok(one.ConsumerCreationTimestamp instanceof Date);
      assert.match(one.ConsumerARN!, new RegExp(`^${arnOf(server, first)}/consumer/app:\\d+$`));
      assert.match(two.ConsumerARN!, new RegExp(`^${arnOf(server, second)}/consumer/app:\\d+$`));
      const described = (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: one.ConsumerARN }))).ConsumerDescription!;
      assert.equal(described.ConsumerStatus, "ACTIVE");
      assert.equal(described.StreamARN, arnOf(server, first));
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 1 });
    });
    after(() => timed.stop());
    const register = (stream: string, name: string) => ok(timed, action, { StreamARN: arnOf(timed, stream), ConsumerName: name });
    const statusOf = async (arn: string) => (await ok(timed, "DescribeStreamConsumer", { ConsumerARN: arn })).ConsumerDescription.ConsumerStatus;

    it("refuses a stream that is still CREATING", () =>
      assertError(timed, action, { StreamARN: arnOf(timed, "young"), ConsumerName: "early" }, "ResourceInUseException",
        `Stream young under account ${timed.accountId} not ACTIVE, instead in state CREATING`));

    it("shows the consumer CREATING for config.createStreamMs, then ACTIVE", async () => {
      clock.advance(1000);
      const consumer = (await register("young", "reader")).Consumer;
      assert.equal(consumer.ConsumerARN, `${arnOf(timed, "young")}/consumer/reader:${Math.floor(clock.nowMs() / 1000)}`);
      assert.equal(await statusOf(consumer.ConsumerARN), "CREATING");
      clock.advance(999);
      assert.equal(await statusOf(consumer.ConsumerARN), "CREATING");
      clock.advance(1);
      assert.equal(await statusOf(consumer.ConsumerARN), "ACTIVE");
    });

    it("lets the account have at most five consumers CREATING at once", async () => {
      await ok(timed, "CreateStream", { StreamName: "busy", ShardCount: 1 });
      await ok(timed, "CreateStream", { StreamName: "other", ShardCount: 1 });
      clock.advance(1000);
      for (let i = 0; i < 3; i++) await register("busy", `busy-${i}`);
      for (let i = 0; i < 2; i++) await register("other", `other-${i}`);
      await assertError(timed, action, { StreamARN: arnOf(timed, "busy"), ConsumerName: "sixth" }, "LimitExceededException",
        `Account ${timed.accountId} already has 5 consumers in CREATING status: only 5 consumers can be created at the same time.`);
      clock.advance(1000);
      await register("busy", "sixth");
    });
  });

  describe("durability", () => {
    it("keeps consumers, their status clock and tags across a restart of the embedded engine", async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const restartable = await restartableServer({ clock, streams: { createStreamMs: 1000 } });
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        clock.advance(1000);
        const registered = (await ok(first, action, { StreamARN: arnOf(first, "durable"), ConsumerName: "reader", Tags: { team: "data" } })).Consumer;
        const again = await restartable.restart();
        const describe = async () => (await ok(again, "DescribeStreamConsumer", { ConsumerARN: registered.ConsumerARN })).ConsumerDescription;
        assert.equal((await describe()).ConsumerStatus, "CREATING");
        clock.advance(1000);
        const described = await describe();
        assert.equal(described.ConsumerStatus, "ACTIVE");
        assert.equal(described.ConsumerCreationTimestamp, registered.ConsumerCreationTimestamp);
        const stored = again.app!.streams.context.streams.get("durable")!.consumers!;
        assert.deepEqual(stored.map((consumer) => consumer.Tags), [{ team: "data" }]);
      } finally {
        await restartable.close();
      }
    });
  });
});
