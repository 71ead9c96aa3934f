import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { startOf } from "./shard-sequence-numbers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DescribeStream";

describe("DescribeStream", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("described");
  let createdAfterMs = 0;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    createdAfterMs = Date.now();
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 3 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const arn = () => `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;

  describe("serialization", () => {
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a Limit that is not an integer", () => assertWrongTypes(server, action, "Limit", "Integer"));
    it("rejects an ExclusiveStartShardId that is not a string", () => assertWrongTypes(server, action, "ExclusiveStartShardId", "String"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
  });

  describe("validation", () => {
    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", Limit: 0, ExclusiveStartShardId: "" }, [
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a Limit above 10000 and over-long names", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { StreamName: long, Limit: 100000, ExclusiveStartShardId: long }, [
        "Value '100000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
        `Value '${long}' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, {}, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown }, "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("describes the stream and its shards", async () => {
      const description = (await ok(server, action, { StreamName: name })).StreamDescription;
      const createdMs = Math.round(description.StreamCreationTimestamp * 1000);
      assert.ok(createdMs >= createdAfterMs - 1 && createdMs <= Date.now(), "created between the request and now");
      const ranges = [
        ["0", "113427455640312821154458202477256070484"],
        ["113427455640312821154458202477256070485", "226854911280625642308916404954512140969"],
        ["226854911280625642308916404954512140970", "340282366920938463463374607431768211455"],
      ];
      assert.deepEqual(description, {
        StreamName: name,
        StreamARN: arn(),
        StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: "PROVISIONED" },
        Shards: ranges.map(([start, end], index) => ({
          ShardId: `shardId-00000000000${index}`,
          HashKeyRange: { StartingHashKey: start, EndingHashKey: end },
          SequenceNumberRange: { StartingSequenceNumber: startOf(createdMs, index) },
        })),
        HasMoreShards: false,
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: description.StreamCreationTimestamp,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: "NONE",
      });
    });

    it("finds the stream by StreamARN", async () => {
      const description = (await ok(server, action, { StreamARN: arn() })).StreamDescription;
      assert.equal(description.StreamName, name);
    });

    it("pages through shards with Limit and ExclusiveStartShardId", async () => {
      const first = (await ok(server, action, { StreamName: name, Limit: 2 })).StreamDescription;
      assert.deepEqual(first.Shards.map((shard: any) => shard.ShardId), ["shardId-000000000000", "shardId-000000000001"]);
      assert.equal(first.HasMoreShards, true);
      const rest = (await ok(server, action, { StreamName: name, Limit: 2, ExclusiveStartShardId: "shardId-000000000001" })).StreamDescription;
      assert.deepEqual(rest.Shards.map((shard: any) => shard.ShardId), ["shardId-000000000002"]);
      assert.equal(rest.HasMoreShards, false);
      // AWS reads a shard id by its number.
      const byNumber = (await ok(server, action, { StreamName: name, ExclusiveStartShardId: "shardId-1" })).StreamDescription;
      assert.deepEqual(byNumber.Shards.map((shard: any) => shard.ShardId), ["shardId-000000000002"]);
    });

    it("returns at most 100 shards whatever the Limit", async () => {
      const wide = randomStreamName("wide");
      await ok(server, "CreateStream", { StreamName: wide, ShardCount: 101 });
      const description = (await ok(server, action, { StreamName: wide, Limit: 10000 })).StreamDescription;
      assert.equal(description.Shards.length, 100);
      assert.equal(description.HasMoreShards, true);
      const last = (await ok(server, action, { StreamName: wide, ExclusiveStartShardId: "shardId-000000000099" })).StreamDescription;
      assert.deepEqual(last.Shards.map((shard: any) => shard.ShardId), ["shardId-000000000100"]);
      assert.equal(last.HasMoreShards, false);
    });

    it("writes StreamCreationTimestamp as epoch seconds in JSON and as tag 1 epoch milliseconds in CBOR", async () => {
      const json = (await call(server, "json", action, { StreamName: name })).body.StreamDescription.StreamCreationTimestamp;
      const cbor = (await call(server, "cbor", action, { StreamName: name })).body.StreamDescription.StreamCreationTimestamp;
      assert.equal(typeof json, "number");
      assert.ok(Number.isInteger(cbor.tag1), "tag 1 over an integer");
      assert.equal(cbor.tag1, Math.round(json * 1000));
    });

    it("describes through the SDK, StreamCreationTimestamp a Date near now", async () => {
      const description = (await client.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription!;
      assert.equal(description.StreamStatus, "ACTIVE");
      assert.equal(description.Shards!.length, 3);
      assert.ok(description.StreamCreationTimestamp instanceof Date);
      assert.ok(Math.abs(description.StreamCreationTimestamp.getTime() - Date.now()) < 60_000);
      assert.ok(description.StreamCreationTimestamp.getTime() >= createdAfterMs - 1);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("lists no shards while the stream is CREATING", async () => {
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 2 });
      const creating = (await ok(timed, action, { StreamName: "young" })).StreamDescription;
      assert.equal(creating.StreamStatus, "CREATING");
      assert.deepEqual(creating.Shards, []);
      assert.equal(creating.HasMoreShards, false);
      clock.advance(1000);
      const active = (await ok(timed, action, { StreamName: "young" })).StreamDescription;
      assert.equal(active.StreamStatus, "ACTIVE");
      assert.equal(active.Shards.length, 2);
    });
  });
});
