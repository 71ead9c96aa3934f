import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListShardsCommand, type ListShardsCommandOutput } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { startOf, endOf } from "./shard-sequence-numbers.js";
import { evenHashKeyRanges } from "../../../src/core/hash-key.js";
import { shardIdFromIndex } from "../../../src/core/shard-id.js";
import type { ShardMeta, StreamMeta } from "../../../src/streams/model.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "ListShards";
const hourMs = 3600_000;
const shardIds = (body: any) => body.Shards.map((shard: any) => shard.ShardId);

describe("ListShards", () => {
  let server: TestServer;
  let client: KinesisClient;
  const startMs = Date.now();
  const clock = new ManualClock(startMs);
  before(async () => {
    server = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: "five", ShardCount: 5 });
    clock.advance(1000);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a MaxResults that is not an integer", () => assertWrongTypes(server, action, "MaxResults", "Integer"));
    it("rejects an ExclusiveStartShardId that is not a string", () => assertWrongTypes(server, action, "ExclusiveStartShardId", "String"));
    it("rejects a NextToken that is not a string", () => assertWrongTypes(server, action, "NextToken", "String"));
    it("rejects a StreamCreationTimestamp that is not a timestamp", () => assertWrongTypes(server, action, "StreamCreationTimestamp", "Timestamp"));
    it("rejects a ShardFilter that is not a structure", () => assertWrongTypes(server, action, "ShardFilter", "Structure"));
    it("rejects a ShardFilter Type that is not a string", () => assertWrongTypes(server, action, "ShardFilter.Type", "String"));
    it("rejects a ShardFilter ShardId that is not a string", () => assertWrongTypes(server, action, "ShardFilter.ShardId", "String"));
    it("rejects a ShardFilter Timestamp that is not a timestamp", () => assertWrongTypes(server, action, "ShardFilter.Timestamp", "Timestamp"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
  });

  describe("validation", () => {
    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", NextToken: "", MaxResults: 0, ExclusiveStartShardId: "" }, [
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a MaxResults above 10000 and over-long names", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { StreamName: long, MaxResults: 100000, ExclusiveStartShardId: long }, [
        "Value '100000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000",
        `Value '${long}' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("reports no more than 10 errors", () =>
      assertValidation(server, action, { MaxResults: 0, ExclusiveStartShardId: "", StreamName: "", NextToken: "", ShardFilter: { ShardId: "" }, StreamARN: "" }, [
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null",
        "Value '' at 'shardFilter.shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'shardFilter.shardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
      ]));

    it("rejects a ShardFilter Type outside the enum", () =>
      assertValidation(server, action, { StreamName: "five", ShardFilter: { Type: "AT_SOME_POINT" } }, [
        "Value 'AT_SOME_POINT' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: " +
          "[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]",
      ]));

    it("needs a NextToken or a stream", () =>
      assertError(server, action, {}, "InvalidArgumentException", "Either NextToken or StreamName should be provided."));

    it("refuses NextToken together with anything that names the stream or the start", async () => {
      const token = (await ok(server, action, { StreamName: "five", MaxResults: 1 })).NextToken;
      const others: [string, unknown][] = [
        ["StreamName", "five"],
        ["StreamARN", `arn:aws:kinesis:${server.region}:${server.accountId}:stream/five`],
        ["ExclusiveStartShardId", "shardId-000000000000"],
        ["StreamCreationTimestamp", startMs / 1000],
        ["ShardFilter", { Type: "AT_LATEST" }],
      ];
      for (const [member, value] of others) {
        await assertError(server, action, { NextToken: token, [member]: value }, "InvalidArgumentException", `NextToken and ${member} cannot be provided together.`);
      }
    });

    it("holds ShardId and Timestamp to the filter types they belong to", async () => {
      const filter = (ShardFilter: unknown) => ({ StreamName: "five", ShardFilter });
      await assertError(server, action, filter({ Type: "AFTER_SHARD_ID" }), "InvalidArgumentException",
        "ShardId must be specified in the ShardFilter when its Type is AFTER_SHARD_ID.");
      await assertError(server, action, filter({ Type: "AT_TIMESTAMP" }), "InvalidArgumentException",
        "Timestamp must be specified in the ShardFilter when its Type is AT_TIMESTAMP.");
      await assertError(server, action, filter({ Type: "FROM_TIMESTAMP" }), "InvalidArgumentException",
        "Timestamp must be specified in the ShardFilter when its Type is FROM_TIMESTAMP.");
      await assertError(server, action, filter({ Type: "AT_LATEST", ShardId: "shardId-000000000001" }), "InvalidArgumentException",
        "ShardId can only be specified in the ShardFilter when its Type is AFTER_SHARD_ID, not AT_LATEST.");
      await assertError(server, action, filter({ Type: "AT_TRIM_HORIZON", Timestamp: startMs / 1000 }), "InvalidArgumentException",
        "Timestamp can only be specified in the ShardFilter when its Type is AT_TIMESTAMP or FROM_TIMESTAMP, not AT_TRIM_HORIZON.");
    });

    it("refuses a NextToken it did not issue", () =>
      assertError(server, action, { NextToken: "bm90IGEgdG9rZW4=" }, "InvalidArgumentException", "Invalid NextToken."));

    it("answers ResourceNotFoundException for an unknown stream or another incarnation's creation time", async () => {
      await assertError(server, action, { StreamName: "nothing" }, "ResourceNotFoundException", `Stream nothing under account ${server.accountId} not found.`);
      await assertError(server, action, { StreamName: "five", StreamCreationTimestamp: startMs / 1000 - 60 }, "ResourceNotFoundException",
        `Stream five under account ${server.accountId} not found.`);
    });

    it("answers ResourceInUseException while the stream is CREATING", async () => {
      await ok(server, "CreateStream", { StreamName: "young", ShardCount: 1 });
      await assertError(server, action, { StreamName: "young" }, "ResourceInUseException",
        `Stream young under account ${server.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      assert.deepEqual(shardIds(await ok(server, action, { StreamName: "young" })), ["shardId-000000000000"]);
    });
  });

  describe("behaviour", () => {
    const all = ["0", "1", "2", "3", "4"].map((index) => `shardId-00000000000${index}`);

    it("lists every shard with its ranges", async () => {
      const body = await ok(server, action, { StreamName: "five", StreamCreationTimestamp: startMs / 1000 });
      assert.deepEqual(Object.keys(body), ["Shards"]);
      assert.deepEqual(body.Shards, evenHashKeyRanges(5).map((range, index) => ({
        ShardId: shardIdFromIndex(index),
        HashKeyRange: range,
        SequenceNumberRange: { StartingSequenceNumber: startOf(startMs, index) },
      })));
    });

    it("starts after ExclusiveStartShardId", async () => {
      assert.deepEqual(shardIds(await ok(server, action, { StreamName: "five", ExclusiveStartShardId: "shardId-000000000002" })), all.slice(3));
    });

    it("pages with MaxResults and NextToken, keeping the first call's filter", async () => {
      const seen: string[] = [];
      let body = await ok(server, action, { StreamName: "five", MaxResults: 2, ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000000" } });
      seen.push(...shardIds(body));
      while (body.NextToken) {
        body = await ok(server, action, { NextToken: body.NextToken, MaxResults: 2 }, "cbor");
        seen.push(...shardIds(body));
      }
      assert.deepEqual(seen, all.slice(1));
    });

    it("applies each filter type to a stream that has never resharded", async () => {
      const list = (ShardFilter: unknown) => ok(server, action, { StreamName: "five", ShardFilter }).then(shardIds);
      assert.deepEqual(await list({ Type: "AT_TRIM_HORIZON" }), all);
      assert.deepEqual(await list({ Type: "FROM_TRIM_HORIZON" }), all);
      assert.deepEqual(await list({ Type: "AT_LATEST" }), all);
      assert.deepEqual(await list({ Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000003" }), all.slice(4));
      // A time before the stream existed is read as the trim horizon.
      assert.deepEqual(await list({ Type: "AT_TIMESTAMP", Timestamp: (startMs - hourMs) / 1000 }), all);
      assert.deepEqual(await list({ Type: "FROM_TIMESTAMP", Timestamp: clock.nowMs() / 1000 }), all);
    });

    it("expires a NextToken after 300 seconds", async () => {
      const token = (await ok(server, action, { StreamName: "five", MaxResults: 1 })).NextToken;
      clock.advance(300_001);
      await assertError(server, action, { NextToken: token }, "ExpiredNextTokenException", "The NextToken has expired. Tokens are valid for 300 seconds.");
    });

    it("refuses a NextToken once its stream is deleted and created again", async () => {
      await ok(server, "CreateStream", { StreamName: "again", ShardCount: 2 });
      clock.advance(1000);
      const token = (await ok(server, action, { StreamName: "again", MaxResults: 1 })).NextToken;
      await ok(server, "DeleteStream", { StreamName: "again" });
      await ok(server, "CreateStream", { StreamName: "again", ShardCount: 2 });
      clock.advance(1000);
      await assertError(server, action, { NextToken: token }, "ResourceNotFoundException", `Stream again under account ${server.accountId} not found.`);
    });

    it("pages through the SDK", async () => {
      const seen: string[] = [];
      let page: ListShardsCommandOutput = await client.send(new ListShardsCommand({ StreamName: "five", MaxResults: 2 }));
      seen.push(...page.Shards!.map((shard) => shard.ShardId!));
      while (page.NextToken) {
        page = await client.send(new ListShardsCommand({ NextToken: page.NextToken, MaxResults: 2 }));
        seen.push(...page.Shards!.map((shard) => shard.ShardId!));
      }
      assert.deepEqual(seen, all);
    });
  });

  describe("resharded streams", { skip: process.env.TRIBUTARY_TEST_ENDPOINT ? "plants a resharded stream in the in-process server" : false }, () => {
    // Planted in the catalog until resharding exists: shard 0 split into 2 and 3 an hour in,
    // shards 1 and 2 merged into 4 two hours in; the stream is three hours old.
    let createdMs = 0;
    before(async () => {
      createdMs = clock.nowMs() - 3 * hourMs;
      const [low, high] = evenHashKeyRanges(2) as [ShardMeta["HashKeyRange"], ShardMeta["HashKeyRange"]];
      const lowHalves = [
        { StartingHashKey: low.StartingHashKey, EndingHashKey: String(BigInt(low.EndingHashKey) / 2n) },
        { StartingHashKey: String(BigInt(low.EndingHashKey) / 2n + 1n), EndingHashKey: low.EndingHashKey },
      ];
      const shard = (index: number, range: ShardMeta["HashKeyRange"], openedMs: number, extra: Partial<ShardMeta> = {}): ShardMeta => ({
        ShardId: shardIdFromIndex(index), shardIndex: index, HashKeyRange: range, createdAtMs: openedMs, ...extra,
      });
      const meta: StreamMeta = {
        streamId: "0123456789abcdef0123456789abcdef",
        accountId: server.accountId,
        StreamName: "resharded",
        createdAtMs: createdMs,
        StreamStatus: "ACTIVE",
        statusDueAtMs: createdMs,
        RetentionPeriodHours: 24,
        StreamMode: "PROVISIONED",
        EncryptionType: "NONE",
        Tags: {},
        shards: [
          shard(0, low, createdMs, { closedAtMs: createdMs + hourMs, endingOffset: 10 }),
          shard(1, high, createdMs, { closedAtMs: createdMs + 2 * hourMs, endingOffset: 0 }),
          shard(2, lowHalves[0]!, createdMs + hourMs, { ParentShardId: shardIdFromIndex(0), closedAtMs: createdMs + 2 * hourMs, endingOffset: 3 }),
          shard(3, lowHalves[1]!, createdMs + hourMs, { ParentShardId: shardIdFromIndex(0) }),
          shard(4, { StartingHashKey: lowHalves[0]!.StartingHashKey, EndingHashKey: high.EndingHashKey }, createdMs + 2 * hourMs, {
            ParentShardId: shardIdFromIndex(1), AdjacentParentShardId: shardIdFromIndex(2),
          }),
        ],
        nextShardIndex: 5,
        ShardLevelMetrics: [],
      };
      await server.app!.streams.context.streams.put(meta);
    });
    const list = (ShardFilter?: unknown) => ok(server, action, ShardFilter ? { StreamName: "resharded", ShardFilter } : { StreamName: "resharded" });
    const ids = (...indexes: number[]) => indexes.map(shardIdFromIndex);

    it("shows lineage and closed shards' ending sequence numbers", async () => {
      const shards = (await list()).Shards;
      assert.deepEqual(shardIds({ Shards: shards }), ids(0, 1, 2, 3, 4));
      assert.equal(shards[0].SequenceNumberRange.EndingSequenceNumber, endOf(createdMs, 0, 9, createdMs + hourMs));
      assert.equal(shards[1].SequenceNumberRange.EndingSequenceNumber, endOf(createdMs, 1, -1, createdMs + 2 * hourMs));
      assert.equal(shards[3].SequenceNumberRange.EndingSequenceNumber, undefined);
      assert.equal(shards[3].ParentShardId, shardIdFromIndex(0));
      assert.equal(shards[3].AdjacentParentShardId, undefined);
      assert.equal(shards[4].ParentShardId, shardIdFromIndex(1));
      assert.equal(shards[4].AdjacentParentShardId, shardIdFromIndex(2));
    });

    it("selects shards by filter type", async () => {
      assert.deepEqual(shardIds(await list({ Type: "AT_TRIM_HORIZON" })), ids(0, 1));
      assert.deepEqual(shardIds(await list({ Type: "AT_LATEST" })), ids(3, 4));
      assert.deepEqual(shardIds(await list({ Type: "AT_TIMESTAMP", Timestamp: (createdMs + 1.5 * hourMs) / 1000 })), ids(1, 2, 3));
      assert.deepEqual(shardIds(await list({ Type: "FROM_TIMESTAMP", Timestamp: (createdMs + 1.5 * hourMs) / 1000 })), ids(1, 2, 3, 4));
      assert.deepEqual(shardIds(await list({ Type: "AFTER_SHARD_ID", ShardId: shardIdFromIndex(2) })), ids(3, 4));
    });

    it("stops listing closed shards once retention has passed them", async () => {
      clock.advance(23 * hourMs);
      // Now 26 hours in: the trim horizon is 2 hours in, so shard 0 (closed at 1 hour) has expired.
      assert.deepEqual(shardIds(await list()), ids(1, 2, 3, 4));
      assert.deepEqual(shardIds(await list({ Type: "AT_TRIM_HORIZON" })), ids(1, 2, 3, 4));
      assert.deepEqual(shardIds(await ok(server, "DescribeStream", { StreamName: "resharded" }).then((body) => body.StreamDescription)), ids(1, 2, 3, 4));
    });
  });
});
