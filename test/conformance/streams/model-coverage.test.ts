/**
 * Every Kinesis operation against the current API model (test/fixtures/kinesis-model, extracted
 * from botocore by scripts/kinesis-model-constraints.mjs):
 *   - the fixture lists exactly the installed SDK's operations and members, so an SDK upgrade that
 *     brings new members fails here until the fixture is regenerated;
 *   - each action's request shape has the model's members, required flags and min/max/pattern/enum
 *     traits, apart from the differences listed below with their reasons (a listed difference that
 *     no longer occurs fails too, so the list stays true);
 *   - the responses of a live server carry only the model's members, every required one, enum
 *     values from the model's sets, and every optional member the model has unless listed below.
 * docs/conformance.md lists the differences this check found and how each was settled.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { streamsActions } from "../../../src/streams/actions/index.js";
import { compareResponse, compareShapes, model, sdkOperations, type ModelShape } from "./model-shapes.js";
import { randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { call, formats, ok, type Format } from "../../helpers/wire-assert.js";
import { arnOf, policyFor, setCommitment } from "./stream-settings-helpers.js";

/** Operations of the model we do not serve, and why. */
const notImplemented: Readonly<Record<string, string>> = {
  CreateChannel: "Channels (delivery from a stream to S3 / S3 Tables) are a separate resource type, not built",
  DeleteChannel: "Channels are not built",
  DescribeChannel: "Channels are not built",
  ListChannels: "Channels are not built",
  UpdateChannel: "Channels are not built",
};

/** Request-shape differences from the model that are deliberate, or left to another change, and why. */
const knownInputDifferences: Readonly<Record<string, string>> = {
  "IncreaseStreamRetentionPeriod.RetentionPeriodHours: min 1, model undefined":
    "AWS's service checks it although the published model has no range (kinesalite's recording: 'Member must have value greater than or equal to 1')",
  "DecreaseStreamRetentionPeriod.RetentionPeriodHours: min 1, model undefined": "as IncreaseStreamRetentionPeriod's",
};

