import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamSummaryCommand, EnableEnhancedMonitoringCommand, KinesisClient, ResourceInUseException } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer, summaryOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "EnableEnhancedMonitoring";
const allMetrics = [
  "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
  "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
];
const enumText = `[${[...allMetrics, "ALL"].join(", ")}]`;

describe("EnableEnhancedMonitoring", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("monitored");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const metricsOf = async (stream: string) => (await summaryOf(server, stream)).EnhancedMonitoring;

  describe("serialization", () => {
    it("rejects ShardLevelMetrics that is not a list", () => assertWrongTypes(server, action, "ShardLevelMetrics", "List", { StreamName: name }));
    it("rejects a metric that is not a string", () => assertWrongTypes(server, action, "ShardLevelMetrics.0", "String", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { ShardLevelMetrics: ["ALL"] }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { ShardLevelMetrics: ["ALL"] }));
  });

  describe("validation", () => {
    it("requires ShardLevelMetrics", () =>
      assertValidation(server, action, { StreamName: name }, ["Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null"]));

    it("takes one to seven metrics", async () => {
      const eight = [...allMetrics, "ALL"];
      await assertValidation(server, action, { StreamName: name, ShardLevelMetrics: eight }, [
        `Value '[${eight.join(", ")}]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length less than or equal to 7`,
      ]);
    });

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", ShardLevelMetrics: [] }, [
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("takes only known metric names, reporting them on the list", () =>
      assertValidation(server, action, { StreamName: name, ShardLevelMetrics: ["IncomingBytes", "incomingbytes"] }, [
        `Value '[IncomingBytes, incomingbytes]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${enumText}]`,
      ]));

    it("reports an unknown metric name with the other broken constraints, in one ValidationException", () => {
      const eight = [...allMetrics, "Bogus"];
      return assertValidation(server, action, { StreamName: "", ShardLevelMetrics: eight, StreamARN: "x" }, [
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '[${eight.join(", ")}]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${enumText}]`,
        `Value '[${eight.join(", ")}]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length less than or equal to 7`,
        "Value 'x' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
      ]);
    });

    it("checks metric names before it looks the stream up", () =>
      assertValidation(server, action, { StreamName: randomStreamName(), ShardLevelMetrics: ["Bogus"] }, [
        `Value '[Bogus]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${enumText}]`,
      ]));

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { ShardLevelMetrics: ["ALL"] }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, ShardLevelMetrics: ["ALL"] }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("adds metrics and answers those before and after, in JSON and CBOR", async () => {
      const stream = randomStreamName("added");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      assert.deepEqual(await metricsOf(stream), [{ ShardLevelMetrics: [] }]);
      const json = await call(server, "json", action, { StreamName: stream, ShardLevelMetrics: ["OutgoingRecords", "IncomingBytes"] });
      assert.equal(json.statusCode, 200);
      assert.deepEqual(json.body, {
        StreamName: stream,
        CurrentShardLevelMetrics: [],
        DesiredShardLevelMetrics: ["IncomingBytes", "OutgoingRecords"],
        StreamARN: arnOf(server, stream),
      });
      const cbor = await call(server, "cbor", action, { StreamARN: arnOf(server, stream), ShardLevelMetrics: ["IteratorAgeMilliseconds", "IncomingBytes"] });
      assert.deepEqual(cbor.body, {
        StreamName: stream,
        CurrentShardLevelMetrics: ["IncomingBytes", "OutgoingRecords"],
        DesiredShardLevelMetrics: ["IncomingBytes", "OutgoingRecords", "IteratorAgeMilliseconds"],
        StreamARN: arnOf(server, stream),
      });
      const expected = [{ ShardLevelMetrics: ["IncomingBytes", "OutgoingRecords", "IteratorAgeMilliseconds"] }];
      assert.deepEqual(await metricsOf(stream), expected);
      assert.deepEqual((await ok(server, "DescribeStream", { StreamName: stream })).StreamDescription.EnhancedMonitoring, expected);
    });

    it("enables every metric for ALL", async () => {
      const stream = randomStreamName("all");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await ok(server, action, { StreamName: stream, ShardLevelMetrics: ["IncomingRecords"] });
      const out = await ok(server, action, { StreamName: stream, ShardLevelMetrics: ["ALL"] });
      assert.deepEqual(out.CurrentShardLevelMetrics, ["IncomingRecords"]);
      assert.deepEqual(out.DesiredShardLevelMetrics, allMetrics);
      assert.deepEqual(await metricsOf(stream), [{ ShardLevelMetrics: allMetrics }]);
    });

    it("enables through the SDK", async () => {
      const stream = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const StreamARN = arnOf(server, stream);
      const out = await client.send(new EnableEnhancedMonitoringCommand({ StreamARN, ShardLevelMetrics: ["WriteProvisionedThroughputExceeded"] }));
      assert.equal(out.StreamName, stream);
      assert.equal(out.StreamARN, StreamARN);
      assert.deepEqual(out.CurrentShardLevelMetrics, []);
      assert.deepEqual(out.DesiredShardLevelMetrics, ["WriteProvisionedThroughputExceeded"]);
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamARN }))).StreamDescriptionSummary!;
      assert.deepEqual(summary.EnhancedMonitoring, [{ ShardLevelMetrics: ["WriteProvisionedThroughputExceeded"] }]);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    let timedClient: KinesisClient;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { updateStreamMs: 1000 } });
      timedClient = kinesisClient(timed);
      await ok(timed, "CreateStream", { StreamName: "changing", ShardCount: 1 });
    });
    after(async () => {
      timedClient.destroy();
      await timed.stop();
    });

    it("is UPDATING while the change applies, and refuses another meanwhile", async () => {
      await ok(timed, action, { StreamName: "changing", ShardLevelMetrics: ["IncomingBytes"] });
      assert.equal((await summaryOf(timed, "changing")).StreamStatus, "UPDATING");
      await assertError(timed, action, { StreamName: "changing", ShardLevelMetrics: ["OutgoingBytes"] }, "ResourceInUseException",
        `Stream changing under account ${timed.accountId} not ACTIVE, instead in state UPDATING`);
      await assert.rejects(timedClient.send(new EnableEnhancedMonitoringCommand({ StreamName: "changing", ShardLevelMetrics: ["OutgoingBytes"] })), ResourceInUseException);
      clock.advance(1000);
      assert.equal((await summaryOf(timed, "changing")).StreamStatus, "ACTIVE");
    });

    it("changes nothing, and stays ACTIVE, when the metrics are already enabled", async () => {
      const out = await ok(timed, action, { StreamName: "changing", ShardLevelMetrics: ["IncomingBytes"] });
      assert.deepEqual(out.CurrentShardLevelMetrics, ["IncomingBytes"]);
      assert.deepEqual(out.DesiredShardLevelMetrics, ["IncomingBytes"]);
      assert.equal((await summaryOf(timed, "changing")).StreamStatus, "ACTIVE");
    });
  });

  describe("durability", () => {
    it("keeps the metrics across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        await ok(first, action, { StreamName: "durable", ShardLevelMetrics: ["IncomingRecords", "OutgoingBytes"] });
        const again = await restartable.restart();
        assert.deepEqual((await summaryOf(again, "durable")).EnhancedMonitoring, [{ ShardLevelMetrics: ["IncomingRecords", "OutgoingBytes"] }]);
      } finally {
        await restartable.close();
      }
    });
  });
});
