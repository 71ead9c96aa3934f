import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListTagsForResourceCommand, TagResourceCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";

const action = "TagResource";
const resourceArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel)/\\S+";

describe("TagResource", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("tagged");
  let arn = "";
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    arn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects Tags that is not a map", () => assertWrongTypes(server, action, "Tags", "Map", { ResourceARN: arn }));
    it("rejects a tag value that is not a string", () => assertWrongTypes(server, action, "Tags.a", "String", { ResourceARN: arn }));
    it("rejects a ResourceARN that is not a string", () => assertWrongTypes(server, action, "ResourceARN", "String", { Tags: { a: "b" } }));
  });

  describe("validation", () => {
    it("requires Tags and ResourceARN", () =>
      assertValidation(server, action, {}, [
        "Value null at 'tags' failed to satisfy constraint: Member must not be null",
        "Value null at 'resourceARN' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { Tags: {}, ResourceARN: "" }, [
        "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value '' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${resourceArnPattern}`,
        "Value '' at 'resourceARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("refuses an ARN that is not a data stream's", () => {
      const consumer = `${arn}/consumer/reader:1700000000`;
      return assertError(server, action, { Tags: { a: "b" }, ResourceARN: consumer }, "InvalidArgumentException",
        `Invalid ResourceARN: ${consumer}. Only Kinesis data stream ARNs are supported.`);
    });

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { Tags: { a: "b" }, ResourceARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${unknown}` },
        "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("checks tags as AddTagsToStream does", async () => {
      await assertError(server, action, { Tags: { "a;b": "c" }, ResourceARN: arn }, "InvalidArgumentException",
        "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.");
      await assertError(server, action, { Tags: { "aws:x": "c" }, ResourceARN: arn }, "InvalidArgumentException",
        `Failed to add tags to stream ${name} under account ${server.accountId} because some tags use the prefix 'aws:', which is reserved for AWS use.`);
    });
  });

  describe("behaviour", () => {
    it("tags the stream the ARN names", async () => {
      await ok(server, action, { Tags: { team: "data", tier: "1" }, ResourceARN: arn }, "cbor");
      assert.deepEqual((await ok(server, "ListTagsForStream", { StreamName: name })).Tags, [
        { Key: "team", Value: "data" },
        { Key: "tier", Value: "1" },
      ]);
    });

    it("tags through the SDK", async () => {
      await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: { owner: "sdk" } }));
      const tags = (await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags!;
      assert.deepEqual(tags.find((tag) => tag.Key === "owner"), { Key: "owner", Value: "sdk" });
    });
  });
});
