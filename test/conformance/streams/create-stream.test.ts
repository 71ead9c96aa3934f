import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, LimitExceededException, ListTagsForStreamCommand, ResourceInUseException,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { jsonCall } from "../../helpers/raw.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "CreateStream";

describe("CreateStream", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a ShardCount that is not an integer", () => assertWrongTypes(server, action, "ShardCount", "Integer"));
    it("rejects StreamModeDetails that is not a structure", () => assertWrongTypes(server, action, "StreamModeDetails", "Structure"));
    it("rejects a StreamMode that is not a string", () => assertWrongTypes(server, action, "StreamModeDetails.StreamMode", "String"));
    it("rejects Tags that is not a map", () => assertWrongTypes(server, action, "Tags", "Map"));
    it("rejects a tag value that is not a string", () => assertWrongTypes(server, action, "Tags.a", "String"));
  });

  describe("validation", () => {
    it("requires StreamName", () =>
      assertValidation(server, action, {}, ["Value null at 'streamName' failed to satisfy constraint: Member must not be null"]));

    it("reports every broken constraint of an empty name and a zero ShardCount, in order", () =>
      assertValidation(server, action, { StreamName: "", ShardCount: 0 }, [
        "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a name longer than 128 characters", () => {
      const name = "a".repeat(129);
      return assertValidation(server, action, { StreamName: name, ShardCount: 1 }, [
        `Value '${name}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("rejects a stream mode outside the enum and a missing one", async () => {
      await assertValidation(server, action, { StreamName: "a", StreamModeDetails: { StreamMode: "SOMETIMES" } }, [
        "Value 'SOMETIMES' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
      ]);
      await assertValidation(server, action, { StreamName: "a", StreamModeDetails: {} }, [
        "Value null at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must not be null",
      ]);
    });

    it("rejects empty Tags and over-long tag keys and values", async () => {
      await assertValidation(server, action, { StreamName: "a", Tags: {} }, [
        "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]);
      const key = "k".repeat(129);
      await assertValidation(server, action, { StreamName: "a", Tags: { [key]: "v" } }, [
        `Value '{${key}=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]`,
      ]);
      const value = "v".repeat(257);
      await assertValidation(server, action, { StreamName: "a", Tags: { k: value } }, [
        `Value '{k=${value}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]`,
      ]);
    });

    it("requires ShardCount for an explicitly PROVISIONED stream", () =>
      assertError(server, action, { StreamName: randomStreamName(), StreamModeDetails: { StreamMode: "PROVISIONED" } },
        "InvalidArgumentException", "ShardCount is expected when StreamMode=PROVISIONED"));

    it("refuses ShardCount for an ON_DEMAND stream", () =>
      assertError(server, action, { StreamName: randomStreamName(), ShardCount: 2, StreamModeDetails: { StreamMode: "ON_DEMAND" } },
        "InvalidArgumentException", "ShardCount is not expected when StreamMode=ON_DEMAND"));

    it("refuses tags with characters AWS does not allow", async () => {
      await assertError(server, action, { StreamName: randomStreamName(), ShardCount: 1, Tags: { "a;b": "1" } },
        "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.");
      const name = randomStreamName();
      await assertError(server, action, { StreamName: name, ShardCount: 1, Tags: { a: "100%" } }, "InvalidArgumentException",
        `Failed to add tags to stream ${name} under account ${server.accountId} because some tags contained illegal characters. ` +
          "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.");
    });

    it("refuses more than 50 tags", () => {
      const name = randomStreamName();
      const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
      return assertError(server, action, { StreamName: name, ShardCount: 1, Tags: tags }, "InvalidArgumentException",
        `Failed to add tags to stream ${name} under account ${server.accountId} because a given stream cannot have more than 10 tags associated with it.`);
    });
  });

  describe("behaviour", () => {
    it("refuses a name already in use", async () => {
      const name = randomStreamName();
      await ok(server, action, { StreamName: name, ShardCount: 1 });
      await assertError(server, action, { StreamName: name, ShardCount: 1 },
        "ResourceInUseException", `Stream ${name} under account ${server.accountId} already exists.`);
    });

    it("lets only one of two concurrent creates of a name succeed", async () => {
      const name = randomStreamName();
      const responses = await Promise.all([1, 2].map((shards) => jsonCall(server.url, action, { StreamName: name, ShardCount: shards })));
      assert.deepEqual(responses.map((response) => response.statusCode).sort(), [200, 400]);
    });

    it("splits the hash key space evenly over the shards", async () => {
      const name = randomStreamName();
      await ok(server, action, { StreamName: name, ShardCount: 3 });
      const body = await ok(server, "DescribeStream", { StreamName: name });
      assert.deepEqual(
        body.StreamDescription.Shards.map((shard: any) => [shard.ShardId, shard.HashKeyRange.StartingHashKey, shard.HashKeyRange.EndingHashKey]),
        [
          ["shardId-000000000000", "0", "113427455640312821154458202477256070484"],
          ["shardId-000000000001", "113427455640312821154458202477256070485", "226854911280625642308916404954512140969"],
          ["shardId-000000000002", "226854911280625642308916404954512140970", "340282366920938463463374607431768211455"],
        ],
      );
    });

    it("makes a bare request an ON_DEMAND stream of four shards", async () => {
      const name = randomStreamName();
      await ok(server, action, { StreamName: name });
      const summary = (await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary;
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "ON_DEMAND" });
      assert.equal(summary.OpenShardCount, 4);
    });

    it("keeps the tags given at creation", async () => {
      const name = randomStreamName();
      await ok(server, action, { StreamName: name, ShardCount: 1, Tags: { team: "data", "cost centre": "42:a" } }, "cbor");
      const body = await ok(server, "ListTagsForStream", { StreamName: name });
      assert.deepEqual(body, { Tags: [{ Key: "cost centre", Value: "42:a" }, { Key: "team", Value: "data" }], HasMoreTags: false });
    });

    it("creates through the SDK, and the SDK sees ResourceInUseException on a second create", async () => {
      const name = randomStreamName("sdk");
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2, Tags: { a: "b" } }));
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary!;
      assert.equal(summary.StreamName, name);
      assert.equal(summary.OpenShardCount, 2);
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "PROVISIONED" });
      assert.deepEqual((await client.send(new ListTagsForStreamCommand({ StreamName: name }))).Tags, [{ Key: "a", Value: "b" }]);
      await assert.rejects(client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 })), (error: unknown) => {
        assert.ok(error instanceof ResourceInUseException);
        assert.equal(error.message, `Stream ${name} under account ${server.accountId} already exists.`);
        return true;
      });
    });
  });

  describe("shard quota", () => {
    let limited: TestServer;
    before(async () => {
      limited = await startTestServer({ streams: { shardLimit: 5 } });
    });
    after(() => limited.stop());

    it("refuses shards beyond config.shardLimit, counting only PROVISIONED streams", async () => {
      await ok(limited, action, { StreamName: "first", ShardCount: 3 });
      await ok(limited, action, { StreamName: "on-demand" });
      await assertError(limited, action, { StreamName: "second", ShardCount: 3 }, "LimitExceededException",
        `This request would exceed the shard limit for the account ${limited.accountId} in ${limited.region}. ` +
          "Current shard count for the account: 3. Limit: 5. Number of additional shards that would have resulted from this request: 3. " +
          "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
          "for current limits and how to request higher limits.");
      await ok(limited, action, { StreamName: "second", ShardCount: 2 });
    });
  });

  describe("on-demand stream quota", () => {
    let limited: TestServer;
    let limitedClient: KinesisClient;
    before(async () => {
      limited = await startTestServer({ streams: { shardLimit: 1 } });
      limitedClient = kinesisClient(limited);
    });
    after(async () => {
      limitedClient.destroy();
      await limited.stop();
    });
    const limitMessage = (current: number) =>
      `This request would exceed the on-demand stream limit for the account ${limited.accountId} in ${limited.region}. ` +
      `Current on-demand stream count for the account: ${current}. Limit: 50. ` +
      "Number of additional on-demand streams that would have resulted from this request: 1. " +
      "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.";

    it("refuses an ON_DEMAND stream past the account's 50, explicit or by default, counting only ON_DEMAND streams", async () => {
      await ok(limited, action, { StreamName: "provisioned", ShardCount: 1 });
      // ON_DEMAND streams take no shard quota: fifty of them fit beside a shard limit of 1.
      // Every creation settles before the test goes on, even when one fails: none is left in flight
      // to take a place the next test frees.
      const created = await Promise.allSettled(
        Array.from({ length: 25 }, (_, index) => [
          ok(limited, action, { StreamName: `explicit-${index}`, StreamModeDetails: { StreamMode: "ON_DEMAND" } }),
          ok(limited, action, { StreamName: `bare-${index}` }),
        ]).flat(),
      );
      assert.deepEqual(created.flatMap((outcome) => (outcome.status === "rejected" ? [String(outcome.reason)] : [])), []);
      await assertError(limited, action, { StreamName: "one-more", StreamModeDetails: { StreamMode: "ON_DEMAND" } }, "LimitExceededException", limitMessage(50));
      await assertError(limited, action, { StreamName: "one-more" }, "LimitExceededException", limitMessage(50));
      await assert.rejects(limitedClient.send(new CreateStreamCommand({ StreamName: "one-more", StreamModeDetails: { StreamMode: "ON_DEMAND" } })), (error) => {
        assert.ok(error instanceof LimitExceededException);
        assert.equal(error.message, limitMessage(50));
        return true;
      });
      assert.equal((await ok(limited, "DescribeLimits", {})).OnDemandStreamCount, 50);
      await assertError(limited, "DescribeStreamSummary", { StreamName: "one-more" }, "ResourceNotFoundException",
        `Stream one-more under account ${limited.accountId} not found.`);
    });

    it("takes an ON_DEMAND stream again once one is deleted", async () => {
      await ok(limited, "DeleteStream", { StreamName: "bare-0" });
      await limitedClient.send(new CreateStreamCommand({ StreamName: "one-more", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
      const summary = (await limitedClient.send(new DescribeStreamSummaryCommand({ StreamName: "one-more" }))).StreamDescriptionSummary!;
      assert.equal(summary.StreamModeDetails?.StreamMode, "ON_DEMAND");
      await assertError(limited, action, { StreamName: "bare-0" }, "LimitExceededException", limitMessage(50));
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 5000 } });
    });
    after(() => timed.stop());

    it("is CREATING until config.createStreamMs has passed, then ACTIVE", async () => {
      await ok(timed, action, { StreamName: "slow", ShardCount: 1 });
      assert.equal((await ok(timed, "DescribeStreamSummary", { StreamName: "slow" })).StreamDescriptionSummary.StreamStatus, "CREATING");
      clock.advance(4999);
      assert.equal((await ok(timed, "DescribeStreamSummary", { StreamName: "slow" })).StreamDescriptionSummary.StreamStatus, "CREATING");
      clock.advance(1);
      assert.equal((await ok(timed, "DescribeStreamSummary", { StreamName: "slow" })).StreamDescriptionSummary.StreamStatus, "ACTIVE");
    });
  });
});
