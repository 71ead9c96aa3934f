/**
 * The Firehose control plane through @aws-sdk/client-firehose: create, describe (CREATING →
 * ACTIVE, destinations with Firehose's defaults, source), list with type filter and pagination,
 * update with the version check, tags, encryption, delete — and the exact errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  PutRecordCommand,
  PutRecordBatchCommand,
  StartDeliveryStreamEncryptionCommand,
  StopDeliveryStreamEncryptionCommand,
  TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand,
  UpdateDestinationCommand,
  type FirehoseClient,
} from "@aws-sdk/client-firehose";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, type TestServer } from "../helpers/server.js";
import { errorOf, firehoseClient, roleArn, startFirehoseServer, waitActive } from "./fixtures.js";

let server: TestServer;
let client: FirehoseClient;
before(async () => {
  server = await startFirehoseServer({ firehose: { deliveryEnabled: false } });
  client = firehoseClient(server);
});
after(() => server.stop());

const s3 = (bucket = "bucket") => ({ RoleARN: roleArn, BucketARN: `arn:aws:s3:::${bucket}` });

describe("CreateDeliveryStream and DescribeDeliveryStream", () => {
  it("creates a DirectPut S3 stream and describes it with Firehose's defaults", async () => {
    const created = await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "plain", S3DestinationConfiguration: s3() }));
    assert.equal(created.DeliveryStreamARN, `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/plain`);
    await waitActive(client, "plain");
    const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "plain" }));
    assert.equal(d!.DeliveryStreamStatus, "ACTIVE");
    assert.equal(d!.DeliveryStreamType, "DirectPut");
    assert.equal(d!.VersionId, "1");
    assert.equal(d!.HasMoreDestinations, false);
    assert.deepEqual(d!.Source, { DirectPutSourceDescription: {} });
    assert.deepEqual(d!.DeliveryStreamEncryptionConfiguration, { Status: "DISABLED" });
    assert.ok(d!.CreateTimestamp instanceof Date);
    assert.deepEqual(d!.Destinations, [
      {
        DestinationId: "destinationId-000000000001",
        S3DestinationDescription: {
          ...s3(),
          BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
          CompressionFormat: "UNCOMPRESSED",
          EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
          CloudWatchLoggingOptions: { Enabled: false },
        },
      },
    ]);
  });

  it("shows an extended S3 destination under both names", async () => {
    await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "extended", ExtendedS3DestinationConfiguration: { ...s3(), CompressionFormat: "GZIP", Prefix: "p/" } }));
    const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "extended" }));
    const destination = d!.Destinations![0]!;
    assert.equal(destination.S3DestinationDescription!.CompressionFormat, "GZIP");
    assert.equal(destination.ExtendedS3DestinationDescription!.Prefix, "p/");
    assert.equal(destination.ExtendedS3DestinationDescription!.S3BackupMode, "Disabled");
  });

  it("refuses a taken name with ResourceInUseException", async () => {
    const error = await errorOf(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "plain", S3DestinationConfiguration: s3() })));
    assert.deepEqual(error, { name: "ResourceInUseException", message: `Firehose plain under accountId ${server.accountId} already exists`, status: 400 });
  });

  it("refuses no destination or two with InvalidArgumentException", async () => {
    const none = await errorOf(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "none" })));
    assert.deepEqual(none, { name: "InvalidArgumentException", message: "Exactly one destination configuration is supported for a Firehose", status: 400 });
    const two = await errorOf(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "two", S3DestinationConfiguration: s3(), ExtendedS3DestinationConfiguration: s3() })));
    assert.equal(two.name, "InvalidArgumentException");
  });

  it("refuses buffering hints out of range with ValidationException", async () => {
    const error = await errorOf(
      client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "big", ExtendedS3DestinationConfiguration: { ...s3(), BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 901 } } })),
    );
    assert.equal(error.name, "ValidationException");
    assert.equal(
      error.message,
      "2 validation errors detected: Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128; " +
        "Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
    );
  });

  it("refuses a processor type that does not exist", async () => {
    const error = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "proc",
          ExtendedS3DestinationConfiguration: { ...s3(), ProcessingConfiguration: { Enabled: true, Processors: [{ Type: "Teleport" as never }] } },
        }),
      ),
    );
    assert.equal(error.name, "ValidationException");
    assert.match(error.message, /^1 validation error detected: Value 'Teleport' at 'extendedS3DestinationConfiguration\.processingConfiguration\.processors\.1\.member\.type' failed to satisfy constraint: Member must satisfy enum value set: \[RecordDeAggregation, Decompression, CloudWatchLogProcessing, Lambda, MetadataExtraction, AppendDelimiterToRecord\]$/);
  });

  it("answers ResourceNotFoundException for an unknown stream", async () => {
    const error = await errorOf(client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "ghost" })));
    assert.deepEqual(error, { name: "ResourceNotFoundException", message: `Firehose ghost under account ${server.accountId} not found.`, status: 400 });
  });

  it("keeps delivery streams out of Kinesis's ListStreams", async () => {
    const listed = await kinesisClient(server).send(new ListStreamsCommand({}));
    assert.deepEqual(listed.StreamNames, []);
  });
});

describe("ListDeliveryStreams", () => {
  it("lists by name with a type filter and pages", async () => {
    const all = await client.send(new ListDeliveryStreamsCommand({}));
    assert.deepEqual(all.DeliveryStreamNames, ["extended", "plain"]);
    assert.equal(all.HasMoreDeliveryStreams, false);
    const first = await client.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
    assert.deepEqual(first, { ...first, DeliveryStreamNames: ["extended"], HasMoreDeliveryStreams: true });
    const next = await client.send(new ListDeliveryStreamsCommand({ Limit: 1, ExclusiveStartDeliveryStreamName: "extended" }));
    assert.deepEqual(next.DeliveryStreamNames, ["plain"]);
    assert.equal(next.HasMoreDeliveryStreams, false);
    const kinesis = await client.send(new ListDeliveryStreamsCommand({ DeliveryStreamType: "KinesisStreamAsSource" }));
    assert.deepEqual(kinesis.DeliveryStreamNames, []);
  });
});

describe("UpdateDestination", () => {
  it("merges an update at the current version and increments VersionId", async () => {
    await client.send(
      new UpdateDestinationCommand({ DeliveryStreamName: "extended", CurrentDeliveryStreamVersionId: "1", DestinationId: "destinationId-000000000001", ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 } } }),
    );
    const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "extended" }));
    assert.equal(d!.VersionId, "2");
    const extended = d!.Destinations![0]!.ExtendedS3DestinationDescription!;
    assert.deepEqual(extended.BufferingHints, { SizeInMBs: 64, IntervalInSeconds: 60 });
    assert.equal(extended.CompressionFormat, "GZIP");
    assert.equal(extended.Prefix, "p/");
    assert.ok(d!.LastUpdateTimestamp instanceof Date);
  });

  it("refuses a stale version id with ConcurrentModificationException", async () => {
    const error = await errorOf(
      client.send(new UpdateDestinationCommand({ DeliveryStreamName: "extended", CurrentDeliveryStreamVersionId: "1", DestinationId: "destinationId-000000000001", ExtendedS3DestinationUpdate: { Prefix: "q/" } })),
    );
    assert.deepEqual(error, {
      name: "ConcurrentModificationException",
      message: "Cannot update firehose: extended since the current version id: 2 and specified version id: 1 do not match",
      status: 400,
    });
  });
});

describe("PutRecord and PutRecordBatch", () => {
  it("acknowledges records with ids and per-record answers", async () => {
    const one = await client.send(new PutRecordCommand({ DeliveryStreamName: "plain", Record: { Data: Buffer.from("a\n") } }));
    assert.equal(typeof one.RecordId, "string");
    assert.equal(one.Encrypted, false);
    const batch = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "plain", Records: [{ Data: Buffer.from("b\n") }, { Data: Buffer.from("c\n") }] }));
    assert.equal(batch.FailedPutCount, 0);
    assert.equal(batch.RequestResponses!.length, 2);
    assert.notEqual(batch.RequestResponses![0]!.RecordId, batch.RequestResponses![1]!.RecordId);
  });

  it("refuses a record over 1,000 KiB and a batch over 500 records", async () => {
    const big = await errorOf(client.send(new PutRecordCommand({ DeliveryStreamName: "plain", Record: { Data: Buffer.alloc(1_024_001) } })));
    assert.equal(big.name, "ValidationException");
    assert.match(big.message, /at 'record\.data' failed to satisfy constraint: Member must have length less than or equal to 1024000$/);
    const many = await errorOf(client.send(new PutRecordBatchCommand({ DeliveryStreamName: "plain", Records: Array.from({ length: 501 }, () => ({ Data: Buffer.from("x") })) })));
    assert.equal(many.name, "ValidationException");
    assert.match(many.message, /at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/);
  });

  it("answers ResourceNotFoundException for an unknown stream", async () => {
    const error = await errorOf(client.send(new PutRecordCommand({ DeliveryStreamName: "ghost", Record: { Data: Buffer.from("x") } })));
    assert.equal(error.name, "ResourceNotFoundException");
  });
});

describe("tags and encryption", () => {
  it("tags, lists with pagination and untags", async () => {
    await client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: "plain", Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    const first = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "plain", Limit: 1 }));
    assert.deepEqual(first.Tags, [{ Key: "a", Value: "1" }]);
    assert.equal(first.HasMoreTags, true);
    const rest = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "plain", ExclusiveStartTagKey: "a" }));
    assert.deepEqual(rest.Tags, [{ Key: "b", Value: "2" }]);
    await client.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: "plain", TagKeys: ["a"] }));
    const after = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "plain" }));
    assert.deepEqual(after.Tags, [{ Key: "b", Value: "2" }]);
  });

  it("starts and stops encryption; PutRecord reports it", async () => {
    await client.send(new StartDeliveryStreamEncryptionCommand({ DeliveryStreamName: "plain", DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" } }));
    const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "plain" }));
    assert.deepEqual(d!.DeliveryStreamEncryptionConfiguration, { KeyType: "AWS_OWNED_CMK", Status: "ENABLED" });
    const put = await client.send(new PutRecordCommand({ DeliveryStreamName: "plain", Record: { Data: Buffer.from("x") } }));
    assert.equal(put.Encrypted, true);
    await client.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "plain" }));
    const stopped = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "plain" }));
    assert.equal(stopped.DeliveryStreamDescription!.DeliveryStreamEncryptionConfiguration!.Status, "DISABLED");
  });
});

describe("DeleteDeliveryStream", () => {
  it("deletes a stream; it is then not found", async () => {
    await client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "plain", AllowForceDelete: true }));
    const error = await errorOf(client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "plain" })));
    assert.equal(error.name, "ResourceNotFoundException");
    const again = await errorOf(client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "plain" })));
    assert.deepEqual(again, { name: "ResourceNotFoundException", message: `Firehose plain under account ${server.accountId} not found.`, status: 400 });
  });
});

describe("reset", () => {
  it("drops delivery streams with their ingest logs; names are free again", async () => {
    await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "before-reset", S3DestinationConfiguration: s3() }));
    await client.send(new PutRecordCommand({ DeliveryStreamName: "before-reset", Record: { Data: Buffer.from("x") } }));
    const kinesisStreams = (await kinesisClient(server).send(new ListStreamsCommand({}))).StreamNames!.length;
    const dropped = await server.app!.reset();
    // The answer counts callers' streams and tables, not Firehose's ingest logs and tables.
    assert.deepEqual(dropped, { streams: kinesisStreams, tables: 0 });
    const listed = await client.send(new ListDeliveryStreamsCommand({}));
    assert.deepEqual(listed.DeliveryStreamNames, []);
    await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "before-reset", S3DestinationConfiguration: s3() }));
    const kinesis = await kinesisClient(server).send(new ListStreamsCommand({}));
    assert.deepEqual(kinesis.StreamNames, []);
  });
});
