import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetResourcePolicyCommand, KinesisClient, ResourceNotFoundException } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf, consumerArnOf, policyFor } from "./stream-settings-helpers.js";

const action = "GetResourcePolicy";

describe("GetResourcePolicy", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("read");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
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

    it("checks the ARN's pattern and length", () =>
      assertValidation(server, action, { ResourceARN: "" }, [
        "Value '' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel)/\\S+",
        "Value '' at 'resourceARN' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("answers ResourceNotFoundException for an unknown stream or consumer", async () => {
      const unknown = randomStreamName();
      await assertError(server, action, { ResourceARN: arnOf(server, unknown) }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
      const consumer = consumerArnOf(server, name, "reader");
      await assertError(server, action, { ResourceARN: consumer }, "ResourceNotFoundException", `Consumer ${consumer} under account ${server.accountId} not found.`);
      await assert.rejects(client.send(new GetResourcePolicyCommand({ ResourceARN: arnOf(server, unknown) })), ResourceNotFoundException);
    });
  });

  describe("behaviour", () => {
    it("answers {} for a stream without a policy, in JSON and CBOR", async () => {
      for (const format of formats) {
        const response = await call(server, format, action, { ResourceARN: arnOf(server, name) });
        assert.equal(response.statusCode, 200);
        assert.deepEqual(response.body, { Policy: "{}" });
      }
    });

    it("answers the policy exactly as it was put, in JSON and CBOR", async () => {
      const stream = randomStreamName("with-policy");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const policy = policyFor(arnOf(server, stream));
      await ok(server, "PutResourcePolicy", { ResourceARN: arnOf(server, stream), Policy: policy });
      for (const format of formats) {
        assert.deepEqual((await call(server, format, action, { ResourceARN: arnOf(server, stream) })).body, { Policy: policy });
      }
    });

    it("reads through the SDK", async () => {
      assert.equal((await client.send(new GetResourcePolicyCommand({ ResourceARN: arnOf(server, name) }))).Policy, "{}");
    });
  });
});
