import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AddTagsToStreamCommand, KinesisClient, ListTagsForStreamCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "AddTagsToStream";
const invalidCharacters = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.";

describe("AddTagsToStream", () => {
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
    it("rejects Tags that is not a map", () => assertWrongTypes(server, action, "Tags", "Map", { StreamName: name }));
    it("rejects a tag value that is not a string", () => assertWrongTypes(server, action, "Tags.a", "String", { StreamName: name }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { Tags: { a: "b" } }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { Tags: { a: "b" } }));
  });

  describe("validation", () => {
    it("requires Tags", () =>
      assertValidation(server, action, { StreamName: name }, ["Value null at 'tags' failed to satisfy constraint: Member must not be null"]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamName: "", Tags: {} }, [
        "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects an over-long tag key or value", async () => {
      const key = "k".repeat(129);
      await assertValidation(server, action, { StreamName: name, Tags: { [key]: "3" } }, [
        `Value '{${key}=3}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]`,
      ]);
      const value = "v".repeat(257);
      await assertValidation(server, action, { StreamName: name, Tags: { c: value } }, [
        `Value '{c=${value}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { Tags: { a: "b" } }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, Tags: { a: "b" } }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("refuses characters outside AWS's set, in keys and in values", async () => {
      for (const text of ["abc;def", "abc\tdef", "abc\ndef", "abc,def"]) {
        await assertError(server, action, { StreamName: name, Tags: { [text]: "1" } }, "InvalidArgumentException", invalidCharacters);
        await assertError(server, action, { StreamName: name, Tags: { a: text } }, "InvalidArgumentException", invalidCharacters);
      }
    });

    it("refuses '%' with its own message", async () => {
      const message = `Failed to add tags to stream ${name} under account ${server.accountId} because some tags contained illegal characters. ` +
        "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.";
      await assertError(server, action, { StreamName: name, Tags: { "abc%def": "1" } }, "InvalidArgumentException", message);
      await assertError(server, action, { StreamName: name, Tags: { a: "abc%def" } }, "InvalidArgumentException", message);
    });

    it("refuses keys with the reserved aws: prefix", () =>
      assertError(server, action, { StreamName: name, Tags: { "aws:owner": "me" } }, "InvalidArgumentException",
        `Failed to add tags to stream ${name} under account ${server.accountId} because some tags use the prefix 'aws:', which is reserved for AWS use.`));
  });

  describe("behaviour", () => {
    it("adds and overwrites tags, Unicode and symbols included", async () => {
      const stream = randomStreamName();
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await ok(server, action, { StreamName: stream, Tags: { a: "a", "ü0 _.": "a", "/=+-@:": "a", b: "ü0 _./=+-@:", c: "" } });
      await ok(server, action, { StreamName: stream, Tags: { a: "b" } }, "cbor");
      assert.deepEqual(await tagsOf(stream), [
        { Key: "/=+-@:", Value: "a" },
        { Key: "a", Value: "b" },
        { Key: "b", Value: "ü0 _./=+-@:" },
        { Key: "c", Value: "" },
        { Key: "ü0 _.", Value: "a" },
      ]);
    });

    it("allows 50 tags on a stream and no more", async () => {
      const stream = randomStreamName();
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1, Tags: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`k${i}`, "v"])) });
      await ok(server, action, { StreamName: stream, Tags: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`n${i}`, "v"])) });
      // Overwriting an existing key adds nothing.
      await ok(server, action, { StreamName: stream, Tags: { k0: "changed" } });
      await assertError(server, action, { StreamName: stream, Tags: { one: "too many" } }, "InvalidArgumentException",
        `Failed to add tags to stream ${stream} under account ${server.accountId} because a given stream cannot have more than 10 tags associated with it.`);
      assert.equal((await tagsOf(stream)).length, 50);
    });

    it("keeps every tag of concurrent requests", async () => {
      const stream = randomStreamName();
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await Promise.all(Array.from({ length: 8 }, (_, i) => ok(server, action, { StreamName: stream, Tags: { [`t${i}`]: String(i) } })));
      assert.equal((await tagsOf(stream)).length, 8);
    });

    it("tags through the SDK by StreamARN", async () => {
      const StreamARN = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
      await client.send(new AddTagsToStreamCommand({ StreamARN, Tags: { project: "tributary" } }));
      const listed = await client.send(new ListTagsForStreamCommand({ StreamARN }));
      assert.deepEqual(listed.Tags, [{ Key: "project", Value: "tributary" }]);
      assert.equal(listed.HasMoreTags, false);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("answers ResourceInUseException until the stream is ACTIVE", async () => {
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 1 });
      await assertError(timed, action, { StreamName: "young", Tags: { a: "b" } }, "ResourceInUseException",
        `Stream young under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, action, { StreamName: "young", Tags: { a: "b" } });
    });
  });
});