describe("Kinesis model coverage", () => {
  describe("the fixture", () => {
    it("lists exactly the installed SDK's operations, with the same input and output members and required members", () => {
      const fromSdk = sdkOperations();
      assert.ok(fromSdk.size >= 39, `the SDK exports ${fromSdk.size} operation schemas`);
      assert.deepEqual(Object.keys(model.operations).sort(), [...fromSdk.keys()].sort(), `regenerate the fixture (${model.source}) for this SDK`);
      for (const [name, operation] of fromSdk) {
        for (const side of ["input", "output"] as const) {
          const shape = model.operations[name]![side];
          const members = Object.keys(shape?.members ?? {});
          const required = members.filter((member) => shape?.members?.[member]?.required);
          assert.deepEqual([...members].sort(), [...operation[side].members].sort(), `${name} ${side} members`);
          assert.deepEqual([...required].sort(), [...operation[side].required].sort(), `${name} ${side} required members`);
        }
      }
    });
  });

  describe("request shapes", () => {
    it("every operation of the model has an action, apart from those listed as not built", () => {
      const missing = Object.keys(model.operations).filter((name) => streamsActions[name] === undefined);
      assert.deepEqual(missing.sort(), Object.keys(notImplemented).sort());
      const extra = Object.keys(streamsActions).filter((name) => model.operations[name] === undefined);
      assert.deepEqual(extra, [], "actions the model does not have");
    });

    it("every action's members, required flags and constraints are the model's, apart from the listed differences", () => {
      const differences: string[] = [];
      for (const [name, operation] of Object.entries(model.operations)) {
        const action = streamsActions[name];
        if (action === undefined) continue;
        compareShapes(operation.input ?? { type: "structure", members: {} }, action.shape, name, differences);
      }
      assert.deepEqual(differences.sort(), Object.keys(knownInputDifferences).sort());
    });

  });

  describe("responses", () => {
    let server: TestServer;
    const onDemand = randomStreamName("model-od");
    const provisioned = randomStreamName("model-prov");
    const consumerName = "model-consumer";
    before(async () => {
      server = await startTestServer();
      await setCommitment(server, "ENABLED");
      await ok(server, "CreateStream", { StreamName: onDemand, WarmThroughputMiBps: 100, MaxRecordSizeInKiB: 2048, Tags: { team: "a" } });
      await ok(server, "CreateStream", { StreamName: provisioned, ShardCount: 2 });
      await ok(server, "PutResourcePolicy", { ResourceARN: arnOf(server, provisioned), Policy: policyFor(arnOf(server, provisioned)) });
    });
    after(() => server.stop());

    /**
     * Calls `action` and checks its answer against the model's output; `absent` names the optional
     * members the answer is expected to leave out (why, in the value), every other one must be there.
     */
    async function check(action: string, body: unknown, absent: Readonly<Record<string, string>> = {}, at: (response: any) => [unknown, ModelShape] = (response) => [response, model.operations[action]!.output!]): Promise<any> {
      const response = await ok(server, action, body);
      assert.deepEqual(compareResponse(model.operations[action]!.output!, response, action), []);
      const [value, shape] = at(response);
      const expected = Object.keys(shape.members ?? {}).filter((member) => !(member in absent)).sort();
      assert.deepEqual(Object.keys(value as object).filter((member) => (value as any)[member] !== undefined).sort(), expected, `${action} members`);
      return response;
    }
    const within = (member: string, operation: string) => (response: any): [unknown, ModelShape] =>
      [response[member], model.operations[operation]!.output!.members![member]!];

    it("DescribeStreamSummary (ON_DEMAND, warm throughput, larger records)", async () => {
      const response = await check("DescribeStreamSummary", { StreamName: onDemand }, {
        StreamId: "reserved by AWS for future use and not returned",
        KeyId: "the stream is not encrypted",
        ChannelCount: "Channels are not built",
      }, within("StreamDescriptionSummary", "DescribeStreamSummary"));
      const summary = response.StreamDescriptionSummary;
      assert.equal(summary.MaxRecordSizeInKiB, 2048);
      assert.deepEqual(summary.WarmThroughput, { TargetMiBps: 100, CurrentMiBps: 100 });
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "ON_DEMAND" });
      assert.equal(summary.RecordDistributionStrategy, "USER_PARTITION_KEY");
    });

    it("DescribeStreamSummary (PROVISIONED: no warm throughput)", async () => {
      await check("DescribeStreamSummary", { StreamARN: arnOf(server, provisioned) }, {
        StreamId: "reserved by AWS for future use and not returned",
        KeyId: "the stream is not encrypted",
        WarmThroughput: "AWS shows it for ON_DEMAND streams only",
        ChannelCount: "Channels are not built",
        RecordDistributionStrategy: "AWS shows it for ON_DEMAND streams only",
      }, within("StreamDescriptionSummary", "DescribeStreamSummary"));
    });

    it("DescribeStream", () =>
      check("DescribeStream", { StreamName: provisioned }, { KeyId: "the stream is not encrypted" }, within("StreamDescription", "DescribeStream")));

    it("ListStreams, with StreamSummaries", async () => {
      const response = await check("ListStreams", {}, { NextToken: "one page holds every stream" });
      const summary = response.StreamSummaries.find((entry: any) => entry.StreamName === provisioned);
      const summaryShape = model.operations.ListStreams!.output!.members!.StreamSummaries!.member!;
      assert.deepEqual(Object.keys(summary).sort(), Object.keys(summaryShape.members!).sort());
    });

    it("ListShards", () => check("ListShards", { StreamName: provisioned }, { NextToken: "one page holds every shard" }));

    it("DescribeLimits", () =>
      check("DescribeLimits", {}, { ChannelCount: "Channels are not built", ChannelCountLimit: "Channels are not built" }));

    it("DescribeAccountSettings and UpdateAccountSettings", async () => {
      const commitment = (operation: string) => within("MinimumThroughputBillingCommitment", operation);
      const absent = { EndedAt: "the commitment is in force" };
      await check("DescribeAccountSettings", {}, absent, commitment("DescribeAccountSettings"));
      await check("UpdateAccountSettings", { MinimumThroughputBillingCommitment: { Status: "ENABLED" } }, absent, commitment("UpdateAccountSettings"));
    });

    it("PutRecord, PutRecords, GetShardIterator and GetRecords", async () => {
      await check("PutRecord", { StreamName: provisioned, PartitionKey: "a", Data: "AA==" });
      await check("PutRecords", { StreamName: provisioned, Records: [{ PartitionKey: "a", Data: "AA==" }] });
      const { ShardIterator } = await check("GetShardIterator", { StreamName: provisioned, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
      await check("GetRecords", { ShardIterator }, { ChildShards: "the shard is open" });
    });

    it("the consumer actions", async () => {
      const { Consumer } = await check("RegisterStreamConsumer", { StreamARN: arnOf(server, provisioned), ConsumerName: consumerName });
      await check("DescribeStreamConsumer", { ConsumerARN: Consumer.ConsumerARN });
      await check("ListStreamConsumers", { StreamARN: arnOf(server, provisioned) }, { NextToken: "one page holds every consumer" });
    });

    /** A request body for each action with a stream-addressing member, valid apart from how it names the stream. */
    function bodies(format: Format = "json"): Record<string, Record<string, unknown>> {
      // A blob is base64 text in JSON and a byte string in CBOR.
      const data = format === "json" ? "AA==" : Buffer.from([0]);
      const shardId = "shardId-000000000000";
      const consumerArn = `${arnOf(server, provisioned)}/consumer/none:1`;
      return {
        AddTagsToStream: { Tags: { k: "v" } },
        DecreaseStreamRetentionPeriod: { RetentionPeriodHours: 24 },
        DeleteStream: {},
        DescribeStream: {},
        DescribeStreamSummary: {},
        DisableEnhancedMonitoring: { ShardLevelMetrics: ["IncomingBytes"] },
        EnableEnhancedMonitoring: { ShardLevelMetrics: ["IncomingBytes"] },
        GetShardIterator: { ShardId: shardId, ShardIteratorType: "LATEST" },
        IncreaseStreamRetentionPeriod: { RetentionPeriodHours: 24 },
        ListShards: {},
        ListTagsForStream: {},
        MergeShards: { ShardToMerge: shardId, AdjacentShardToMerge: "shardId-000000000001" },
        PutRecord: { PartitionKey: "a", Data: data },
        PutRecords: { Records: [{ PartitionKey: "a", Data: data }] },
        RemoveTagsFromStream: { TagKeys: ["k"] },
        SplitShard: { ShardToSplit: shardId, NewStartingHashKey: "1" },
        StartStreamEncryption: { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" },
        StopStreamEncryption: { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" },
        UpdateShardCount: { TargetShardCount: 1, ScalingType: "UNIFORM_SCALING" },
        UpdateStreamWarmThroughput: { WarmThroughputMiBps: 1 },
        // Members that name the stream some other way (ResourceARN, ConsumerARN, StreamARN alone).
        DeleteResourcePolicy: { ResourceARN: arnOf(server, provisioned) },
        GetResourcePolicy: { ResourceARN: arnOf(server, provisioned) },
        PutResourcePolicy: { ResourceARN: arnOf(server, provisioned), Policy: policyFor(arnOf(server, provisioned)) },
        ListTagsForResource: { ResourceARN: arnOf(server, provisioned) },
        TagResource: { ResourceARN: arnOf(server, provisioned), Tags: { k: "v" } },
        UntagResource: { ResourceARN: arnOf(server, provisioned), TagKeys: ["k"] },
        DeregisterStreamConsumer: { ConsumerARN: consumerArn },
        DescribeStreamConsumer: { ConsumerARN: consumerArn },
        ListStreamConsumers: { StreamARN: arnOf(server, provisioned) },
        RegisterStreamConsumer: { StreamARN: arnOf(server, provisioned), ConsumerName: "c" },
        SubscribeToShard: { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: { Type: "LATEST" } },
        GetRecords: { ShardIterator: "AAAA" },
        UpdateMaxRecordSize: { StreamARN: arnOf(server, provisioned), MaxRecordSizeInKiB: 1024 },
        UpdateStreamMode: { StreamARN: arnOf(server, provisioned), StreamModeDetails: { StreamMode: "PROVISIONED" } },
        UpdateStreamRecordDistributionStrategy: { StreamARN: arnOf(server, provisioned), RecordDistributionStrategy: "USER_PARTITION_KEY" },
      };
    }

    it("every action that takes StreamName and StreamARN refuses a request with neither", async () => {
      const both = Object.keys(model.operations).filter((name) => {
        const members = model.operations[name]!.input?.members ?? {};
        return "StreamName" in members && "StreamARN" in members;
      });
      const table = bodies();
      for (const name of both) {
        assert.ok(table[name], `a body for ${name}`);
        const response = await call(server, "json", name, table[name]);
        const expected = name === "ListShards"
          ? { __type: "InvalidArgumentException", message: "Either NextToken or StreamName should be provided." }
          : { __type: "InvalidArgumentException", message: "Either StreamName or StreamARN must be provided." };
        assert.deepEqual([response.statusCode, response.body], [400, expected], name);
      }
    });

    it("every action with the reserved StreamId validates its length and pattern, in JSON and CBOR", async () => {
      const withStreamId = Object.keys(model.operations).filter((name) => "StreamId" in (model.operations[name]!.input?.members ?? {}));
      const pattern = "[a-z0-9]{20}-[a-z0-9]{3}";
      const long = "a".repeat(25);
      const cases = [
        [long, [
          `Value '${long}' at 'streamId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
          `Value '${long}' at 'streamId' failed to satisfy constraint: Member must have length less than or equal to 24`,
        ]],
        ["", [
          `Value '' at 'streamId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
          "Value '' at 'streamId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ]],
        ["ABCDEFGHIJ0123456789-abc", [
          `Value 'ABCDEFGHIJ0123456789-abc' at 'streamId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
        ]],
      ] as const;
      for (const name of withStreamId) {
        if (knownInputDifferences[`${name}.StreamId: member missing`] || notImplemented[name]) continue;
        const named = "StreamName" in (model.operations[name]!.input?.members ?? {}) ? { StreamName: provisioned } : {};
        for (const format of formats) {
          const body = bodies(format)[name];
          assert.ok(body, `a body for ${name}`);
          for (const [streamId, errors] of cases) {
            const response = await call(server, format, name, { ...body, ...named, StreamId: streamId });
            const message = `${errors.length} validation error${errors.length > 1 ? "s" : ""} detected: ${errors.join("; ")}`;
            assert.deepEqual([response.statusCode, response.body], [400, { __type: "ValidationException", message }], `${name} ${format} ${streamId}`);
          }
        }
      }
    });

    it("a well-formed StreamId is accepted and changes nothing", async () => {
      const streamId = "abcdefghij0123456789-abc";
      const plain = await ok(server, "DescribeStreamSummary", { StreamName: provisioned });
      assert.deepEqual(await ok(server, "DescribeStreamSummary", { StreamName: provisioned, StreamId: streamId }, "cbor"), await ok(server, "DescribeStreamSummary", { StreamName: provisioned }, "cbor"));
      assert.equal(plain.StreamDescriptionSummary.StreamName, provisioned);
      const put = await ok(server, "PutRecord", { StreamARN: arnOf(server, provisioned), StreamId: streamId, PartitionKey: "a", Data: "AA==" });
      assert.match(put.SequenceNumber, /^\d+$/);
    });

    it("the tagging, policy, monitoring and scaling actions", async () => {
      await check("ListTagsForStream", { StreamName: onDemand });
      await check("ListTagsForResource", { ResourceARN: arnOf(server, onDemand) });
      await check("GetResourcePolicy", { ResourceARN: arnOf(server, provisioned) });
      await check("EnableEnhancedMonitoring", { StreamName: provisioned, ShardLevelMetrics: ["IncomingBytes"] });
      await check("UpdateStreamWarmThroughput", { StreamName: onDemand, WarmThroughputMiBps: 200 });
      await check("UpdateShardCount", { StreamName: provisioned, TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" });
    });
  });
});
