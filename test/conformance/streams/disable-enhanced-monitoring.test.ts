import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamCommand, DisableEnhancedMonitoringCommand, KinesisClient, ValidationException, type MetricsName } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer, summaryOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DisableEnhancedMonitoring";
const allMetrics = [
  "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
  "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
];
const enumText = `[${[...allMetrics, "ALL"].join(", ")}]`;

describe("DisableEnhancedMonitoring", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("unmonitored");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  /** A stream with every metric enabled. */
  const monitoredStream = async (prefix: string) => {
    const stream = randomStreamName(prefix);
    await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
    await ok(server, "EnableEnhancedMonitoring", { StreamName: stream, ShardLevelMetrics: ["ALL"] });
    return stream;
  };

  describe("serialization", () => {
    it("rejects ShardLevelMetrics that is not a list", () => assertWrongTypes(server, action, "ShardLevelMetrics", "List", { StreamName: name }));
    it("rejects a metric that is not a string", () => assertWrongTypes(server, action, "ShardLevelMetrics.0", "String", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { ShardLevelMetrics: ["ALL"] }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { ShardLevelMetrics: ["ALL"] }));
  });

  describe("validation", () => {
    it("requires ShardLevelMetrics", () =>
      assertValidation(server, action, { StreamName: name }, ["Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null"]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "a".repeat(129), ShardLevelMetrics: [], StreamARN: "x" }, [
        `Value '${"a".repeat(129)}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
        "Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value 'x' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
      ]));

    it("takes only known metric names, reporting them on the list", () =>
      assertValidation(server, action, { StreamName: name, ShardLevelMetrics: ["All"] }, [
        `Value '[All]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${enumText}]`,
      ]));

    it("reports an unknown metric name with the other broken constraints, in one ValidationException", () =>
      assertValidation(server, action, { StreamName: "a".repeat(129), ShardLevelMetrics: ["ALL", "all", "IncomingBytes"], StreamARN: "x" }, [
        `Value '${"a".repeat(129)}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '[ALL, all, IncomingBytes]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${enumText}]`,
        "Value 'x' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
      ]));

    it("refuses an unknown metric name through the SDK", async () => {
      const error = await client
        .send(new DisableEnhancedMonitoringCommand({ StreamName: "", ShardLevelMetrics: ["Bogus" as MetricsName] }))
        .then(() => undefined, (caught: unknown) => caught);
      assert.ok(error instanceof ValidationException, String(error));
      assert.equal(
        error.message,
        "3 validation errors detected: " +
          "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
          "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
          `Value '[Bogus]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${enumText}]`,
      );
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { ShardLevelMetrics: ["ALL"] }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, ShardLevelMetrics: ["ALL"] }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("removes metrics and answers those before and after, in JSON and CBOR", async () => {
      const stream = await monitoredStream("removed");
      const json = await call(server, "json", action, { StreamName: stream, ShardLevelMetrics: ["IncomingBytes", "IteratorAgeMilliseconds"] });
      assert.equal(json.statusCode, 200);
      const remaining = allMetrics.filter((metric) => metric !== "IncomingBytes" && metric !== "IteratorAgeMilliseconds");
      assert.deepEqual(json.body, { StreamName: stream, CurrentShardLevelMetrics: allMetrics, DesiredShardLevelMetrics: remaining, StreamARN: arnOf(server, stream) });
      const cbor = await call(server, "cbor", action, { StreamARN: arnOf(server, stream), ShardLevelMetrics: ["OutgoingBytes"] });
      const left = remaining.filter((metric) => metric !== "OutgoingBytes");
      assert.deepEqual(cbor.body, { StreamName: stream, CurrentShardLevelMetrics: remaining, DesiredShardLevelMetrics: left, StreamARN: arnOf(server, stream) });
      assert.deepEqual((await summaryOf(server, stream)).EnhancedMonitoring, [{ ShardLevelMetrics: left }]);
    });

    it("disables every metric for ALL, and ignores metrics not enabled", async () => {
      const stream = randomStreamName("partial");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await ok(server, "EnableEnhancedMonitoring", { StreamName: stream, ShardLevelMetrics: ["IncomingRecords", "OutgoingRecords"] });
      const ignored = await ok(server, action, { StreamName: stream, ShardLevelMetrics: ["IncomingBytes"] });
      assert.deepEqual(ignored.DesiredShardLevelMetrics, ["IncomingRecords", "OutgoingRecords"]);
      const out = await ok(server, action, { StreamName: stream, ShardLevelMetrics: ["ALL"] });
      assert.deepEqual(out.CurrentShardLevelMetrics, ["IncomingRecords", "OutgoingRecords"]);
      assert.deepEqual(out.DesiredShardLevelMetrics, []);
      assert.deepEqual((await summaryOf(server, stream)).EnhancedMonitoring, [{ ShardLevelMetrics: [] }]);
    });

    it("disables through the SDK", async () => {
      const stream = await monitoredStream("sdk");
      const out = await client.send(new DisableEnhancedMonitoringCommand({ StreamName: stream, ShardLevelMetrics: ["ALL"] }));
      assert.deepEqual(out.CurrentShardLevelMetrics, allMetrics);
      assert.deepEqual(out.DesiredShardLevelMetrics, []);
      const described = await client.send(new DescribeStreamCommand({ StreamName: stream }));
      assert.deepEqual(described.StreamDescription!.EnhancedMonitoring, [{ ShardLevelMetrics: [] }]);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { updateStreamMs: 1000, createStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("takes only an ACTIVE stream, and leaves it UPDATING while the change applies", async () => {
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 1 });
      await assertError(timed, action, { StreamName: "young", ShardLevelMetrics: ["ALL"] }, "ResourceInUseException",
        `Stream young under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, "EnableEnhancedMonitoring", { StreamName: "young", ShardLevelMetrics: ["ALL"] });
      clock.advance(1000);
      await ok(timed, action, { StreamName: "young", ShardLevelMetrics: ["IncomingBytes"] });
      assert.equal((await summaryOf(timed, "young")).StreamStatus, "UPDATING");
      clock.advance(1000);
      assert.equal((await summaryOf(timed, "young")).StreamStatus, "ACTIVE");
    });
  });

  describe("durability", () => {
    it("keeps the remaining metrics across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        await ok(first, "EnableEnhancedMonitoring", { StreamName: "durable", ShardLevelMetrics: ["ALL"] });
        await ok(first, action, { StreamName: "durable", ShardLevelMetrics: ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords"] });
        const again = await restartable.restart();
        assert.deepEqual((await summaryOf(again, "durable")).EnhancedMonitoring, [
          { ShardLevelMetrics: ["WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"] },
        ]);
      } finally {
        await restartable.close();
      }
    });
  });
});
