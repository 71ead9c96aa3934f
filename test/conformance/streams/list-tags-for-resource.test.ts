import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListTagsForResourceCommand, ResourceNotFoundException } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";

const action = "ListTagsForResource";

describe("ListTagsForResource", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("tagged");
  let arn = "";
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    arn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1, Tags: { zeta: "z", alpha: "a" } });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a ResourceARN that is not a string", () => assertWrongTypes(server, action, "ResourceARN", "String"));
  });

  describe("validation", () => {
    it("requires ResourceARN", () =>
      assertValidation(server, action, {}, ["Value null at 'resourceARN' failed to satisfy constraint: Member must not be null"]));

    it("rejects an ARN that is not Kinesis's", () =>
      assertValidation(server, action, { ResourceARN: "arn:aws:sqs:us-east-1:000000000000:queue" }, [
        "Value 'arn:aws:sqs:us-east-1:000000000000:queue' at 'resourceARN' failed to satisfy constraint: " +
          "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel)/\\S+",
      ]));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { ResourceARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${unknown}` },
        "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("lists every tag in key order, without paging members", async () => {
      assert.deepEqual(await ok(server, action, { ResourceARN: arn }, "cbor"), { Tags: [{ Key: "alpha", Value: "a" }, { Key: "zeta", Value: "z" }] });
    });

    it("lists through the SDK, which sees ResourceNotFoundException for an unknown stream", async () => {
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [
        { Key: "alpha", Value: "a" },
        { Key: "zeta", Value: "z" },
      ]);
      await assert.rejects(client.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-gone` })), ResourceNotFoundException);
    });
  });
});
