/**
 * CreateStream's WarmThroughputMiBps and MaxRecordSizeInKiB (members of the current model that
 * CreateStream lacked): validated with the model's ranges, and set at creation under the rules
 * UpdateStreamWarmThroughput and UpdateMaxRecordSize apply later.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { setCommitment, summaryOf } from "./stream-settings-helpers.js";
import { jsonCall } from "../../helpers/raw.js";

const action = "CreateStream";
const mib = 1024 * 1024;

describe("CreateStream settings", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a WarmThroughputMiBps that is not an integer", () => assertWrongTypes(server, action, "WarmThroughputMiBps", "Integer", { StreamName: "s" }));
    it("rejects a MaxRecordSizeInKiB that is not an integer", () => assertWrongTypes(server, action, "MaxRecordSizeInKiB", "Integer", { StreamName: "s" }));
  });

  describe("validation", () => {
    it("takes MaxRecordSizeInKiB from 1024 to 10240 and WarmThroughputMiBps from 0, after the older members", async () => {
      await assertValidation(server, action, { StreamName: "s", MaxRecordSizeInKiB: 1023 }, [
        "Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024",
      ]);
      await assertValidation(server, action, { StreamName: "s", MaxRecordSizeInKiB: 10241 }, [
        "Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240",
      ]);
      await assertValidation(server, action, { StreamName: "", WarmThroughputMiBps: -1, MaxRecordSizeInKiB: 0 }, [
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '-1' at 'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0",
        "Value '0' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024",
      ]);
    });

    it("refuses warm throughput for a PROVISIONED stream, in UpdateStreamMode's words", () =>
      assertError(server, action, { StreamName: randomStreamName(), ShardCount: 1, WarmThroughputMiBps: 10 }, "InvalidArgumentException",
        "WarmThroughputMiBps is not expected when StreamMode=PROVISIONED"));

    it("refuses warm throughput without the account's MinimumThroughputBillingCommitment, and creates nothing", async () => {
      const name = randomStreamName("warm-no-commitment");
      await assertError(server, action, { StreamName: name, WarmThroughputMiBps: 10 }, "InvalidArgumentException",
        `Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account ${server.accountId}.`);
      await assertError(server, "DescribeStreamSummary", { StreamName: name }, "ResourceNotFoundException",
        `Stream ${name} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("creates an ON_DEMAND stream with its warm throughput once the commitment is in force; refuses more than 10 GiBps", async () => {
      await setCommitment(server, "ENABLED");
      const name = randomStreamName("warm");
      await ok(server, action, { StreamName: name, WarmThroughputMiBps: 300 });
      const summary = await summaryOf(server, name);
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "ON_DEMAND" });
      assert.deepEqual(summary.WarmThroughput, { TargetMiBps: 300, CurrentMiBps: 300 });
      await assertError(server, action, { StreamName: randomStreamName(), WarmThroughputMiBps: 10241 }, "LimitExceededException",
        "Requested warm throughput (10241 MiBps) exceeds the maximum warm throughput of 10240 MiBps for an on-demand stream.");
    });

    it("creates a stream whose records may be as large as MaxRecordSizeInKiB (through the SDK)", async () => {
      const large = randomStreamName("large");
      const plain = randomStreamName("plain");
      await client.send(new CreateStreamCommand({ StreamName: large, ShardCount: 1, MaxRecordSizeInKiB: 2048 }));
      await client.send(new CreateStreamCommand({ StreamName: plain, ShardCount: 1 }));
      assert.equal((await summaryOf(server, large)).MaxRecordSizeInKiB, 2048);
      assert.equal((await summaryOf(server, plain)).MaxRecordSizeInKiB, 1024);
      const data = Buffer.alloc(1.5 * mib, 1).toString("base64");
      const put = await ok(server, "PutRecord", { StreamName: large, PartitionKey: "k", Data: data });
      assert.equal(put.ShardId, "shardId-000000000000");
      const refused = await jsonCall(server.url, "PutRecord", { StreamName: plain, PartitionKey: "k", Data: data });
      assert.deepEqual([refused.statusCode, refused.body], [400, {
        __type: "ValidationException",
        message: `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${1.5 * mib} cap=${1.5 * mib}]' at 'data' ` +
          `failed to satisfy constraint: Member must have length less than or equal to ${mib}`,
      }]);
    });
  });
});
