import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListTagsForStreamCommand, RemoveTagsFromStreamCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";

const action = "RemoveTagsFromStream";

describe("RemoveTagsFromStream", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("tagged");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const tagsOf = async (streamName: string) => (await ok(server, "ListTagsForStream", { StreamName: streamName })).Tags;

  describe("serialization", () => {
    it("rejects TagKeys that is not a list", () => assertWrongTypes(server, action, "TagKeys", "List", { StreamName: name }));
    it("rejects a tag key that is not a string", () => assertWrongTypes(server, action, "TagKeys.0", "String", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { TagKeys: ["a"] }));
  });

  describe("validation", () => {
    it("requires TagKeys", () =>
      assertValidation(server, action, { StreamName: name }, ["Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", TagKeys: [] }, [
        "Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("reports an over-long key once, on the list", () => {
      const key = "k".repeat(129);
      return assertValidation(server, action, { StreamName: name, TagKeys: ["a", key, "b"] }, [
        `Value '[a, ${key}, b]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]`,
      ]);
    });

    it("rejects more than 50 keys", () => {
      const keys = Array.from({ length: 51 }, (_, i) => String(i));
      return assertValidation(server, action, { StreamName: name, TagKeys: keys }, [
        `Value '[${keys.join(", ")}]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50`,
      ]);
    });

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, TagKeys: [";"] }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("refuses keys with characters outside AWS's set, and '%' with its own message", async () => {
      for (const key of ["abc;def", "abc\tdef", "abc\ndef", "abc,def"]) {
        await assertError(server, action, { StreamName: name, TagKeys: [key] }, "InvalidArgumentException",
          "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.");
      }
      await assertError(server, action, { StreamName: name, TagKeys: ["abc%def"] }, "InvalidArgumentException",
        `Failed to remove tags from stream ${name} under account ${server.accountId} because some tags contained illegal characters. ` +
          "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.");
    });
  });

  describe("behaviour", () => {
    it("removes the named tags and ignores keys the stream lacks", async () => {
      await ok(server, "AddTagsToStream", { StreamName: name, Tags: { a: "a", "ü0 _.": "a", "/=+-@": "a" } });
      await ok(server, action, { StreamName: name, TagKeys: ["ü0 _.", "/=+-@", "b", "c"] }, "cbor");
      assert.deepEqual(await tagsOf(name), [{ Key: "a", Value: "a" }]);
    });

    it("removes through the SDK", async () => {
      const stream = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1, Tags: { keep: "1", drop: "2" } });
      await client.send(new RemoveTagsFromStreamCommand({ StreamName: stream, TagKeys: ["drop"] }));
      assert.deepEqual((await client.send(new ListTagsForStreamCommand({ StreamName: stream }))).Tags, [{ Key: "keep", Value: "1" }]);
    });
  });
});
