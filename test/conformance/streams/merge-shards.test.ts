import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamCommand, KinesisClient, MergeShardsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { startOf, endOf } from "./shard-sequence-numbers.js";
import { ManualClock } from "../../../src/util/clock.js";
import { sleep } from "../../helpers/wait.js";

const action = "MergeShards";
const namePattern = "[a-zA-Z0-9_.-]+";
// The ranges AWS gives a stream of three shards (kinesalite's recording).
const thirds = [
  { StartingHashKey: "0", EndingHashKey: "113427455640312821154458202477256070484" },
  { StartingHashKey: "113427455640312821154458202477256070485", EndingHashKey: "226854911280625642308916404954512140969" },
  { StartingHashKey: "226854911280625642308916404954512140970", EndingHashKey: "340282366920938463463374607431768211455" },
];

describe("MergeShards", () => {
  let server: TestServer;
  let client: KinesisClient;
  const clock = new ManualClock(Date.now());
  const three = randomStreamName("merge-three");
  before(async () => {
    server = await startTestServer({ clock, streams: { createStreamMs: 1000, updateStreamMs: 1000 } });
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: three, ShardCount: 3 });
    clock.advance(1000);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const arnOf = (name: string) => `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
  const notFound = (shard: string, name: string) => `Could not find shard ${shard} in stream ${name} under account ${server.accountId}.`;

  async function activeStream(prefix: string, body: Record<string, unknown>): Promise<string> {
    const name = randomStreamName(prefix);
    await ok(server, "CreateStream", { StreamName: name, ...body });
    clock.advance(1000);
    return name;
  }

  describe("serialization", () => {
    it("rejects an AdjacentShardToMerge that is not a string", () => assertWrongTypes(server, action, "AdjacentShardToMerge", "String"));
    it("rejects a ShardToMerge that is not a string", () => assertWrongTypes(server, action, "ShardToMerge", "String"));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
  });

  describe("validation", () => {
    it("needs ShardToMerge and AdjacentShardToMerge", () =>
      assertValidation(server, action, {}, [
        "Value null at 'shardToMerge' failed to satisfy constraint: Member must not be null",
        "Value null at 'adjacentShardToMerge' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in AWS's order", () =>
      assertValidation(server, action, { StreamName: "", ShardToMerge: "", AdjacentShardToMerge: "" }, [
        `Value '' at 'shardToMerge' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'shardToMerge' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'adjacentShardToMerge' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'adjacentShardToMerge' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects over-long names", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { StreamName: long, ShardToMerge: long, AdjacentShardToMerge: long }, [
        `Value '${long}' at 'shardToMerge' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '${long}' at 'adjacentShardToMerge' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { ShardToMerge: "shardId-0", AdjacentShardToMerge: "shardId-1" }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));
  });

  describe("shard and stream lookup", () => {
    it("looks the stream up once both shard ids name shard indexes", async () => {
      const unknown = randomStreamName("nowhere");
      for (const [shard, adjacent] of [["2147483647", "x-0"], ["a-00002147483647", "x-0"], ["x-0", "-00002147483647"], ["x-0", "2147483647"]]) {
        await assertError(server, action, { StreamName: unknown, ShardToMerge: shard, AdjacentShardToMerge: adjacent },
          "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
      }
    });

    it("refuses a shard id that names no shard index before looking the stream up, ShardToMerge first", async () => {
      const unknown = randomStreamName("nowhere");
      for (const bad of ["2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"]) {
        await assertError(server, action, { StreamName: unknown, ShardToMerge: bad, AdjacentShardToMerge: "x-0" }, "ResourceNotFoundException", notFound(bad, unknown));
        await assertError(server, action, { StreamName: unknown, ShardToMerge: "x-0", AdjacentShardToMerge: bad }, "ResourceNotFoundException", notFound(bad, unknown));
      }
      await assertError(server, action, { StreamName: unknown, ShardToMerge: "ABKLFD8", AdjacentShardToMerge: "2.14E4" }, "ResourceNotFoundException", notFound("ABKLFD8", unknown));
    });

    it("names a missing shard of a known stream by its canonical id", async () => {
      await assertError(server, action, { StreamName: three, ShardToMerge: "shardId-5", AdjacentShardToMerge: "x-0" }, "ResourceNotFoundException", notFound("shardId-000000000005", three));
      await assertError(server, action, { StreamARN: arnOf(three), ShardToMerge: "x-0", AdjacentShardToMerge: "shardId-5" }, "ResourceNotFoundException", notFound("shardId-000000000005", three));
    });

    it("refuses an ON_DEMAND stream", async () => {
      const onDemand = await activeStream("merge-on-demand", { StreamModeDetails: { StreamMode: "ON_DEMAND" } });
      await assertError(server, action, { StreamName: onDemand, ShardToMerge: "shardId-0", AdjacentShardToMerge: "shardId-1" },
        "ValidationException", `Request is invalid. Stream ${onDemand} under account ${server.accountId} is in On-Demand mode.`);
    });
  });

  describe("adjacency", () => {
    const notAdjacent = (shard: string, adjacent: string) =>
      `Shards ${shard} and ${adjacent} in stream ${three} under account ${server.accountId} are not an adjacent pair of shards eligible for merging`;

    it("refuses shards that are not neighbours", () =>
      assertError(server, action, { StreamName: three, ShardToMerge: "x-0", AdjacentShardToMerge: "y-2" }, "InvalidArgumentException", notAdjacent("shardId-000000000000", "shardId-000000000002")));

    it("refuses neighbours named upper first", () =>
      assertError(server, action, { StreamName: three, ShardToMerge: "x-1", AdjacentShardToMerge: "y-0" }, "InvalidArgumentException", notAdjacent("shardId-000000000001", "shardId-000000000000")));

    it("refuses a shard merged with itself", () =>
      assertError(server, action, { StreamName: three, ShardToMerge: "shardId-1", AdjacentShardToMerge: "shardId-1" }, "InvalidArgumentException", notAdjacent("shardId-000000000001", "shardId-000000000001")));
  });

  describe("status", () => {
    it("refuses a stream that is still CREATING", async () => {
      const creating = randomStreamName("merge-creating");
      await ok(server, "CreateStream", { StreamName: creating, ShardCount: 2 });
      await assertError(server, action, { StreamName: creating, ShardToMerge: "shardId-0", AdjacentShardToMerge: "shardId-1" },
        "ResourceInUseException", `Stream ${creating} under account ${server.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
    });
  });

  describe("behaviour", () => {
    it("keeps the stream UPDATING with its old shards until the merge takes effect, then closes both and opens one child", async () => {
      const name = await activeStream("merge-standard", { ShardCount: 3 });
      const createdMs = clock.nowMs() - 1000;
      const response = await call(server, "cbor", action, { StreamName: name, ShardToMerge: "x-0", AdjacentShardToMerge: "y-1" });
      assert.equal(response.statusCode, 200);
      assert.equal(response.raw.length, 0);

      const updating = (await ok(server, "DescribeStream", { StreamName: name })).StreamDescription;
      assert.equal(updating.StreamStatus, "UPDATING");
      assert.deepEqual(updating.Shards.map((shard: any) => shard.HashKeyRange), thirds);
      assert.ok(updating.Shards.every((shard: any) => shard.SequenceNumberRange.EndingSequenceNumber === undefined));
      await assertError(server, action, { StreamName: name, ShardToMerge: "shard-1", AdjacentShardToMerge: "shard-2" },
        "ResourceInUseException", `Stream ${name} under account ${server.accountId} not ACTIVE, instead in state UPDATING`);
      const early = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "a", Data: Buffer.from("x"), ExplicitHashKey: thirds[1]!.StartingHashKey }));
      assert.equal(early.ShardId, "shardId-000000000001");

      clock.advance(1000);
      const effectiveMs = clock.nowMs();
      const active = (await client.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription!;
      assert.equal(active.StreamStatus, "ACTIVE");
      assert.deepEqual(active.Shards, [
        {
          ShardId: "shardId-000000000000",
          HashKeyRange: thirds[0],
          SequenceNumberRange: {
            StartingSequenceNumber: startOf(createdMs, 0),
            EndingSequenceNumber: endOf(createdMs, 0, -1, effectiveMs),
          },
        },
        {
          ShardId: "shardId-000000000001",
          HashKeyRange: thirds[1],
          SequenceNumberRange: {
            StartingSequenceNumber: startOf(createdMs, 1),
            EndingSequenceNumber: endOf(createdMs, 1, 0, effectiveMs),
          },
        },
        {
          ShardId: "shardId-000000000002",
          HashKeyRange: thirds[2],
          SequenceNumberRange: { StartingSequenceNumber: startOf(createdMs, 2) },
        },
        {
          ShardId: "shardId-000000000003",
          ParentShardId: "shardId-000000000000",
          AdjacentParentShardId: "shardId-000000000001",
          HashKeyRange: { StartingHashKey: thirds[0]!.StartingHashKey, EndingHashKey: thirds[1]!.EndingHashKey },
          SequenceNumberRange: { StartingSequenceNumber: startOf(effectiveMs, 3) },
        },
      ]);
      const late = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "a", Data: Buffer.from("x"), ExplicitHashKey: thirds[1]!.StartingHashKey }));
      assert.equal(late.ShardId, "shardId-000000000003");
    });

    it("refuses to merge a shard that has been merged already, then merges the child with its neighbour", async () => {
      const name = await activeStream("merge-twice", { ShardCount: 3 });
      await client.send(new MergeShardsCommand({ StreamARN: arnOf(name), ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000002" }));
      clock.advance(1000);
      // Shard 0 still borders shard 1, which is closed now.
      await assertError(server, action, { StreamName: name, ShardToMerge: "shardId-0", AdjacentShardToMerge: "shardId-1" }, "InvalidArgumentException",
        `Shard shardId-000000000001 in stream ${name} under account ${server.accountId} has already been merged or split, and thus is not eligible for merging or splitting.`);
      await client.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000003" }));
      clock.advance(1000);
      const open = (await ok(server, "ListShards", { StreamName: name, ShardFilter: { Type: "AT_LATEST" } })).Shards;
      assert.deepEqual(open, [{
        ShardId: "shardId-000000000004",
        ParentShardId: "shardId-000000000000",
        AdjacentParentShardId: "shardId-000000000003",
        HashKeyRange: { StartingHashKey: "0", EndingHashKey: thirds[2]!.EndingHashKey },
        SequenceNumberRange: { StartingSequenceNumber: startOf(clock.nowMs(), 4) },
      }]);
      // One shard left: nothing to merge it with.
      await assertError(server, action, { StreamName: name, ShardToMerge: "shardId-4", AdjacentShardToMerge: "shardId-4" }, "InvalidArgumentException",
        `Shards shardId-000000000004 and shardId-000000000004 in stream ${name} under account ${server.accountId} are not an adjacent pair of shards eligible for merging`);
    });

    it("lowers the account's open shard count", async () => {
      const before = (await ok(server, "DescribeLimits", {})).OpenShardCount;
      const name = await activeStream("merge-count", { ShardCount: 2 });
      await ok(server, action, { StreamName: name, ShardToMerge: "shardId-0", AdjacentShardToMerge: "shardId-1" });
      // Counted as merged while pending, as the shard quota counts it.
      assert.equal((await ok(server, "DescribeLimits", {})).OpenShardCount, before + 1);
      clock.advance(1000);
      // DescribeStreamSummary shows UPDATING until the merge is stored, which its first look sets going.
      let summary = (await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary;
      for (let attempt = 0; summary.StreamStatus !== "ACTIVE" && attempt < 100; attempt++) {
        await sleep(5);
        summary = (await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary;
      }
      assert.equal(summary.StreamStatus, "ACTIVE");
      assert.equal(summary.OpenShardCount, 1);
      assert.equal((await ok(server, "DescribeLimits", {})).OpenShardCount, before + 1);
    });
  });
});
