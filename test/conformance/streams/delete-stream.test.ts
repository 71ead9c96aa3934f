import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ResourceInUseException, ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DeleteStream";
const arnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";

describe("DeleteStream", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const arnOf = (name: string) => `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;

  describe("serialization", () => {
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
    it("rejects an EnforceConsumerDeletion that is not a boolean", () => assertWrongTypes(server, action, "EnforceConsumerDeletion", "Boolean"));
  });

  describe("validation", () => {
    it("rejects an empty name and an empty ARN", () =>
      assertValidation(server, action, { StreamName: "", StreamARN: "" }, [
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${arnPattern}`,
        "Value '' at 'streamARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a name longer than 128 characters", () => {
      const name = "a".repeat(129);
      return assertValidation(server, action, { StreamName: name }, [
        `Value '${name}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, {}, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("refuses a StreamARN and StreamName that name different streams", () =>
      assertError(server, action, { StreamName: "one", StreamARN: arnOf("other") }, "InvalidArgumentException",
        `StreamARN ${arnOf("other")} and StreamName one refer to different streams.`));

    it("answers ResourceNotFoundException for an unknown stream, by name or by ARN", async () => {
      const name = randomStreamName();
      await assertError(server, action, { StreamName: name }, "ResourceNotFoundException", `Stream ${name} under account ${server.accountId} not found.`);
      await assertError(server, action, { StreamARN: arnOf(name) }, "ResourceNotFoundException", `Stream ${name} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("deletes by ARN through the SDK; the SDK then sees ResourceNotFoundException", async () => {
      const name = randomStreamName("sdk");
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await client.send(new DeleteStreamCommand({ StreamARN: arnOf(name), EnforceConsumerDeletion: true }));
      await assert.rejects(client.send(new DescribeStreamSummaryCommand({ StreamName: name })), (error: unknown) => {
        assert.ok(error instanceof ResourceNotFoundException);
        assert.equal(error.message, `Stream ${name} under account ${server.accountId} not found.`);
        return true;
      });
    });

    it("refuses a stream with registered consumers unless EnforceConsumerDeletion is true", async () => {
      const name = randomStreamName("consumed");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      const consumerArn = (await ok(server, "RegisterStreamConsumer", { StreamARN: arnOf(name), ConsumerName: "reader" })).Consumer.ConsumerARN;
      const message =
        `DeleteStream can't delete ${arnOf(name)} because there are consumers associated with this data stream. ` +
        `To delete ${name} anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the consumers that are associated with it.`;
      await assertError(server, action, { StreamName: name }, "ResourceInUseException", message);
      await assertError(server, action, { StreamARN: arnOf(name), EnforceConsumerDeletion: false }, "ResourceInUseException", message);
      await assert.rejects(client.send(new DeleteStreamCommand({ StreamName: name })), (error: unknown) => {
        assert.ok(error instanceof ResourceInUseException);
        assert.equal(error.message, message);
        return true;
      });
      assert.equal((await ok(server, "DescribeStreamConsumer", { ConsumerARN: consumerArn })).ConsumerDescription.ConsumerStatus, "ACTIVE");
      await client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      // The consumers went with the stream: the new stream of the name has none.
      assert.deepEqual((await ok(server, "ListStreamConsumers", { StreamARN: arnOf(name) })).Consumers, []);
      await assertError(server, "DescribeStreamConsumer", { ConsumerARN: consumerArn }, "ResourceNotFoundException",
        `Consumer ${consumerArn} under account ${server.accountId} not found.`);
      await ok(server, action, { StreamName: name });
    });

    it("frees the name for a new stream", async () => {
      const name = randomStreamName();
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      await ok(server, action, { StreamName: name });
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 2 });
      assert.equal((await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary.OpenShardCount, 2);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000, deleteStreamMs: 2000 } });
    });
    after(() => timed.stop());
    const describeStream = (name: string) => ok(timed, "DescribeStream", { StreamName: name });

    it("shows an ACTIVE stream DELETING, shards and all, for config.deleteStreamMs, then not at all", async () => {
      await ok(timed, "CreateStream", { StreamName: "active", ShardCount: 2 });
      clock.advance(1000);
      await ok(timed, action, { StreamName: "active" });
      const description = (await describeStream("active")).StreamDescription;
      assert.equal(description.StreamStatus, "DELETING");
      assert.equal(description.Shards.length, 2);
      clock.advance(1999);
      assert.deepEqual((await ok(timed, "ListStreams", {})).StreamNames, ["active"]);
      // Deleting again changes nothing, not even when the deletion falls due.
      await ok(timed, action, { StreamName: "active" });
      clock.advance(1);
      await assertError(timed, "DescribeStream", { StreamName: "active" }, "ResourceNotFoundException", `Stream active under account ${timed.accountId} not found.`);
      assert.deepEqual((await ok(timed, "ListStreams", {})).StreamNames, []);
    });

    it("shows consumers DELETING with their stream when EnforceConsumerDeletion is true; one already DELETING does not hold the stream", async () => {
      await ok(timed, "CreateStream", { StreamName: "fanned", ShardCount: 1 });
      clock.advance(1000);
      const register = async (name: string) =>
        (await ok(timed, "RegisterStreamConsumer", { StreamARN: `arn:aws:kinesis:${timed.region}:${timed.accountId}:stream/fanned`, ConsumerName: name })).Consumer.ConsumerARN;
      const statusOf = async (arn: string) => (await ok(timed, "DescribeStreamConsumer", { ConsumerARN: arn })).ConsumerDescription.ConsumerStatus;
      const creating = await register("creating");
      const leaving = await register("leaving");
      await ok(timed, "DeregisterStreamConsumer", { ConsumerARN: leaving });
      await ok(timed, "DeregisterStreamConsumer", { ConsumerARN: creating });
      // Only DELETING consumers are left: the stream goes without EnforceConsumerDeletion.
      await ok(timed, action, { StreamName: "fanned" });
      assert.equal(await statusOf(creating), "DELETING");
      clock.advance(2000);
      await assertError(timed, "DescribeStreamConsumer", { ConsumerARN: creating }, "ResourceNotFoundException", `Stream fanned under account ${timed.accountId} not found.`);

      await ok(timed, "CreateStream", { StreamName: "fanned", ShardCount: 1 });
      clock.advance(1000);
      const active = await register("active");
      clock.advance(1000);
      const young = await register("young");
      await ok(timed, action, { StreamName: "fanned", EnforceConsumerDeletion: true });
      assert.deepEqual([await statusOf(active), await statusOf(young)], ["DELETING", "DELETING"]);
      assert.equal((await ok(timed, "DescribeStreamSummary", { StreamName: "fanned" })).StreamDescriptionSummary.ConsumerCount, 2);
      clock.advance(2000);
      await assertError(timed, "DescribeStreamConsumer", { ConsumerARN: active }, "ResourceNotFoundException", `Stream fanned under account ${timed.accountId} not found.`);
    });

    it("deletes a CREATING stream, which is then described with no shards", async () => {
      await ok(timed, "CreateStream", { StreamName: "creating", ShardCount: 3 });
      assert.equal((await describeStream("creating")).StreamDescription.StreamStatus, "CREATING");
      await ok(timed, action, { StreamName: "creating" });
      const description = (await describeStream("creating")).StreamDescription;
      assert.equal(description.StreamStatus, "DELETING");
      assert.deepEqual(description.Shards, []);
      assert.equal(description.HasMoreShards, false);
      clock.advance(2000);
      await assertError(timed, "DescribeStream", { StreamName: "creating" }, "ResourceNotFoundException", `Stream creating under account ${timed.accountId} not found.`);
    });
  });
});
