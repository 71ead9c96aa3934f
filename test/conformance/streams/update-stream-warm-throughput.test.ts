import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamSummaryCommand, InvalidArgumentException, KinesisClient, UpdateStreamWarmThroughputCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer, setCommitment, summaryOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "UpdateStreamWarmThroughput";
const dayMs = 24 * 3600 * 1000;

describe("UpdateStreamWarmThroughput", () => {
  // An account with the billing commitment in force (it stays so for at least 24 hours).
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("warm");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name });
    await setCommitment(server, "ENABLED");
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a WarmThroughputMiBps that is not an integer", () => assertWrongTypes(server, action, "WarmThroughputMiBps", "Integer", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { WarmThroughputMiBps: 1 }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { WarmThroughputMiBps: 1 }));
  });

  describe("validation", () => {
    it("requires WarmThroughputMiBps", () =>
      assertValidation(server, action, { StreamName: name }, ["Value null at 'warmThroughputMiBps' failed to satisfy constraint: Member must not be null"]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", StreamARN: "", WarmThroughputMiBps: -1 }, [
        "Value '' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
        "Value '' at 'streamARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '-1' at 'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0",
      ]));

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { WarmThroughputMiBps: 1 }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, WarmThroughputMiBps: 1 }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("takes only ON_DEMAND streams", async () => {
      const provisioned = randomStreamName("provisioned");
      await ok(server, "CreateStream", { StreamName: provisioned, ShardCount: 1 });
      await assertError(server, action, { StreamName: provisioned, WarmThroughputMiBps: 1 }, "InvalidArgumentException",
        `Stream ${provisioned} under account ${server.accountId} is not in ON_DEMAND capacity mode. Warm throughput is only supported for ON_DEMAND streams.`);
      assert.equal((await summaryOf(server, provisioned)).WarmThroughput, undefined);
    });

    it("refuses more than 10 GiBps", () =>
      assertError(server, action, { StreamName: name, WarmThroughputMiBps: 10241 }, "LimitExceededException",
        "Requested warm throughput (10241 MiBps) exceeds the maximum warm throughput of 10240 MiBps for an on-demand stream."));

    it("needs the account's billing commitment", async () => {
      const uncommitted = await startTestServer();
      const uncommittedClient = kinesisClient(uncommitted);
      try {
        await ok(uncommitted, "CreateStream", { StreamName: "on-demand" });
        await assertError(uncommitted, action, { StreamName: "on-demand", WarmThroughputMiBps: 1 }, "InvalidArgumentException",
          `Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account ${uncommitted.accountId}.`);
        await assert.rejects(uncommittedClient.send(new UpdateStreamWarmThroughputCommand({ StreamName: "on-demand", WarmThroughputMiBps: 1 })), InvalidArgumentException);
        assert.equal((await summaryOf(uncommitted, "on-demand")).WarmThroughput, undefined);
      } finally {
        uncommittedClient.destroy();
        await uncommitted.stop();
      }
    });
  });

  describe("behaviour", () => {
    it("sets the warm throughput and answers it, in JSON and CBOR", async () => {
      for (const [index, format] of formats.entries()) {
        const miBps = 100 * (index + 1);
        const response = await call(server, format, action, { StreamARN: arnOf(server, name), WarmThroughputMiBps: miBps });
        assert.equal(response.statusCode, 200);
        assert.deepEqual(response.body, { StreamARN: arnOf(server, name), StreamName: name, WarmThroughput: { TargetMiBps: miBps, CurrentMiBps: miBps } });
        assert.deepEqual((await summaryOf(server, name)).WarmThroughput, { TargetMiBps: miBps, CurrentMiBps: miBps });
      }
      // Zero (and the same or a lower value) releases capacity.
      await ok(server, action, { StreamName: name, WarmThroughputMiBps: 0 });
      assert.deepEqual((await summaryOf(server, name)).WarmThroughput, { TargetMiBps: 0, CurrentMiBps: 0 });
    });

    it("sets the warm throughput through the SDK", async () => {
      const StreamARN = arnOf(server, name);
      const out = await client.send(new UpdateStreamWarmThroughputCommand({ StreamARN, WarmThroughputMiBps: 10240 }));
      assert.equal(out.StreamName, name);
      assert.equal(out.StreamARN, StreamARN);
      assert.deepEqual(out.WarmThroughput, { TargetMiBps: 10240, CurrentMiBps: 10240 });
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamARN }))).StreamDescriptionSummary!;
      assert.deepEqual(summary.WarmThroughput, { TargetMiBps: 10240, CurrentMiBps: 10240 });
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { updateStreamMs: 1000 } });
      await ok(timed, "CreateStream", { StreamName: "scaling" });
      await setCommitment(timed, "ENABLED");
    });
    after(() => timed.stop());

    it("is UPDATING while the stream scales from its current throughput to the target", async () => {
      const first = await ok(timed, action, { StreamName: "scaling", WarmThroughputMiBps: 200 });
      assert.deepEqual(first.WarmThroughput, { TargetMiBps: 200, CurrentMiBps: 0 });
      let summary = await summaryOf(timed, "scaling");
      assert.equal(summary.StreamStatus, "UPDATING");
      assert.deepEqual(summary.WarmThroughput, { TargetMiBps: 200, CurrentMiBps: 0 });
      await assertError(timed, action, { StreamName: "scaling", WarmThroughputMiBps: 300 }, "ResourceInUseException",
        `Stream scaling under account ${timed.accountId} not ACTIVE, instead in state UPDATING`);
      clock.advance(1000);
      summary = await summaryOf(timed, "scaling");
      assert.equal(summary.StreamStatus, "ACTIVE");
      assert.deepEqual(summary.WarmThroughput, { TargetMiBps: 200, CurrentMiBps: 200 });
      const lower = await ok(timed, action, { StreamName: "scaling", WarmThroughputMiBps: 50 });
      assert.deepEqual(lower.WarmThroughput, { TargetMiBps: 50, CurrentMiBps: 200 });
      clock.advance(1000);
      assert.deepEqual((await summaryOf(timed, "scaling")).WarmThroughput, { TargetMiBps: 50, CurrentMiBps: 50 });
    });

    it("is no longer shown once the account's commitment has ended", async () => {
      await setCommitment(timed, "DISABLED");
      // Still within the commitment's 24-hour term: the end is only scheduled.
      assert.deepEqual((await summaryOf(timed, "scaling")).WarmThroughput, { TargetMiBps: 50, CurrentMiBps: 50 });
      clock.advance(dayMs);
      assert.equal((await summaryOf(timed, "scaling")).WarmThroughput, undefined);
      await assertError(timed, action, { StreamName: "scaling", WarmThroughputMiBps: 1 }, "InvalidArgumentException",
        `Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account ${timed.accountId}.`);
    });
  });

  describe("durability", () => {
    it("keeps the warm throughput across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable" });
        await setCommitment(first, "ENABLED");
        await ok(first, action, { StreamName: "durable", WarmThroughputMiBps: 512 });
        const again = await restartable.restart();
        assert.deepEqual((await summaryOf(again, "durable")).WarmThroughput, { TargetMiBps: 512, CurrentMiBps: 512 });
      } finally {
        await restartable.close();
      }
    });
  });
});
