import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamCommand, KinesisClient, ListShardsCommand, PutRecordCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { startOf, endOf } from "./shard-sequence-numbers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "SplitShard";
const hashKeyMax = ((1n << 128n) - 1n).toString();
const namePattern = "[a-zA-Z0-9_.-]+";

describe("SplitShard", () => {
  let server: TestServer;
  let client: KinesisClient;
  const clock = new ManualClock(Date.now());
  const three = randomStreamName("split-three");
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
    it("rejects a NewStartingHashKey that is not a string", () => assertWrongTypes(server, action, "NewStartingHashKey", "String"));
    it("rejects a ShardToSplit that is not a string", () => assertWrongTypes(server, action, "ShardToSplit", "String"));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
  });

  describe("validation", () => {
    it("needs ShardToSplit and NewStartingHashKey", () =>
      assertValidation(server, action, {}, [
        "Value null at 'newStartingHashKey' failed to satisfy constraint: Member must not be null",
        "Value null at 'shardToSplit' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in AWS's order", () =>
      assertValidation(server, action, { StreamName: "", ShardToSplit: "", NewStartingHashKey: "" }, [
        "Value '' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
        `Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'shardToSplit' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'shardToSplit' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects over-long names", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { StreamName: long, ShardToSplit: long, NewStartingHashKey: "0" }, [
        `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '${long}' at 'shardToSplit' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("rejects a NewStartingHashKey that is not a decimal of at most 39 digits", async () => {
      for (const hashKey of ["sth", "01", "1".repeat(40), "-1"]) {
        await assertValidation(server, action, { StreamName: three, ShardToSplit: "shardId-0", NewStartingHashKey: hashKey }, [
          `Value '${hashKey}' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})`,
        ]);
      }
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { ShardToSplit: "shardId-0", NewStartingHashKey: "2" }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));
  });

  describe("shard and stream lookup", () => {
    it("looks the stream up once the shard id names a shard index", async () => {
      const unknown = randomStreamName("nowhere");
      for (const shard of ["2147483647", "shardId-000000000000", "a-00002147483647", "-00002147483647"]) {
        await assertError(server, action, { StreamName: unknown, ShardToSplit: shard, NewStartingHashKey: "0" },
          "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
      }
    });

    it("refuses a shard id that names no shard index before looking the stream up", async () => {
      const unknown = randomStreamName("nowhere");
      for (const shard of ["2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"]) {
        await assertError(server, action, { StreamName: unknown, ShardToSplit: shard, NewStartingHashKey: "0" }, "ResourceNotFoundException", notFound(shard, unknown));
      }
    });

    it("names a missing shard of a known stream by its canonical id", () =>
      assertError(server, action, { StreamName: three, ShardToSplit: "shardId-5", NewStartingHashKey: "0" }, "ResourceNotFoundException", notFound("shardId-000000000005", three)));

    it("finds the stream by StreamARN", () =>
      assertError(server, action, { StreamARN: arnOf(three), ShardToSplit: "shard-7", NewStartingHashKey: "0" }, "ResourceNotFoundException", notFound("shardId-000000000007", three)));

    it("refuses an ON_DEMAND stream", async () => {
      const onDemand = await activeStream("split-on-demand", { StreamModeDetails: { StreamMode: "ON_DEMAND" } });
      await assertError(server, action, { StreamName: onDemand, ShardToSplit: "shardId-0", NewStartingHashKey: "2" },
        "ValidationException", `Request is invalid. Stream ${onDemand} under account ${server.accountId} is in On-Demand mode.`);
    });
  });

  describe("hash key", () => {
    const outOfRange = (hashKey: string, shard: number, start: string, end: string) =>
      `NewStartingHashKey ${hashKey} used in SplitShard() on shard shardId-00000000000${shard} in stream ${three} under account ${server.accountId} ` +
      `is not both greater than one plus the shard's StartingHashKey ${start} and less than the shard's EndingHashKey ${end}.`;
    const shard0End = "113427455640312821154458202477256070484";
    const shard2Start = "226854911280625642308916404954512140970";

    it("must be more than one above the shard's StartingHashKey", async () => {
      await assertError(server, action, { StreamName: three, NewStartingHashKey: "1", ShardToSplit: "shard-0" }, "InvalidArgumentException", outOfRange("1", 0, "0", shard0End));
      const justAbove = (BigInt(shard2Start) + 1n).toString();
      await assertError(server, action, { StreamName: three, NewStartingHashKey: justAbove, ShardToSplit: "shard-2" },
        "InvalidArgumentException", outOfRange(justAbove, 2, shard2Start, hashKeyMax));
    });

    it("must be below the shard's EndingHashKey", async () => {
      await assertError(server, action, { StreamName: three, NewStartingHashKey: shard0End, ShardToSplit: "shard-0" }, "InvalidArgumentException", outOfRange(shard0End, 0, "0", shard0End));
      const huge = "9".repeat(39);
      await assertError(server, action, { StreamName: three, NewStartingHashKey: huge, ShardToSplit: "shard-2" }, "InvalidArgumentException", outOfRange(huge, 2, shard2Start, hashKeyMax));
    });
  });

  describe("status", () => {
    it("refuses a stream that is still CREATING", async () => {
      const creating = randomStreamName("split-creating");
      await ok(server, "CreateStream", { StreamName: creating, ShardCount: 1 });
      await assertError(server, action, { StreamName: creating, ShardToSplit: "shardId-0", NewStartingHashKey: "2" },
        "ResourceInUseException", `Stream ${creating} under account ${server.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
    });
  });

  describe("behaviour", () => {
    it("keeps the stream UPDATING with its old shards until the split takes effect, then closes the parent and opens two children", async () => {
      const name = await activeStream("split-one", { ShardCount: 1 });
      const splitAtMs = clock.nowMs();
      const response = await call(server, "json", action, { StreamName: name, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "2" });
      assert.equal(response.statusCode, 200);
      assert.equal(response.raw.length, 0);

      const updating = (await ok(server, "DescribeStream", { StreamName: name })).StreamDescription;
      assert.equal(updating.StreamStatus, "UPDATING");
      assert.deepEqual(updating.Shards.map((shard: any) => [shard.ShardId, shard.SequenceNumberRange.EndingSequenceNumber]), [["shardId-000000000000", undefined]]);
      await assertError(server, action, { StreamName: name, ShardToSplit: "shard-0", NewStartingHashKey: "2" },
        "ResourceInUseException", `Stream ${name} under account ${server.accountId} not ACTIVE, instead in state UPDATING`);
      // Writes go on while UPDATING, to the shard that is still open.
      const early = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "a", Data: Buffer.from("before"), ExplicitHashKey: "1" }));
      assert.equal(early.ShardId, "shardId-000000000000");

      clock.advance(1000);
      const effectiveMs = clock.nowMs();
      const active = (await client.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription!;
      assert.equal(active.StreamStatus, "ACTIVE");
      assert.deepEqual(active.Shards, [
        {
          ShardId: "shardId-000000000000",
          HashKeyRange: { StartingHashKey: "0", EndingHashKey: hashKeyMax },
          SequenceNumberRange: {
            StartingSequenceNumber: startOf(splitAtMs - 1000, 0),
            EndingSequenceNumber: endOf(splitAtMs - 1000, 0, 0, effectiveMs),
          },
        },
        {
          ShardId: "shardId-000000000001",
          ParentShardId: "shardId-000000000000",
          HashKeyRange: { StartingHashKey: "0", EndingHashKey: "1" },
          SequenceNumberRange: { StartingSequenceNumber: startOf(effectiveMs, 1) },
        },
        {
          ShardId: "shardId-000000000002",
          ParentShardId: "shardId-000000000000",
          HashKeyRange: { StartingHashKey: "2", EndingHashKey: hashKeyMax },
          SequenceNumberRange: { StartingSequenceNumber: startOf(effectiveMs, 2) },
        },
      ]);
      const low = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "a", Data: Buffer.from("after"), ExplicitHashKey: "1" }));
      const high = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "a", Data: Buffer.from("after"), ExplicitHashKey: "2" }));
      assert.deepEqual([low.ShardId, high.ShardId], ["shardId-000000000001", "shardId-000000000002"]);
      assert.ok(BigInt(low.SequenceNumber!) > BigInt(early.SequenceNumber!));
    });

    it("refuses to split a shard that has been split already", async () => {
      const name = await activeStream("split-twice", { ShardCount: 1 });
      await ok(server, action, { StreamName: name, ShardToSplit: "shardId-0", NewStartingHashKey: "1000" });
      clock.advance(1000);
      for (const format of formats) {
        const response = await call(server, format, action, { StreamName: name, ShardToSplit: "shardId-0", NewStartingHashKey: "2000" });
        assert.equal(response.statusCode, 400);
        assert.deepEqual(response.body, {
          __type: "InvalidArgumentException",
          message: `Shard shardId-000000000000 in stream ${name} under account ${server.accountId} has already been merged or split, and thus is not eligible for merging or splitting.`,
        });
      }
      // Its children can be split in turn; shard ids keep counting up.
      await ok(server, action, { StreamName: name, ShardToSplit: "shardId-000000000002", NewStartingHashKey: "2000" }, "cbor");
      clock.advance(1000);
      const shards = (await ok(server, "ListShards", { StreamName: name })).Shards;
      assert.deepEqual(shards.map((shard: any) => [shard.ShardId, shard.ParentShardId, shard.HashKeyRange.StartingHashKey]), [
        ["shardId-000000000000", undefined, "0"],
        ["shardId-000000000001", "shardId-000000000000", "0"],
        ["shardId-000000000002", "shardId-000000000000", "1000"],
        ["shardId-000000000003", "shardId-000000000002", "1000"],
        ["shardId-000000000004", "shardId-000000000002", "2000"],
      ]);
    });

    it("splits through the SDK, naming the stream by StreamARN", async () => {
      const name = await activeStream("split-sdk", { ShardCount: 2 });
      await client.send(new SplitShardCommand({ StreamARN: arnOf(name), ShardToSplit: "shardId-000000000001", NewStartingHashKey: "255211775190703847597530955573826158592" }));
      clock.advance(1000);
      const shards = (await client.send(new ListShardsCommand({ StreamName: name, ShardFilter: { Type: "AT_LATEST" } }))).Shards!;
      assert.deepEqual(shards.map((shard) => [shard.ShardId, shard.HashKeyRange!.StartingHashKey, shard.HashKeyRange!.EndingHashKey]), [
        ["shardId-000000000000", "0", "170141183460469231731687303715884105727"],
        ["shardId-000000000002", "170141183460469231731687303715884105728", "255211775190703847597530955573826158591"],
        ["shardId-000000000003", "255211775190703847597530955573826158592", hashKeyMax],
      ]);
    });
  });

  describe("shard quota", () => {
    let limited: TestServer;
    const limitedClock = new ManualClock(Date.now());
    before(async () => {
      limited = await startTestServer({ clock: limitedClock, streams: { shardLimit: 4, updateStreamMs: 1000 } });
    });
    after(() => limited.stop());
    const limitMessage = (current: number, additional: number) =>
      `This request would exceed the shard limit for the account ${limited.accountId} in ${limited.region}. ` +
      `Current shard count for the account: ${current}. Limit: 4. Number of additional shards that would have resulted from this request: ${additional}. ` +
      "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.";

    it("counts a pending split's child, and refuses a split over the limit before checking the hash key", async () => {
      const name = randomStreamName("split-limited");
      await ok(limited, "CreateStream", { StreamName: name, ShardCount: 3 });
      await ok(limited, action, { StreamName: name, ShardToSplit: "shardId-0", NewStartingHashKey: "2" });
      // While UPDATING the account already counts the shard the split will add.
      await assertError(limited, "CreateStream", { StreamName: randomStreamName("split-limited"), ShardCount: 1 }, "LimitExceededException", limitMessage(4, 1));
      limitedClock.advance(1000);
      await assertError(limited, action, { StreamName: name, ShardToSplit: "shardId-1", NewStartingHashKey: "1" }, "LimitExceededException", limitMessage(4, 1));
    });
  });

  describe("taking effect at once (updateStreamMs 0)", () => {
    let instant: TestServer;
    let instantClient: KinesisClient;
    before(async () => {
      instant = await startTestServer();
      instantClient = kinesisClient(instant);
    });
    after(async () => {
      instantClient.destroy();
      await instant.stop();
    });

    it("routes the very next write to a child and describes the children at once", async () => {
      const name = randomStreamName("split-instant");
      await ok(instant, "CreateStream", { StreamName: name, ShardCount: 1 });
      await instantClient.send(new SplitShardCommand({ StreamName: name, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000" }));
      const put = await instantClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("x"), ExplicitHashKey: "999" }));
      assert.equal(put.ShardId, "shardId-000000000001");
      const description = (await instantClient.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription!;
      assert.equal(description.StreamStatus, "ACTIVE");
      assert.deepEqual(description.Shards!.map((shard) => shard.ShardId), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
    });
  });
});
