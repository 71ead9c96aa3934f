import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamSummaryCommand, IncreaseStreamRetentionPeriodCommand, InvalidArgumentException, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "IncreaseStreamRetentionPeriod";

describe("IncreaseStreamRetentionPeriod", () => {
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
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { RetentionPeriodHours: 48 }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { RetentionPeriodHours: 48 }));
  });

  describe("validation", () => {
    it("requires RetentionPeriodHours", () =>
      assertValidation(server, action, { StreamName: name }, [
        "Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", RetentionPeriodHours: -1 }, [
        "Value '-1' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { RetentionPeriodHours: 48 }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("refuses fewer than 24 hours and more than 8760", async () => {
      await assertError(server, action, { StreamName: name, RetentionPeriodHours: 23 }, "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.");
      await assertError(server, action, { StreamName: name, RetentionPeriodHours: 8761 }, "InvalidArgumentException",
        "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.");
    });

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, RetentionPeriodHours: 48 }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("raises the retention period, accepts the same period again, and refuses a shorter one", async () => {
      await ok(server, action, { StreamName: name, RetentionPeriodHours: 48 });
      assert.equal(await retention(name), 48);
      await ok(server, action, { StreamName: name, RetentionPeriodHours: 48 }, "cbor");
      assert.equal(await retention(name), 48);
      await assertError(server, action, { StreamName: name, RetentionPeriodHours: 24 }, "InvalidArgumentException",
        `Requested retention period (24 hours) for stream ${name} can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.`);
      await ok(server, action, { StreamName: name, RetentionPeriodHours: 8760 });
      assert.equal(await retention(name), 8760);
    });

    it("raises through the SDK by StreamARN, and the SDK sees InvalidArgumentException", async () => {
      const other = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: other, ShardCount: 1 });
      const StreamARN = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${other}`;
      await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamARN, RetentionPeriodHours: 168 }));
      assert.equal((await client.send(new DescribeStreamSummaryCommand({ StreamARN }))).StreamDescriptionSummary!.RetentionPeriodHours, 168);
      await assert.rejects(client.send(new IncreaseStreamRetentionPeriodCommand({ StreamARN, RetentionPeriodHours: 100 })), InvalidArgumentException);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("answers ResourceInUseException unless the stream is ACTIVE", async () => {
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 1 });
      await assertError(timed, action, { StreamName: "young", RetentionPeriodHours: 48 }, "ResourceInUseException",
        `Stream young under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, action, { StreamName: "young", RetentionPeriodHours: 48 });
    });
  });
});
