import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListTagsForStreamCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";

const action = "ListTagsForStream";

describe("ListTagsForStream", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("tagged");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1, Tags: { c: "3", a: "1", b: "2", d: "" } });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a Limit that is not an integer", () => assertWrongTypes(server, action, "Limit", "Integer", { StreamName: name }));
    it("rejects an ExclusiveStartTagKey that is not a string", () => assertWrongTypes(server, action, "ExclusiveStartTagKey", "String", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
  });

  describe("validation", () => {
    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", ExclusiveStartTagKey: "", Limit: 0 }, [
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'exclusiveStartTagKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a Limit above 50 and over-long names", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { StreamName: long, ExclusiveStartTagKey: long, Limit: 100 }, [
        "Value '100' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
        `Value '${long}' at 'exclusiveStartTagKey' failed to satisfy constraint: Member must have length less than or equal to 128`,
        `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, {}, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, ExclusiveStartTagKey: "a", Limit: 1 }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("lists every tag in key order", async () => {
      assert.deepEqual(await ok(server, action, { StreamName: name }, "cbor"), {
        Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }, { Key: "c", Value: "3" }, { Key: "d", Value: "" }],
        HasMoreTags: false,
      });
    });

    it("pages with Limit and ExclusiveStartTagKey", async () => {
      assert.deepEqual(await ok(server, action, { StreamName: name, Limit: 2 }), {
        Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }],
        HasMoreTags: true,
      });
      assert.deepEqual(await ok(server, action, { StreamName: name, Limit: 2, ExclusiveStartTagKey: "b" }), {
        Tags: [{ Key: "c", Value: "3" }, { Key: "d", Value: "" }],
        HasMoreTags: false,
      });
      // The start key need not be a tag the stream has.
      assert.deepEqual((await ok(server, action, { StreamName: name, ExclusiveStartTagKey: "bb" })).Tags.map((tag: any) => tag.Key), ["c", "d"]);
    });

    it("lists an untagged stream as empty", async () => {
      const bare = randomStreamName();
      await ok(server, "CreateStream", { StreamName: bare, ShardCount: 1 });
      assert.deepEqual(await ok(server, action, { StreamName: bare }), { Tags: [], HasMoreTags: false });
    });

    it("lists through the SDK", async () => {
      const listed = await client.send(new ListTagsForStreamCommand({ StreamName: name, Limit: 3 }));
      assert.deepEqual(listed.Tags!.map((tag) => tag.Key), ["a", "b", "c"]);
      assert.equal(listed.HasMoreTags, true);
    });
  });
});
