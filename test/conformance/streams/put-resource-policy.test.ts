import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetResourcePolicyCommand, InvalidArgumentException, KinesisClient, PutResourcePolicyCommand, ResourceNotFoundException } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf, consumerArnOf, policyFor, restartableServer } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "PutResourcePolicy";
const notJson = "Invalid policy document: the policy must be a JSON object.";

describe("PutResourcePolicy", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("shared");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const policyOf = async (resourceArn: string) => (await ok(server, "GetResourcePolicy", { ResourceARN: resourceArn })).Policy;

  describe("serialization", () => {
    it("rejects a ResourceARN that is not a string", () => assertWrongTypes(server, action, "ResourceARN", "String", { Policy: "{}" }));
    it("rejects a Policy that is not a string", () => assertWrongTypes(server, action, "Policy", "String", { ResourceARN: arnOf(server, name) }));
  });

  describe("validation", () => {
    it("requires ResourceARN and Policy", () =>
      assertValidation(server, action, {}, [
        "Value null at 'resourceARN' failed to satisfy constraint: Member must not be null",
        "Value null at 'policy' failed to satisfy constraint: Member must not be null",
      ]));

    it("takes only Kinesis stream or consumer ARNs", async () => {
      await assertValidation(server, action, { ResourceARN: `arn:aws:sqs:us-east-1:${server.accountId}:queue`, Policy: "{}" }, [
        `Value 'arn:aws:sqs:us-east-1:${server.accountId}:queue' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel)/\\S+`,
      ]);
      const other = `arn:aws:kinesis:${server.region}:${server.accountId}:deliverystream/${name}`;
      await assertError(server, action, { ResourceARN: other, Policy: "{}" }, "InvalidArgumentException",
        `Invalid ResourceARN: ${other}. Only Kinesis data stream and consumer ARNs are supported.`);
    });

    it("takes only a JSON object as the policy", async () => {
      for (const policy of ["", "not json", "[]", "null", "42", '"text"', '{"Version": "2012-10-17"']) {
        await assertError(server, action, { ResourceARN: arnOf(server, name), Policy: policy }, "InvalidArgumentException", notJson);
      }
      await assert.rejects(client.send(new PutResourcePolicyCommand({ ResourceARN: arnOf(server, name), Policy: "[]" })), InvalidArgumentException);
      assert.equal(await policyOf(arnOf(server, name)), "{}");
    });

    it("takes policies up to 20 KiB", async () => {
      // A valid resource policy (PutResourcePolicy checks the IAM grammar) padded by its Sid.
      const document = (sid: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: sid, Effect: "Allow", Principal: "*", Action: "kinesis:GetRecords" }] });
      const padded = (bytes: number) => document("x".repeat(bytes - document("").length));
      assert.equal(Buffer.byteLength(padded(20480)), 20480);
      await ok(server, action, { ResourceARN: arnOf(server, name), Policy: padded(20480) });
      await assertError(server, action, { ResourceARN: arnOf(server, name), Policy: padded(20481) }, "InvalidArgumentException",
        "Policy document size (20481 bytes) exceeds the maximum size of 20480 bytes.");
      // UTF-8 bytes, not characters: 10,246 characters, two bytes each but the ten of `{"Sid":""}`.
      const wide = JSON.stringify({ Sid: "é".repeat(10236) });
      await assertError(server, action, { ResourceARN: arnOf(server, name), Policy: wide }, "InvalidArgumentException",
        "Policy document size (20482 bytes) exceeds the maximum size of 20480 bytes.");
    });

    it("answers ResourceNotFoundException for an unknown stream or consumer", async () => {
      const unknown = randomStreamName();
      await assertError(server, action, { ResourceARN: arnOf(server, unknown), Policy: "{}" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
      await assertError(server, action, { ResourceARN: consumerArnOf(server, unknown, "reader"), Policy: "{}" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
      const consumer = consumerArnOf(server, name, "reader");
      await assertError(server, action, { ResourceARN: consumer, Policy: "{}" }, "ResourceNotFoundException",
        `Consumer ${consumer} under account ${server.accountId} not found.`);
      await assert.rejects(client.send(new PutResourcePolicyCommand({ ResourceARN: consumer, Policy: "{}" })), ResourceNotFoundException);
    });
  });

  describe("behaviour", () => {
    it("attaches the policy as sent and replaces it on the next put, in JSON and CBOR", async () => {
      const stream = randomStreamName("policy");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const ResourceARN = arnOf(server, stream);
      for (const [index, format] of formats.entries()) {
        const policy = policyFor(ResourceARN, `11112222333${index}`);
        const response = await call(server, format, action, { ResourceARN, Policy: policy });
        assert.equal(response.statusCode, 200);
        assert.equal(response.body, undefined);
        assert.equal(await policyOf(ResourceARN), policy);
      }
    });

    it("attaches through the SDK", async () => {
      const stream = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const ResourceARN = arnOf(server, stream);
      await client.send(new PutResourcePolicyCommand({ ResourceARN, Policy: policyFor(ResourceARN) }));
      assert.equal((await client.send(new GetResourcePolicyCommand({ ResourceARN }))).Policy, policyFor(ResourceARN));
    });

    it("leaves the policy with its stream: gone when the stream is deleted and recreated", async () => {
      const stream = randomStreamName("recreated");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await ok(server, action, { ResourceARN: arnOf(server, stream), Policy: policyFor(arnOf(server, stream)) });
      await ok(server, "DeleteStream", { StreamName: stream });
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      assert.equal(await policyOf(arnOf(server, stream)), "{}");
    });
  });

  describe("consumers", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
      await ok(timed, "CreateStream", { StreamName: "fanned", ShardCount: 1 });
      clock.advance(1000);
    });
    after(() => timed.stop());
    const register = async (name: string) =>
      (await ok(timed, "RegisterStreamConsumer", { StreamARN: arnOf(timed, "fanned"), ConsumerName: name })).Consumer.ConsumerARN as string;
    const policyAt = async (resourceArn: string) => (await ok(timed, "GetResourcePolicy", { ResourceARN: resourceArn })).Policy;

    it("refuses a consumer that is not ACTIVE yet", async () => {
      const arn = await register("young");
      const seconds = Math.floor(clock.nowMs() / 1000);
      await assertError(timed, action, { ResourceARN: arn, Policy: policyFor(arn) }, "ResourceInUseException",
        `Consumer young with creation timestamp ${seconds} under stream fanned and account ${timed.accountId} is not in ACTIVE status.`);
      assert.equal(await policyAt(arn), "{}");
      clock.advance(1000);
      await ok(timed, action, { ResourceARN: arn, Policy: policyFor(arn) });
    });

    it("attaches a policy to an ACTIVE consumer apart from its stream's, in JSON and CBOR, and through the SDK", async () => {
      const arn = await register("reader");
      clock.advance(1000);
      for (const [index, format] of formats.entries()) {
        const policy = policyFor(arn, `44445555666${index}`);
        const response = await call(timed, format, action, { ResourceARN: arn, Policy: policy });
        assert.equal(response.statusCode, 200);
        assert.equal(response.body, undefined);
        assert.equal(await policyAt(arn), policy);
      }
      assert.equal(await policyAt(arnOf(timed, "fanned")), "{}");
      const sdk = kinesisClient(timed);
      try {
        await sdk.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: policyFor(arn) }));
        assert.equal((await sdk.send(new GetResourcePolicyCommand({ ResourceARN: arn }))).Policy, policyFor(arn));
      } finally {
        sdk.destroy();
      }
    });

    it("leaves the policy with its consumer: gone when the consumer is deregistered and registered again", async () => {
      const arn = await register("recreated");
      clock.advance(1000);
      await ok(timed, action, { ResourceARN: arn, Policy: policyFor(arn) });
      await ok(timed, "DeregisterStreamConsumer", { ConsumerARN: arn });
      await assertError(timed, "GetResourcePolicy", { ResourceARN: arn }, "ResourceNotFoundException", `Consumer ${arn} under account ${timed.accountId} not found.`);
      clock.advance(1000);
      const again = await register("recreated");
      clock.advance(1000);
      assert.equal(await policyAt(again), "{}");
    });
  });

  describe("durability", () => {
    it("keeps stream and consumer policies across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        const policy = policyFor(arnOf(first, "durable"));
        await ok(first, action, { ResourceARN: arnOf(first, "durable"), Policy: policy });
        const consumerArn = (await ok(first, "RegisterStreamConsumer", { StreamARN: arnOf(first, "durable"), ConsumerName: "reader" })).Consumer.ConsumerARN;
        await ok(first, action, { ResourceARN: consumerArn, Policy: policyFor(consumerArn) });
        const again = await restartable.restart();
        assert.equal((await ok(again, "GetResourcePolicy", { ResourceARN: arnOf(again, "durable") })).Policy, policy);
        assert.equal((await ok(again, "GetResourcePolicy", { ResourceARN: consumerArn })).Policy, policyFor(consumerArn));
      } finally {
        await restartable.close();
      }
    });
  });
});
