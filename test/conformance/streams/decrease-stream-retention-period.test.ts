import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DecreaseStreamRetentionPeriodCommand, DescribeStreamSummaryCommand, InvalidArgumentException, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DecreaseStreamRetentionPeriod";

describe("DecreaseStreamRetentionPeriod", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("retained");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const retention = async (streamName: string) =>
    (await ok(server, "DescribeStreamSummary", { StreamName: streamName })).StreamDescriptionSummary.RetentionPeriodHours;

  describe("serialization", () => {
    it("rejects a RetentionPeriodHours that is not an integer", () => assertWrongTypes(server, action, "RetentionPeriodHours", "Integer", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { RetentionPeriodHours: 24 }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { RetentionPeriodHours: 24 }));
  });

  describe("validation", () => {
    it("requires RetentionPeriodHours", () =>
      assertValidation(server, action, { StreamName: name }, [
        "Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", RetentionPeriodHours: 0 }, [
        "Value '0' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("refuses fewer than 24 hours and more than 8760", async () => {
      await assertError(server, action, { StreamName: name, RetentionPeriodHours: 1 }, "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (1 hours) is too short.");
      await assertError(server, action, { StreamName: name, RetentionPeriodHours: 10000 }, "InvalidArgumentException",
        "Maximum allowed retention period is 8760 hours. Requested retention period (10000 hours) is too long.");
    });

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, RetentionPeriodHours: 24 }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("lowers the retention period and refuses a longer one", async () => {
      await ok(server, "IncreaseStreamRetentionPeriod", { StreamName: name, RetentionPeriodHours: 72 });
      await assertError(server, action, { StreamName: name, RetentionPeriodHours: 73 }, "InvalidArgumentException",
        `Requested retention period (73 hours) for stream ${name} can not be longer than existing retention period (72 hours). Use IncreaseRetentionPeriod API.`);
      await ok(server, action, { StreamName: name, RetentionPeriodHours: 48 }, "cbor");
      assert.equal(await retention(name), 48);
      await ok(server, action, { StreamName: name, RetentionPeriodHours: 48 });
      await ok(server, action, { StreamName: name, RetentionPeriodHours: 24 });
      assert.equal(await retention(name), 24);
    });

    it("lowers through the SDK, and the SDK sees InvalidArgumentException", async () => {
      const other = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: other, ShardCount: 1 });
      await ok(server, "IncreaseStreamRetentionPeriod", { StreamName: other, RetentionPeriodHours: 100 });
      await client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: other, RetentionPeriodHours: 30 }));
      assert.equal((await client.send(new DescribeStreamSummaryCommand({ StreamName: other }))).StreamDescriptionSummary!.RetentionPeriodHours, 30);
      await assert.rejects(client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: other, RetentionPeriodHours: 31 })), InvalidArgumentException);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { deleteStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("answers ResourceInUseException while the stream is DELETING", async () => {
      await ok(timed, "CreateStream", { StreamName: "going", ShardCount: 1 });
      await ok(timed, "DeleteStream", { StreamName: "going" });
      await assertError(timed, action, { StreamName: "going", RetentionPeriodHours: 24 }, "ResourceInUseException",
        `Stream going under account ${timed.accountId} not ACTIVE, instead in state DELETING`);
    });
  });
});
