/**
 * Every Firehose action through the AWS CLI v2 (`aws firehose …`, /usr/bin/aws): create a DirectPut
 * stream to an extended S3 destination and a KinesisStreamAsSource one, describe them (CREATING,
 * then ACTIVE), list with the type filter and paging, put records (raw-in-base64-out) and read the
 * delivered GZIP object back with `aws s3 cp`, update the destination at the current and a stale
 * version id, tags, encryption, delete — and the errors as the CLI prints them.
 *
 * The CLI (2.9.19) checks the minimums of its model itself — IntervalInSeconds ≥ 60, older than
 * Firehose's 0 — but not the maximums, so hints over the top reach the server. The server runs on
 * a ManualClock that the test moves past CREATING and past the 60 s buffering interval.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { ManualClock } from "../../src/util/clock.js";
import { requireAwsCliV2 } from "./external-clients.js";
import { awsCli, awsCliError, awsCliJson, roleArn, startFirehoseServer } from "./firehose-e2e-fixture.js";

const createDelayMs = 500;
const clock = new ManualClock(Date.now());
const dir = mkdtempSync(join(tmpdir(), "firehose-cli-"));
let server: TestServer;
const firehose = (...args: string[]) => awsCliJson(server, ["firehose", ...args]);

before(async () => {
  await requireAwsCliV2();
  server = await startFirehoseServer({ clock, firehose: { createDelayMs } });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const destination = {
  RoleARN: roleArn,
  BucketARN: "arn:aws:s3:::cli-e2e-bucket",
  Prefix: "direct/",
  ErrorOutputPrefix: "errors/",
  CompressionFormat: "GZIP",
  BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
};

describe("create-delivery-stream and describe-delivery-stream", () => {
  it("creates a DirectPut stream to an extended S3 destination: CREATING, then ACTIVE with VersionId 1", async () => {
    const created = await firehose("create-delivery-stream", "--delivery-stream-name", "cli-direct", "--delivery-stream-type", "DirectPut", "--extended-s3-destination-configuration", JSON.stringify(destination));
    assert.equal(created.DeliveryStreamARN, `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/cli-direct`);
    const creating = await firehose("describe-delivery-stream", "--delivery-stream-name", "cli-direct");
    assert.equal(creating.DeliveryStreamDescription.DeliveryStreamStatus, "CREATING");
    await clock.advanceAsync(createDelayMs);
    const { DeliveryStreamDescription: d } = await firehose("describe-delivery-stream", "--delivery-stream-name", "cli-direct");
    assert.equal(d.DeliveryStreamStatus, "ACTIVE");
    assert.equal(d.DeliveryStreamType, "DirectPut");
    assert.equal(d.VersionId, "1");
    assert.equal(d.HasMoreDestinations, false);
    // DirectPutSourceDescription is newer than the CLI's model, which drops it: Source is empty.
    assert.deepEqual(d.Source, {});
    assert.equal(d.Destinations.length, 1);
    assert.equal(d.Destinations[0].DestinationId, "destinationId-000000000001");
    const extended = d.Destinations[0].ExtendedS3DestinationDescription;
    assert.equal(extended.BucketARN, destination.BucketARN);
    assert.equal(extended.Prefix, "direct/");
    assert.equal(extended.ErrorOutputPrefix, "errors/");
    assert.equal(extended.CompressionFormat, "GZIP");
    assert.deepEqual(extended.BufferingHints, destination.BufferingHints);
    assert.equal(d.Destinations[0].S3DestinationDescription.BucketARN, destination.BucketARN);
  });

  it("creates a KinesisStreamAsSource stream; describe shows its source", async () => {
    await awsCliJson(server, ["kinesis", "create-stream", "--stream-name", "cli-source", "--shard-count", "1"]);
    const streamArn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/cli-source`;
    await firehose(
      "create-delivery-stream", "--delivery-stream-name", "cli-from-kinesis", "--delivery-stream-type", "KinesisStreamAsSource",
      "--kinesis-stream-source-configuration", `KinesisStreamARN=${streamArn},RoleARN=${roleArn}`,
      "--extended-s3-destination-configuration", JSON.stringify({ ...destination, Prefix: "kinesis/" }),
    );
    await clock.advanceAsync(createDelayMs);
    const { DeliveryStreamDescription: d } = await firehose("describe-delivery-stream", "--delivery-stream-name", "cli-from-kinesis");
    assert.equal(d.DeliveryStreamStatus, "ACTIVE");
    assert.equal(d.DeliveryStreamType, "KinesisStreamAsSource");
    const source = d.Source.KinesisStreamSourceDescription;
    assert.equal(source.KinesisStreamARN, streamArn);
    assert.equal(source.RoleARN, roleArn);
    assert.ok(!Number.isNaN(Date.parse(source.DeliveryStartTimestamp)), `DeliveryStartTimestamp ${source.DeliveryStartTimestamp}`);
  });

  it("prints ResourceInUseException for a taken name", async () => {
    const error = await awsCliError(server, ["firehose", "create-delivery-stream", "--delivery-stream-name", "cli-direct", "--extended-s3-destination-configuration", JSON.stringify(destination)]);
    assert.deepEqual(error, { code: "ResourceInUseException", operation: "CreateDeliveryStream", message: `Firehose cli-direct under accountId ${server.accountId} already exists` });
  });

  it("prints ValidationException for a processor type that does not exist (the CLI does not check enums)", async () => {
    const error = await awsCliError(server, [
      "firehose", "create-delivery-stream", "--delivery-stream-name", "cli-bad-processor",
      "--extended-s3-destination-configuration", JSON.stringify({ ...destination, ProcessingConfiguration: { Enabled: true, Processors: [{ Type: "Teleport" }] } }),
    ]);
    assert.equal(error.code, "ValidationException");
    assert.equal(
      error.message,
      "1 validation error detected: Value 'Teleport' at 'extendedS3DestinationConfiguration.processingConfiguration.processors.1.member.type' failed to satisfy constraint: " +
        "Member must satisfy enum value set: [RecordDeAggregation, Decompression, CloudWatchLogProcessing, Lambda, MetadataExtraction, AppendDelimiterToRecord]",
    );
  });

  it("prints ValidationException for buffering hints out of range", async () => {
    const error = await awsCliError(server, ["firehose", "create-delivery-stream", "--delivery-stream-name", "cli-big", "--extended-s3-destination-configuration", JSON.stringify({ ...destination, BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 901 } })]);
    assert.deepEqual(error, {
      code: "ValidationException",
      operation: "CreateDeliveryStream",
      message:
        "2 validation errors detected: Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128; " +
        "Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
    });
  });

  it("prints ResourceNotFoundException for a stream that does not exist", async () => {
    const error = await awsCliError(server, ["firehose", "describe-delivery-stream", "--delivery-stream-name", "cli-ghost"]);
    assert.deepEqual(error, { code: "ResourceNotFoundException", operation: "DescribeDeliveryStream", message: `Firehose cli-ghost under account ${server.accountId} not found.` });
  });
});

describe("list-delivery-streams", () => {
  it("lists by name, filters by type and pages with --limit and --exclusive-start-delivery-stream-name", async () => {
    const all = await firehose("list-delivery-streams");
    assert.deepEqual(all, { DeliveryStreamNames: ["cli-direct", "cli-from-kinesis"], HasMoreDeliveryStreams: false });
    const direct = await firehose("list-delivery-streams", "--delivery-stream-type", "DirectPut");
    assert.deepEqual(direct.DeliveryStreamNames, ["cli-direct"]);
    const kinesis = await firehose("list-delivery-streams", "--delivery-stream-type", "KinesisStreamAsSource");
    assert.deepEqual(kinesis.DeliveryStreamNames, ["cli-from-kinesis"]);
    const first = await firehose("list-delivery-streams", "--limit", "1");
    assert.deepEqual(first, { DeliveryStreamNames: ["cli-direct"], HasMoreDeliveryStreams: true });
    const second = await firehose("list-delivery-streams", "--limit", "1", "--exclusive-start-delivery-stream-name", "cli-direct");
    assert.deepEqual(second, { DeliveryStreamNames: ["cli-from-kinesis"], HasMoreDeliveryStreams: false });
  });
});

describe("put-record and put-record-batch", () => {
  it("acknowledges records and delivers them as one GZIP object that aws s3 cp reads back", async () => {
    const one = await firehose("put-record", "--cli-binary-format", "raw-in-base64-out", "--delivery-stream-name", "cli-direct", "--record", JSON.stringify({ Data: '{"n":0}\n' }));
    assert.equal(typeof one.RecordId, "string");
    assert.equal(one.Encrypted, false);
    const recordsFile = join(dir, "records.json");
    const lines = Array.from({ length: 30 }, (_, n) => `{"n":${n + 1}}\n`);
    writeFileSync(recordsFile, JSON.stringify(lines.map((line) => ({ Data: line }))));
    const batch = await firehose("put-record-batch", "--cli-binary-format", "raw-in-base64-out", "--delivery-stream-name", "cli-direct", "--records", `file://${recordsFile}`);
    assert.equal(batch.FailedPutCount, 0);
    assert.equal(batch.RequestResponses.length, 30);
    assert.equal(new Set(batch.RequestResponses.map((answer: { RecordId: string }) => answer.RecordId)).size, 30);

    // The buffer opens with the first record read; its 60 s interval runs on the server's clock.
    await waitFor("the records read into a buffer", () => clock.pendingTimers() > 0, 10_000);
    await clock.advanceAsync(60_000);

    let keys: string[] = [];
    await waitFor("the GZIP object", async () => {
      keys = ((await awsCliJson(server, ["s3api", "list-objects-v2", "--bucket", "cli-e2e-bucket", "--prefix", "direct/"])).Contents ?? []).map((object: { Key: string }) => object.Key);
      return keys.length > 0;
    }, 20_000, 100);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^direct\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/cli-direct-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/);
    const local = join(dir, "object.gz");
    const copied = await awsCli(server, ["s3", "cp", `s3://cli-e2e-bucket/${keys[0]}`, local]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(gunzipSync(readFileSync(local)).toString(), ['{"n":0}\n', ...lines].join(""));
  });

  it("refuses put-record on a KinesisStreamAsSource stream", async () => {
    const error = await awsCliError(server, ["firehose", "put-record", "--cli-binary-format", "raw-in-base64-out", "--delivery-stream-name", "cli-from-kinesis", "--record", "Data=x"]);
    assert.deepEqual(error, { code: "InvalidArgumentException", operation: "PutRecord", message: "This operation is not permitted on KinesisStreamAsSource delivery stream type." });
  });
});

describe("update-destination", () => {
  it("updates at the current version id (VersionId 2, merged) and refuses the stale one", async () => {
    await firehose(
      "update-destination", "--delivery-stream-name", "cli-direct", "--current-delivery-stream-version-id", "1", "--destination-id", "destinationId-000000000001",
      "--extended-s3-destination-update", JSON.stringify({ Prefix: "direct-v2/", BufferingHints: { SizeInMBs: 2, IntervalInSeconds: 120 } }),
    );
    const { DeliveryStreamDescription: d } = await firehose("describe-delivery-stream", "--delivery-stream-name", "cli-direct");
    assert.equal(d.VersionId, "2");
    const extended = d.Destinations[0].ExtendedS3DestinationDescription;
    assert.equal(extended.Prefix, "direct-v2/");
    assert.deepEqual(extended.BufferingHints, { SizeInMBs: 2, IntervalInSeconds: 120 });
    assert.equal(extended.CompressionFormat, "GZIP");
    assert.equal(extended.ErrorOutputPrefix, "errors/");

    const error = await awsCliError(server, [
      "firehose", "update-destination", "--delivery-stream-name", "cli-direct", "--current-delivery-stream-version-id", "1", "--destination-id", "destinationId-000000000001",
      "--extended-s3-destination-update", JSON.stringify({ Prefix: "stale/" }),
    ]);
    assert.deepEqual(error, {
      code: "ConcurrentModificationException",
      operation: "UpdateDestination",
      message: "Cannot update firehose: cli-direct since the current version id: 2 and specified version id: 1 do not match",
    });
  });
});

describe("tags and encryption", () => {
  it("tag-delivery-stream, list-tags-for-delivery-stream (paged), untag-delivery-stream", async () => {
    await firehose("tag-delivery-stream", "--delivery-stream-name", "cli-direct", "--tags", "Key=team,Value=data", "Key=env,Value=test");
    const all = await firehose("list-tags-for-delivery-stream", "--delivery-stream-name", "cli-direct");
    assert.deepEqual(all, { Tags: [{ Key: "team", Value: "data" }, { Key: "env", Value: "test" }], HasMoreTags: false });
    const first = await firehose("list-tags-for-delivery-stream", "--delivery-stream-name", "cli-direct", "--limit", "1");
    assert.deepEqual(first, { Tags: [{ Key: "team", Value: "data" }], HasMoreTags: true });
    const rest = await firehose("list-tags-for-delivery-stream", "--delivery-stream-name", "cli-direct", "--exclusive-start-tag-key", "team");
    assert.deepEqual(rest.Tags, [{ Key: "env", Value: "test" }]);
    await firehose("untag-delivery-stream", "--delivery-stream-name", "cli-direct", "--tag-keys", "env");
    assert.deepEqual((await firehose("list-tags-for-delivery-stream", "--delivery-stream-name", "cli-direct")).Tags, [{ Key: "team", Value: "data" }]);
  });

  it("start-delivery-stream-encryption and stop-delivery-stream-encryption", async () => {
    await firehose("start-delivery-stream-encryption", "--delivery-stream-name", "cli-direct", "--delivery-stream-encryption-configuration-input", "KeyType=AWS_OWNED_CMK");
    const started = await firehose("describe-delivery-stream", "--delivery-stream-name", "cli-direct");
    assert.deepEqual(started.DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration, { KeyType: "AWS_OWNED_CMK", Status: "ENABLED" });
    const put = await firehose("put-record", "--cli-binary-format", "raw-in-base64-out", "--delivery-stream-name", "cli-direct", "--record", "Data=secret");
    assert.equal(put.Encrypted, true);
    await firehose("stop-delivery-stream-encryption", "--delivery-stream-name", "cli-direct");
    const stopped = await firehose("describe-delivery-stream", "--delivery-stream-name", "cli-direct");
    assert.equal(stopped.DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration.Status, "DISABLED");
  });
});

describe("delete-delivery-stream", () => {
  it("deletes both streams; they are then not found", async () => {
    await firehose("delete-delivery-stream", "--delivery-stream-name", "cli-direct", "--allow-force-delete");
    await firehose("delete-delivery-stream", "--delivery-stream-name", "cli-from-kinesis");
    const error = await awsCliError(server, ["firehose", "delete-delivery-stream", "--delivery-stream-name", "cli-direct"]);
    assert.deepEqual(error, { code: "ResourceNotFoundException", operation: "DeleteDeliveryStream", message: `Firehose cli-direct under account ${server.accountId} not found.` });
    assert.deepEqual(await firehose("list-delivery-streams"), { DeliveryStreamNames: [], HasMoreDeliveryStreams: false });
  });
});
