import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListStreamsCommand, paginateListStreams } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "ListStreams";
/** 105 streams: more than one 100-stream page. Zero-padded, so name order is number order. */
const names = Array.from({ length: 105 }, (_, i) => `stream-${String(i).padStart(3, "0")}`);

describe("ListStreams", () => {
  let server: TestServer;
  let client: KinesisClient;
  const createdMs = Date.now();
  const clock = new ManualClock(createdMs);
  before(async () => {
    server = await startTestServer({ clock });
    client = kinesisClient(server);
    for (const name of names) await ok(server, "CreateStream", { StreamName: name, ShardCount: 2 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a Limit that is not an integer", () => assertWrongTypes(server, action, "Limit", "Integer"));
    it("rejects an ExclusiveStartStreamName that is not a string", () => assertWrongTypes(server, action, "ExclusiveStartStreamName", "String"));
    it("rejects a NextToken that is not a string", () => assertWrongTypes(server, action, "NextToken", "String"));
  });

  describe("validation", () => {
    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { ExclusiveStartStreamName: "", Limit: 0, NextToken: "" }, [
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        "Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("rejects a Limit above 10000 and a long ExclusiveStartStreamName", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { ExclusiveStartStreamName: long, Limit: 1000000 }, [
        "Value '1000000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
        `Value '${long}' at 'exclusiveStartStreamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("refuses NextToken together with ExclusiveStartStreamName", async () => {
      const token = (await ok(server, action, { Limit: 1 })).NextToken;
      await assertError(server, action, { NextToken: token, ExclusiveStartStreamName: "a" }, "InvalidArgumentException",
        "NextToken and ExclusiveStartStreamName cannot be provided together.");
    });

    it("refuses a NextToken it did not issue, or one altered", async () => {
      await assertError(server, action, { NextToken: "garbage" }, "InvalidArgumentException", "Invalid NextToken.");
      const token: string = (await ok(server, action, { Limit: 1 })).NextToken;
      const bytes = Buffer.from(token, "base64");
      bytes[12] = bytes[12]! ^ 1;
      await assertError(server, action, { NextToken: bytes.toString("base64") }, "InvalidArgumentException", "Invalid NextToken.");
    });

    it("refuses a ListShards NextToken", async () => {
      const token = (await ok(server, "ListShards", { StreamName: "stream-000", MaxResults: 1 })).NextToken;
      await assertError(server, action, { NextToken: token }, "InvalidArgumentException", "Invalid NextToken.");
    });

    it("answers ExpiredNextTokenException for a token older than 300 seconds", async () => {
      const token = (await ok(server, action, { Limit: 1 })).NextToken;
      clock.advance(300_000);
      assert.deepEqual((await ok(server, action, { NextToken: token, Limit: 1 })).StreamNames, ["stream-001"]);
      clock.advance(1);
      await assertError(server, action, { NextToken: token }, "ExpiredNextTokenException", "The NextToken has expired. Tokens are valid for 300 seconds.");
    });
  });

  describe("behaviour", () => {
    it("lists at most 100 names a call, in name order, with summaries", async () => {
      const body = await ok(server, action, { Limit: 10000 });
      assert.deepEqual(body.StreamNames, names.slice(0, 100));
      assert.equal(body.HasMoreStreams, true);
      assert.equal(typeof body.NextToken, "string");
      assert.deepEqual(body.StreamSummaries[0], {
        StreamName: "stream-000",
        StreamARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/stream-000`,
        StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: "PROVISIONED" },
        StreamCreationTimestamp: createdMs / 1000,
      });
      assert.deepEqual(body.StreamSummaries.map((summary: any) => summary.StreamName), body.StreamNames);
    });

    it("pages with ExclusiveStartStreamName", async () => {
      const body = await ok(server, action, { ExclusiveStartStreamName: "stream-102", Limit: 1 });
      assert.deepEqual(body.StreamNames, ["stream-103"]);
      assert.equal(body.HasMoreStreams, true);
      const last = await ok(server, action, { ExclusiveStartStreamName: "stream-103" });
      assert.deepEqual(last.StreamNames, ["stream-104"]);
      assert.equal(last.HasMoreStreams, false);
      assert.equal(last.NextToken, undefined);
    });

    it("pages with NextToken to the end", async () => {
      const seen: string[] = [];
      let body = await ok(server, action, { Limit: 40 });
      seen.push(...body.StreamNames);
      while (body.NextToken) {
        body = await ok(server, action, { NextToken: body.NextToken, Limit: 40 });
        seen.push(...body.StreamNames);
      }
      assert.deepEqual(seen, names);
    });

    it("writes StreamCreationTimestamp as tag 1 epoch milliseconds in CBOR", async () => {
      const body = (await call(server, "cbor", action, { Limit: 1 })).body;
      assert.deepEqual(body.StreamSummaries[0].StreamCreationTimestamp, { tag1: createdMs });
    });

    it("lists every stream through the SDK paginator, timestamps as Dates", async () => {
      const seen: string[] = [];
      for await (const page of paginateListStreams({ client, pageSize: 30 }, {})) seen.push(...(page.StreamNames ?? []));
      assert.deepEqual(seen, names);
      const first = await client.send(new ListStreamsCommand({ Limit: 1 }));
      const created = first.StreamSummaries![0]!.StreamCreationTimestamp!;
      assert.ok(created instanceof Date);
      assert.ok(Math.abs(created.getTime() - Date.now()) < 60 * 60_000, "near now");
    });
  });
});
