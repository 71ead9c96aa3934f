import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListStreamConsumersCommand, paginateListStreamConsumers, type Consumer } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "ListStreamConsumers";
const streamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
const names = (body: any): string[] => body.Consumers.map((consumer: any) => consumer.ConsumerName);

describe("ListStreamConsumers", () => {
  let server: TestServer;
  let client: KinesisClient;
  const startMs = Date.UTC(2026, 0, 1);
  const clock = new ManualClock(startMs);
  const register = (stream: string, name: string) => ok(server, "RegisterStreamConsumer", { StreamARN: arnOf(server, stream), ConsumerName: name });
  before(async () => {
    server = await startTestServer({ clock, streams: { createStreamMs: 1000, deleteStreamMs: 1000 } });
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: "many", ShardCount: 1 });
    await ok(server, "CreateStream", { StreamName: "none", ShardCount: 1 });
    clock.advance(1000);
    // Registered out of name order, two in the same millisecond: listed by registration time, then name.
    for (const name of ["delta", "alpha", "echo"]) {
      await register("many", name);
      clock.advance(10);
    }
    await register("many", "charlie");
    await register("many", "bravo");
    clock.advance(1000);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
    it("rejects a NextToken that is not a string", () => assertWrongTypes(server, action, "NextToken", "String", { StreamARN: arnOf(server, "many") }));
    it("rejects a MaxResults that is not an integer", () => assertWrongTypes(server, action, "MaxResults", "Integer", { StreamARN: arnOf(server, "many") }));
    it("rejects a StreamCreationTimestamp that is not a timestamp", () =>
      assertWrongTypes(server, action, "StreamCreationTimestamp", "Timestamp", { StreamARN: arnOf(server, "many") }));
  });

  describe("validation", () => {
    it("requires StreamARN", () =>
      assertValidation(server, action, {}, ["Value null at 'streamARN' failed to satisfy constraint: Member must not be null"]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamARN: "stream", NextToken: "", MaxResults: 0 }, [
        `Value 'stream' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${streamArnPattern}`,
        "Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
      ]));

    it("rejects a MaxResults above 10000", () =>
      assertValidation(server, action, { StreamARN: arnOf(server, "many"), MaxResults: 10001 }, [
        "Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000",
      ]));

    it("answers ResourceNotFoundException for an unknown stream", () =>
      assertError(server, action, { StreamARN: arnOf(server, "unknown") }, "ResourceNotFoundException",
        `Stream unknown under account ${server.accountId} not found.`));

    it("answers ResourceNotFoundException for a StreamCreationTimestamp of another incarnation", () =>
      assertError(server, action, { StreamARN: arnOf(server, "many"), StreamCreationTimestamp: startMs / 1000 - 60 }, "ResourceNotFoundException",
        `Stream many under account ${server.accountId} not found.`));

    it("refuses a NextToken with a StreamCreationTimestamp, one not ours, and one from another stream", async () => {
      const first = await ok(server, action, { StreamARN: arnOf(server, "many"), MaxResults: 1 });
      await assertError(server, action, { StreamARN: arnOf(server, "many"), NextToken: first.NextToken, StreamCreationTimestamp: startMs / 1000 },
        "InvalidArgumentException", "NextToken and StreamCreationTimestamp cannot be provided together.");
      await assertError(server, action, { StreamARN: arnOf(server, "many"), NextToken: "bm90IG91cnM=" }, "InvalidArgumentException", "Invalid NextToken.");
      await assertError(server, action, { StreamARN: arnOf(server, "none"), NextToken: first.NextToken }, "InvalidArgumentException", "Invalid NextToken.");
      // Another action's token is signed by the same key, and still refused.
      const listStreams = await ok(server, "ListStreams", { Limit: 1 });
      await assertError(server, action, { StreamARN: arnOf(server, "many"), NextToken: listStreams.NextToken }, "InvalidArgumentException", "Invalid NextToken.");
    });

    it("refuses a NextToken older than 300 seconds", async () => {
      const first = await ok(server, action, { StreamARN: arnOf(server, "many"), MaxResults: 2 });
      clock.advance(300_001);
      await assertError(server, action, { StreamARN: arnOf(server, "many"), NextToken: first.NextToken }, "ExpiredNextTokenException",
        "The NextToken has expired. Tokens are valid for 300 seconds.");
    });
  });

  describe("behaviour", () => {
    it("lists every consumer in JSON and CBOR, as RegisterStreamConsumer and DescribeStreamConsumer show them", async () => {
      for (const format of formats) {
        // JSON carries epoch seconds; CBOR a tagged time.
        const StreamCreationTimestamp = format === "json" ? startMs / 1000 : new Date(startMs);
        const response = await call(server, format, action, { StreamARN: arnOf(server, "many"), StreamCreationTimestamp });
        assert.equal(response.statusCode, 200);
        assert.deepEqual(names(response.body), ["delta", "alpha", "echo", "bravo", "charlie"]);
        assert.equal(response.body.NextToken, undefined);
        for (const consumer of response.body.Consumers) {
          const { StreamARN, ...described } = (await call(server, format, "DescribeStreamConsumer", { ConsumerARN: consumer.ConsumerARN })).body.ConsumerDescription;
          assert.equal(StreamARN, arnOf(server, "many"));
          assert.deepEqual(consumer, { ...described, ConsumerStatus: "ACTIVE" });
        }
      }
      assert.deepEqual(await ok(server, action, { StreamARN: arnOf(server, "none") }), { Consumers: [] });
    });

    it("pages by MaxResults and NextToken, which MaxResults may accompany", async () => {
      const first = await ok(server, action, { StreamARN: arnOf(server, "many"), MaxResults: 2 });
      assert.deepEqual(names(first), ["delta", "alpha"]);
      const second = await ok(server, action, { StreamARN: arnOf(server, "many"), NextToken: first.NextToken, MaxResults: 2 });
      assert.deepEqual(names(second), ["echo", "bravo"]);
      const third = await ok(server, action, { StreamARN: arnOf(server, "many"), NextToken: second.NextToken, MaxResults: 10_000 });
      assert.deepEqual(names(third), ["charlie"]);
      assert.equal(third.NextToken, undefined);
      assert.equal((await ok(server, action, { StreamARN: arnOf(server, "many"), MaxResults: 5 })).NextToken, undefined);
    });

    it("pages on from where it was when consumers come and go between pages", async () => {
      const first = await ok(server, action, { StreamARN: arnOf(server, "many"), MaxResults: 2 });
      await ok(server, "DeregisterStreamConsumer", { StreamARN: arnOf(server, "many"), ConsumerName: "alpha" });
      await ok(server, "DeregisterStreamConsumer", { StreamARN: arnOf(server, "many"), ConsumerName: "echo" });
      const rest = await ok(server, action, { StreamARN: arnOf(server, "many"), NextToken: first.NextToken });
      // Deregistered consumers are listed DELETING until they are gone.
      assert.deepEqual(rest.Consumers.map((consumer: any) => [consumer.ConsumerName, consumer.ConsumerStatus]),
        [["echo", "DELETING"], ["bravo", "ACTIVE"], ["charlie", "ACTIVE"]]);
      clock.advance(1000);
      await register("many", "foxtrot");
      assert.deepEqual(names(await ok(server, action, { StreamARN: arnOf(server, "many"), NextToken: first.NextToken })), ["bravo", "charlie", "foxtrot"]);
    });

    it("lists through the SDK, paginating", async () => {
      const listed = (await client.send(new ListStreamConsumersCommand({ StreamARN: arnOf(server, "many") }))).Consumers!;
      assert.deepEqual(listed.map((consumer) => consumer.ConsumerName), ["delta", "bravo", "charlie", "foxtrot"]);
      assert.ok(listed.every((consumer) => consumer.ConsumerCreationTimestamp instanceof Date));
      const paged: Consumer[] = [];
      let pages = 0;
      for await (const page of paginateListStreamConsumers({ client, pageSize: 3 }, { StreamARN: arnOf(server, "many") })) {
        pages++;
        paged.push(...page.Consumers!);
      }
      assert.equal(pages, 2);
      assert.deepEqual(paged, listed);
    });
  });
});
