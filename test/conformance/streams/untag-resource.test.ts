import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListTagsForResourceCommand, UntagResourceCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";

const action = "UntagResource";

describe("UntagResource", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("tagged");
  let arn = "";
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    arn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1, Tags: { a: "1", b: "2", c: "3" } });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects TagKeys that is not a list", () => assertWrongTypes(server, action, "TagKeys", "List", { ResourceARN: arn }));
    it("rejects a tag key that is not a string", () => assertWrongTypes(server, action, "TagKeys.0", "String", { ResourceARN: arn }));
    it("rejects a ResourceARN that is not a string", () => assertWrongTypes(server, action, "ResourceARN", "String", { TagKeys: ["a"] }));
  });

  describe("validation", () => {
    it("requires TagKeys and ResourceARN", () =>
      assertValidation(server, action, {}, [
        "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
        "Value null at 'resourceARN' failed to satisfy constraint: Member must not be null",
      ]));

    it("rejects an empty key list", () =>
      assertValidation(server, action, { TagKeys: [], ResourceARN: arn }, [
        "Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { TagKeys: ["a"], ResourceARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${unknown}` },
        "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("refuses a StreamARN of another account", () => {
      const foreign = `arn:aws:kinesis:${server.region}:123456789012:stream/${name}`;
      return assertError(server, action, { TagKeys: ["a"], ResourceARN: foreign }, "AccessDeniedException",
        `User is not authorized to access stream ${foreign}: the stream belongs to another account or region.`);
    });
  });

  describe("behaviour", () => {
    it("removes the named keys", async () => {
      await ok(server, action, { TagKeys: ["a", "nothing"], ResourceARN: arn }, "cbor");
      assert.deepEqual((await ok(server, "ListTagsForStream", { StreamName: name })).Tags.map((tag: any) => tag.Key), ["b", "c"]);
    });

    it("removes through the SDK", async () => {
      await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["b"] }));
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: "c", Value: "3" }]);
    });
  });
});
