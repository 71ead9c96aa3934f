import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamConsumerCommand, KinesisClient, ResourceNotFoundException } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf } from "./stream-settings-helpers.js";
import { findConsumer } from "../../../src/streams/consumers/index.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DescribeStreamConsumer";
const consumerArnPattern = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";
const streamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";

describe("DescribeStreamConsumer", () => {
  let server: TestServer;
  let client: KinesisClient;
  const stream = randomStreamName("shared");
  let consumerArn: string;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
    consumerArn = (await ok(server, "RegisterStreamConsumer", { StreamARN: arnOf(server, stream), ConsumerName: "reader" })).Consumer.ConsumerARN;
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
    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamARN: "", ConsumerName: "", ConsumerARN: "" }, [
        `Value '' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${streamArnPattern}`,
        "Value '' at 'streamARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'consumerName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${consumerArnPattern}`,
        "Value '' at 'consumerARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a ConsumerARN that is a stream's ARN", () =>
      assertValidation(server, action, { ConsumerARN: arnOf(server, stream) }, [
        `Value '${arnOf(server, stream)}' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${consumerArnPattern}`,
      ]));

    it("needs a ConsumerARN, or a StreamARN and a ConsumerName", async () => {
      const message = "Either ConsumerARN or both StreamARN and ConsumerName must be provided.";
      await assertError(server, action, {}, "InvalidArgumentException", message);
      await assertError(server, action, { StreamARN: arnOf(server, stream) }, "InvalidArgumentException", message);
      await assertError(server, action, { ConsumerName: "reader" }, "InvalidArgumentException", message);
    });

    it("refuses members that name different resources", async () => {
      const other = arnOf(server, "other");
      await assertError(server, action, { ConsumerARN: consumerArn, StreamARN: other }, "InvalidArgumentException",
        `ConsumerARN ${consumerArn} and StreamARN ${other} refer to different streams.`);
      await assertError(server, action, { ConsumerARN: consumerArn, StreamARN: arnOf(server, stream), ConsumerName: "writer" }, "InvalidArgumentException",
        `ConsumerARN ${consumerArn} and ConsumerName writer refer to different consumers.`);
    });

    it("refuses a ConsumerARN the shape lets through that names no consumer's form", () => {
      const odd = `arn:aws:kinesis:${server.region}:${server.accountId}:deliverystream/${stream}/consumer/reader:1`;
      return assertError(server, action, { ConsumerARN: odd }, "InvalidArgumentException", `Invalid ConsumerARN: ${odd}`);
    });

    it("refuses a consumer of another account", () => {
      const foreign = `arn:aws:kinesis:${server.region}:111122223333:stream/${stream}/consumer/reader:1`;
      return assertError(server, action, { ConsumerARN: foreign }, "AccessDeniedException",
        `User is not authorized to access stream arn:aws:kinesis:${server.region}:111122223333:stream/${stream}: the stream belongs to another account or region.`);
    });

    it("answers ResourceNotFoundException for an unknown stream or consumer", async () => {
      const unknown = randomStreamName();
      const { accountId } = server;
      await assertError(server, action, { StreamARN: arnOf(server, unknown), ConsumerName: "reader" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${accountId} not found.`);
      await assertError(server, action, { ConsumerARN: `${arnOf(server, unknown)}/consumer/reader:1` }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${accountId} not found.`);
      await assertError(server, action, { StreamARN: arnOf(server, stream), ConsumerName: "writer" }, "ResourceNotFoundException",
        `Consumer writer under stream ${stream} and account ${accountId} not found.`);
      // The same name at another time is another consumer.
      const stale = consumerArn.replace(/:(\d+)$/, (_, seconds: string) => `:${Number(seconds) - 1}`);
      await assertError(server, action, { ConsumerARN: stale }, "ResourceNotFoundException", `Consumer ${stale} under account ${accountId} not found.`);
      await assert.rejects(client.send(new DescribeStreamConsumerCommand({ ConsumerARN: stale })), ResourceNotFoundException);
    });
  });

  describe("behaviour", () => {
    it("describes the consumer by ARN, by stream and name, or by all three, in JSON and CBOR", async () => {
      const references = [
        { ConsumerARN: consumerArn },
        { StreamARN: arnOf(server, stream), ConsumerName: "reader" },
        { StreamARN: arnOf(server, stream), ConsumerName: "reader", ConsumerARN: consumerArn },
      ];
      const seconds = Number(/:(\d+)$/.exec(consumerArn)![1]);
      for (const reference of references) {
        for (const format of formats) {
          const response = await call(server, format, action, reference);
          assert.equal(response.statusCode, 200);
          const description = response.body.ConsumerDescription;
          const createdMs = format === "json" ? Math.round(description.ConsumerCreationTimestamp * 1000) : description.ConsumerCreationTimestamp.tag1;
          assert.equal(Math.floor(createdMs / 1000), seconds);
          assert.deepEqual(description, {
            ConsumerName: "reader",
            ConsumerARN: consumerArn,
            ConsumerStatus: "ACTIVE",
            ConsumerCreationTimestamp: description.ConsumerCreationTimestamp,
            StreamARN: arnOf(server, stream),
          });
        }
      }
    });

    it("describes through the SDK", async () => {
      const description = (await client.send(new DescribeStreamConsumerCommand({ StreamARN: arnOf(server, stream), ConsumerName: "reader" }))).ConsumerDescription!;
      assert.equal(description.ConsumerARN, consumerArn);
      assert.equal(description.ConsumerStatus, "ACTIVE");
      assert.ok(description.ConsumerCreationTimestamp instanceof Date);
      assert.equal(Math.floor(description.ConsumerCreationTimestamp.getTime() / 1000), Number(/:(\d+)$/.exec(consumerArn)![1]));
    });
  });

  describe("findConsumer", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000, deleteStreamMs: 2000 } });
      await ok(timed, "CreateStream", { StreamName: "found", ShardCount: 1 });
      clock.advance(1000);
    });
    after(() => timed.stop());

    it("follows the consumer from CREATING through ACTIVE and DELETING to gone, as DescribeStreamConsumer does", async () => {
      const context = timed.app!.streams.context;
      const arn = (await ok(timed, "RegisterStreamConsumer", { StreamARN: arnOf(timed, "found"), ConsumerName: "pump" })).Consumer.ConsumerARN;
      const statusNow = () => findConsumer(context, arn)?.consumer.ConsumerStatus;
      const described = async () => (await ok(timed, action, { ConsumerARN: arn })).ConsumerDescription.ConsumerStatus;
      assert.equal(statusNow(), "CREATING");
      assert.equal(findConsumer(context, arn)?.meta.StreamName, "found");
      clock.advance(1000);
      assert.equal(statusNow(), "ACTIVE");
      assert.equal(await described(), "ACTIVE");
      await ok(timed, "DeregisterStreamConsumer", { ConsumerARN: arn });
      assert.equal(statusNow(), "DELETING");
      assert.equal(await described(), "DELETING");
      clock.advance(2000);
      assert.equal(findConsumer(context, arn), undefined);
      await assertError(timed, action, { ConsumerARN: arn }, "ResourceNotFoundException", `Consumer ${arn} under account ${timed.accountId} not found.`);
    });

    it("finds nothing for text that is not a consumer ARN, or a consumer of an unknown stream", () => {
      const context = timed.app!.streams.context;
      assert.equal(findConsumer(context, arnOf(timed, "found")), undefined);
      assert.equal(findConsumer(context, `${arnOf(timed, "missing")}/consumer/pump:1`), undefined);
    });
  });
});
