import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DeregisterStreamConsumerCommand, DescribeStreamConsumerCommand, KinesisClient, RegisterStreamConsumerCommand, ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DeregisterStreamConsumer";
const consumerArnPattern = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";

describe("DeregisterStreamConsumer", () => {
  let server: TestServer;
  let client: KinesisClient;
  const stream = randomStreamName("shared");
  const register = async (server: TestServer, streamName: string, consumerName: string): Promise<string> =>
    (await ok(server, "RegisterStreamConsumer", { StreamARN: arnOf(server, streamName), ConsumerName: consumerName })).Consumer.ConsumerARN;
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
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
    it("rejects a ConsumerName that is not a string", () => assertWrongTypes(server, action, "ConsumerName", "String"));
    it("rejects a ConsumerARN that is not a string", () => assertWrongTypes(server, action, "ConsumerARN", "String"));
  });

  describe("validation", () => {
    it("rejects a malformed ConsumerARN and ConsumerName", () =>
      assertValidation(server, action, { ConsumerName: "a b", ConsumerARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s" }, [
        "Value 'a b' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        `Value 'arn:aws:kinesis:us-east-1:000000000000:stream/s' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${consumerArnPattern}`,
      ]));

    it("needs a ConsumerARN, or a StreamARN and a ConsumerName", () =>
      assertError(server, action, { ConsumerName: "reader" }, "InvalidArgumentException",
        "Either ConsumerARN or both StreamARN and ConsumerName must be provided."));

    it("refuses members that name different resources", async () => {
      const arn = await register(server, stream, "conflicted");
      await assertError(server, action, { ConsumerARN: arn, ConsumerName: "other" }, "InvalidArgumentException",
        `ConsumerARN ${arn} and ConsumerName other refer to different consumers.`);
      assert.equal((await ok(server, "DescribeStreamConsumer", { ConsumerARN: arn })).ConsumerDescription.ConsumerStatus, "ACTIVE");
    });

    it("answers ResourceNotFoundException for an unknown stream or consumer", async () => {
      const unknown = randomStreamName();
      const { accountId } = server;
      await assertError(server, action, { StreamARN: arnOf(server, unknown), ConsumerName: "reader" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${accountId} not found.`);
      await assertError(server, action, { StreamARN: arnOf(server, stream), ConsumerName: "nobody" }, "ResourceNotFoundException",
        `Consumer nobody under stream ${stream} and account ${accountId} not found.`);
      const missing = `${arnOf(server, stream)}/consumer/nobody:1700000000`;
      await assertError(server, action, { ConsumerARN: missing }, "ResourceNotFoundException", `Consumer ${missing} under account ${accountId} not found.`);
      await assert.rejects(client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: missing })), ResourceNotFoundException);
    });
  });

  describe("behaviour", () => {
    it("deregisters by ARN or by stream and name, in JSON and CBOR, freeing the name", async () => {
      for (const format of formats) {
        const name = randomStreamName(format);
        await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
        const byArn = await register(server, name, "by-arn");
        await register(server, name, "by-name");
        for (const reference of [{ ConsumerARN: byArn }, { StreamARN: arnOf(server, name), ConsumerName: "by-name" }]) {
          const response = await call(server, format, action, reference);
          assert.equal(response.statusCode, 200);
          assert.equal(response.body, undefined);
        }
        assert.deepEqual((await ok(server, "ListStreamConsumers", { StreamARN: arnOf(server, name) })).Consumers, []);
        assert.equal((await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary.ConsumerCount, 0);
        await register(server, name, "by-arn");
      }
    });

    it("deregisters through the SDK", async () => {
      const name = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      const consumer = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(server, name), ConsumerName: "app" }))).Consumer!;
      await client.send(new DeregisterStreamConsumerCommand({ StreamARN: arnOf(server, name), ConsumerName: "app", ConsumerARN: consumer.ConsumerARN }));
      await assert.rejects(client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN })), (error: unknown) => {
        assert.ok(error instanceof ResourceNotFoundException);
        assert.equal(error.message, `Consumer ${consumer.ConsumerARN} under account ${server.accountId} not found.`);
        return true;
      });
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000, deleteStreamMs: 2000 } });
      await ok(timed, "CreateStream", { StreamName: "timed", ShardCount: 1 });
      clock.advance(1000);
    });
    after(() => timed.stop());
    const statusOf = async (arn: string) => (await ok(timed, "DescribeStreamConsumer", { ConsumerARN: arn })).ConsumerDescription.ConsumerStatus;

    it("shows the consumer DELETING for config.deleteStreamMs, holding its name, then not at all", async () => {
      const arn = await register(timed, "timed", "leaving");
      clock.advance(1000);
      await ok(timed, action, { ConsumerARN: arn });
      assert.equal(await statusOf(arn), "DELETING");
      await assertError(timed, "RegisterStreamConsumer", { StreamARN: arnOf(timed, "timed"), ConsumerName: "leaving" }, "ResourceInUseException",
        `Consumer leaving under stream timed and account ${timed.accountId} already exists.`);
      clock.advance(1999);
      // Deregistering again changes nothing, not even when the deregistration falls due.
      await ok(timed, action, { StreamARN: arnOf(timed, "timed"), ConsumerName: "leaving" });
      assert.equal(await statusOf(arn), "DELETING");
      clock.advance(1);
      await assertError(timed, "DescribeStreamConsumer", { ConsumerARN: arn }, "ResourceNotFoundException",
        `Consumer ${arn} under account ${timed.accountId} not found.`);
      await assertError(timed, action, { ConsumerARN: arn }, "ResourceNotFoundException", `Consumer ${arn} under account ${timed.accountId} not found.`);
      clock.advance(1000);
      const again = await register(timed, "timed", "leaving");
      assert.notEqual(again, arn);
    });

    it("deregisters a consumer that is still CREATING", async () => {
      const arn = await register(timed, "timed", "hasty");
      assert.equal(await statusOf(arn), "CREATING");
      await ok(timed, action, { ConsumerARN: arn });
      assert.equal(await statusOf(arn), "DELETING");
      clock.advance(2000);
      await assertError(timed, "DescribeStreamConsumer", { ConsumerARN: arn }, "ResourceNotFoundException",
        `Consumer ${arn} under account ${timed.accountId} not found.`);
    });
  });

  describe("durability", () => {
    it("keeps a deregistration across a restart of the embedded engine", async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const restartable = await restartableServer({ clock, streams: { deleteStreamMs: 2000 } });
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        const staying = await register(first, "durable", "staying");
        const leaving = await register(first, "durable", "leaving");
        await ok(first, action, { ConsumerARN: leaving });
        const again = await restartable.restart();
        const statusAfter = async (arn: string) => (await ok(again, "DescribeStreamConsumer", { ConsumerARN: arn })).ConsumerDescription.ConsumerStatus;
        assert.equal(await statusAfter(leaving), "DELETING");
        assert.equal(await statusAfter(staying), "ACTIVE");
        clock.advance(2000);
        await assertError(again, "DescribeStreamConsumer", { ConsumerARN: leaving }, "ResourceNotFoundException",
          `Consumer ${leaving} under account ${again.accountId} not found.`);
        assert.equal(await statusAfter(staying), "ACTIVE");
      } finally {
        await restartable.close();
      }
    });
  });
});
