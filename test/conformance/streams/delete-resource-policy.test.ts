import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DeleteResourcePolicyCommand, GetResourcePolicyCommand, KinesisClient, PutResourcePolicyCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf, consumerArnOf, policyFor, restartableServer } from "./stream-settings-helpers.js";

const action = "DeleteResourcePolicy";

describe("DeleteResourcePolicy", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("unshared");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const policyOf = async (target: TestServer, resourceArn: string) => (await ok(target, "GetResourcePolicy", { ResourceARN: resourceArn })).Policy;

  describe("serialization", () => {
    it("rejects a ResourceARN that is not a string", () => assertWrongTypes(server, action, "ResourceARN", "String"));
  });

  describe("validation", () => {
    it("requires ResourceARN", () =>
      assertValidation(server, action, {}, ["Value null at 'resourceARN' failed to satisfy constraint: Member must not be null"]));

    it("checks the ARN's pattern", () =>
      assertValidation(server, action, { ResourceARN: name }, [
        `Value '${name}' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel)/\\S+`,
      ]));

    it("answers ResourceNotFoundException for an unknown stream or consumer", async () => {
      const unknown = randomStreamName();
      await assertError(server, action, { ResourceARN: arnOf(server, unknown) }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
      const consumer = consumerArnOf(server, name, "reader");
      await assertError(server, action, { ResourceARN: consumer }, "ResourceNotFoundException", `Consumer ${consumer} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("removes the policy, in JSON and CBOR", async () => {
      for (const format of formats) {
        const stream = randomStreamName(`deleted-${format}`);
        await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
        await ok(server, "PutResourcePolicy", { ResourceARN: arnOf(server, stream), Policy: policyFor(arnOf(server, stream)) });
        const response = await call(server, format, action, { ResourceARN: arnOf(server, stream) });
        assert.equal(response.statusCode, 200);
        assert.equal(response.body, undefined);
        assert.equal(await policyOf(server, arnOf(server, stream)), "{}");
      }
    });

    it("leaves a stream without a policy as it is", async () => {
      await ok(server, action, { ResourceARN: arnOf(server, name) });
      await ok(server, action, { ResourceARN: arnOf(server, name) }, "cbor");
      assert.equal(await policyOf(server, arnOf(server, name)), "{}");
    });

    it("removes through the SDK", async () => {
      const stream = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const ResourceARN = arnOf(server, stream);
      await client.send(new PutResourcePolicyCommand({ ResourceARN, Policy: policyFor(ResourceARN) }));
      await client.send(new DeleteResourcePolicyCommand({ ResourceARN }));
      assert.equal((await client.send(new GetResourcePolicyCommand({ ResourceARN }))).Policy, "{}");
    });
  });

  describe("durability", () => {
    it("stays removed across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        await ok(first, "CreateStream", { StreamName: "kept", ShardCount: 1 });
        await ok(first, "PutResourcePolicy", { ResourceARN: arnOf(first, "durable"), Policy: policyFor(arnOf(first, "durable")) });
        await ok(first, "PutResourcePolicy", { ResourceARN: arnOf(first, "kept"), Policy: policyFor(arnOf(first, "kept")) });
        await ok(first, action, { ResourceARN: arnOf(first, "durable") });
        const again = await restartable.restart();
        assert.equal(await policyOf(again, arnOf(again, "durable")), "{}");
        assert.equal(await policyOf(again, arnOf(again, "kept")), policyFor(arnOf(again, "kept")));
      } finally {
        await restartable.close();
      }
    });
  });
});
