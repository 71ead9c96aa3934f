import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListShardsCommand, PutRecordCommand, type ListShardsCommandOutput, type ShardFilter } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, ok, type Format } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "ListShards";
const hourMs = 3600_000;
const id = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const ids = (...indexes: number[]) => indexes.map(id);

/**
 * ListShards' ShardFilter over a stream resharded for real: two shards created at t0; shard 0
 * split into 2 and 3 at t0+1h; shards 3 and 1 merged into 4 at t0+2h; read at t0+3h.
 */
describe("ListShards > ShardFilter", () => {
  let server: TestServer;
  let client: KinesisClient;
  const t0 = Date.now() - 3 * hourMs;
  const clock = new ManualClock(t0);
  const name = randomStreamName("filtered");
  before(async () => {
    server = await startTestServer({ clock });
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 2 });
    await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("early"), ExplicitHashKey: "0" }));
    clock.set(t0 + hourMs);
    await ok(server, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: (1n << 126n).toString() });
    assert.equal((await ok(server, "DescribeStream", { StreamName: name })).StreamDescription.StreamStatus, "ACTIVE");
    clock.set(t0 + 2 * hourMs);
    await ok(server, "MergeShards", { StreamName: name, ShardToMerge: id(3), AdjacentShardToMerge: id(1) });
    assert.equal((await ok(server, "DescribeStream", { StreamName: name })).StreamDescription.StreamStatus, "ACTIVE");
    clock.set(t0 + 3 * hourMs);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  /** A wire timestamp: epoch seconds in JSON, a Date (CBOR tag 1 over epoch ms) in CBOR. */
  const at = (format: Format, ms: number) => (format === "json" ? ms / 1000 : new Date(ms));
  const list = async (filter: Record<string, unknown> | undefined, format: Format = "json", extra: Record<string, unknown> = {}) =>
    ((await ok(server, action, { StreamName: name, ...(filter && { ShardFilter: filter }), ...extra }, format)).Shards as { ShardId: string }[]).map((shard) => shard.ShardId);

  describe("validation", () => {
    const filtered = (ShardFilter: unknown) => ({ StreamName: name, ShardFilter });

    it("needs a Type from the enum", async () => {
      await assertError(server, action, filtered({}), "ValidationException",
        "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null");
      await assertError(server, action, filtered({ Type: "AT_HORIZON" }), "ValidationException",
        "1 validation error detected: Value 'AT_HORIZON' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: " +
          "[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]");
    });

    it("needs ShardId with AFTER_SHARD_ID and Timestamp with the timestamp types", async () => {
      await assertError(server, action, filtered({ Type: "AFTER_SHARD_ID" }), "InvalidArgumentException", "ShardId must be specified in the ShardFilter when its Type is AFTER_SHARD_ID.");
      for (const type of ["AT_TIMESTAMP", "FROM_TIMESTAMP"]) {
        await assertError(server, action, filtered({ Type: type }), "InvalidArgumentException", `Timestamp must be specified in the ShardFilter when its Type is ${type}.`);
      }
    });

    it("refuses ShardId and Timestamp with the types that take none", async () => {
      for (const type of ["AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST"]) {
        await assertError(server, action, filtered({ Type: type, ShardId: id(0) }), "InvalidArgumentException",
          `ShardId can only be specified in the ShardFilter when its Type is AFTER_SHARD_ID, not ${type}.`);
        await assertError(server, action, filtered({ Type: type, Timestamp: t0 / 1000 }), "InvalidArgumentException",
          `Timestamp can only be specified in the ShardFilter when its Type is AT_TIMESTAMP or FROM_TIMESTAMP, not ${type}.`);
      }
      await assertError(server, action, filtered({ Type: "AT_TIMESTAMP", Timestamp: t0 / 1000, ShardId: id(0) }), "InvalidArgumentException",
        "ShardId can only be specified in the ShardFilter when its Type is AFTER_SHARD_ID, not AT_TIMESTAMP.");
      await assertError(server, action, filtered({ Type: "AFTER_SHARD_ID", ShardId: id(0), Timestamp: t0 / 1000 }), "InvalidArgumentException",
        "Timestamp can only be specified in the ShardFilter when its Type is AT_TIMESTAMP or FROM_TIMESTAMP, not AFTER_SHARD_ID.");
    });

    it("refuses a ShardFilter next to a NextToken", async () => {
      const token = (await ok(server, action, { StreamName: name, MaxResults: 1 })).NextToken;
      await assertError(server, action, { NextToken: token, ShardFilter: { Type: "AT_LATEST" } }, "InvalidArgumentException", "NextToken and ShardFilter cannot be provided together.");
    });
  });

  describe("types", () => {
    it("FROM_TRIM_HORIZON (the default) lists every shard within the retention period", async () => {
      assert.deepEqual(await list(undefined), ids(0, 1, 2, 3, 4));
      assert.deepEqual(await list({ Type: "FROM_TRIM_HORIZON" }, "cbor"), ids(0, 1, 2, 3, 4));
    });

    it("AT_TRIM_HORIZON lists the shards open at the trim horizon", async () => {
      assert.deepEqual(await list({ Type: "AT_TRIM_HORIZON" }), ids(0, 1));
    });

    it("AT_LATEST lists the open shards only", async () => {
      assert.deepEqual(await list({ Type: "AT_LATEST" }, "cbor"), ids(2, 4));
    });

    for (const format of ["json", "cbor"] as const) {
      it(`AT_TIMESTAMP lists the shards open at that moment, both ends included (${format})`, async () => {
        assert.deepEqual(await list({ Type: "AT_TIMESTAMP", Timestamp: at(format, t0 + 1.5 * hourMs) }, format), ids(1, 2, 3));
        assert.deepEqual(await list({ Type: "AT_TIMESTAMP", Timestamp: at(format, t0 + hourMs) }, format), ids(0, 1, 2, 3));
        assert.deepEqual(await list({ Type: "AT_TIMESTAMP", Timestamp: at(format, t0 + 2.5 * hourMs) }, format), ids(2, 4));
      });

      it(`FROM_TIMESTAMP lists the shards closed at or after that moment and the open ones (${format})`, async () => {
        assert.deepEqual(await list({ Type: "FROM_TIMESTAMP", Timestamp: at(format, t0 + 1.5 * hourMs) }, format), ids(1, 2, 3, 4));
        assert.deepEqual(await list({ Type: "FROM_TIMESTAMP", Timestamp: at(format, t0 + 2.5 * hourMs) }, format), ids(2, 4));
        // Before the trim horizon it is read as the trim horizon.
        assert.deepEqual(await list({ Type: "FROM_TIMESTAMP", Timestamp: at(format, t0 - hourMs) }, format), ids(0, 1, 2, 3, 4));
      });
    }

    it("AFTER_SHARD_ID lists the shards after that id, however it is spelled", async () => {
      assert.deepEqual(await list({ Type: "AFTER_SHARD_ID", ShardId: id(1) }), ids(2, 3, 4));
      assert.deepEqual(await list({ Type: "AFTER_SHARD_ID", ShardId: "shardId-3" }, "cbor"), ids(4));
    });

    it("combines with ExclusiveStartShardId", async () => {
      assert.deepEqual(await list({ Type: "AT_LATEST" }, "json", { ExclusiveStartShardId: id(2) }), ids(4));
      assert.deepEqual(await list({ Type: "AT_TIMESTAMP", Timestamp: t0 / 1000 + 5400 }, "json", { ExclusiveStartShardId: id(1) }), ids(2, 3));
    });

    it("keeps the first call's filter across NextToken pages, through the SDK", async () => {
      const filters: [ShardFilter, string[]][] = [
        [{ Type: "FROM_TIMESTAMP", Timestamp: new Date(t0 + 1.5 * hourMs) }, ids(1, 2, 3, 4)],
        [{ Type: "AT_TIMESTAMP", Timestamp: new Date(t0 + 1.5 * hourMs) }, ids(1, 2, 3)],
        [{ Type: "AT_TRIM_HORIZON" }, ids(0, 1)],
        [{ Type: "AFTER_SHARD_ID", ShardId: id(0) }, ids(1, 2, 3, 4)],
      ];
      for (const [ShardFilter, expected] of filters) {
        const seen: string[] = [];
        let page: ListShardsCommandOutput = await client.send(new ListShardsCommand({ StreamName: name, ShardFilter, MaxResults: 1 }));
        seen.push(...page.Shards!.map((shard) => shard.ShardId!));
        while (page.NextToken) {
          page = await client.send(new ListShardsCommand({ NextToken: page.NextToken, MaxResults: 1 }));
          seen.push(...page.Shards!.map((shard) => shard.ShardId!));
        }
        assert.deepEqual(seen, expected, ShardFilter.Type);
      }
    });
  });

  describe("retention", () => {
    it("drops closed shards once the trim horizon passes their close, from every filter", async () => {
      clock.set(t0 + 25.5 * hourMs);
      // The trim horizon is t0+1.5h: shard 0 closed before it.
      assert.deepEqual(await list(undefined), ids(1, 2, 3, 4));
      assert.deepEqual(await list({ Type: "AT_TRIM_HORIZON" }), ids(1, 2, 3));
      assert.deepEqual(await list({ Type: "AFTER_SHARD_ID", ShardId: "shardId-0" }), ids(1, 2, 3, 4));
      assert.deepEqual(await list({ Type: "FROM_TIMESTAMP", Timestamp: t0 / 1000 }), ids(1, 2, 3, 4));
      const described = (await ok(server, "DescribeStream", { StreamName: name })).StreamDescription.Shards.map((shard: { ShardId: string }) => shard.ShardId);
      assert.deepEqual(described, ids(1, 2, 3, 4));

      clock.set(t0 + 26.5 * hourMs);
      assert.deepEqual(await list(undefined), ids(2, 4));
      assert.deepEqual(await list({ Type: "AT_TRIM_HORIZON" }, "cbor"), ids(2, 4));
      assert.deepEqual(await list({ Type: "AT_LATEST" }), ids(2, 4));
    });
  });
});
