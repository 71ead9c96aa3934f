/**
 * Every Firehose action through boto3 (Debian's python3-boto3): create a DirectPut stream to an
 * extended S3 destination and a KinesisStreamAsSource one, describe (CREATING, then ACTIVE after
 * waiting; VersionId; Destinations; Source), list with the type filter and paging, PutRecord and
 * PutRecordBatch delivered at a 0-second interval and read back through boto3's S3 client,
 * UpdateDestination at the current and a stale version id, tags, encryption, delete — and the
 * errors botocore raises, with the server's exact codes and messages.
 *
 * Debian's botocore (1.29) checks the minimums of its model client-side, and that model predates
 * 0-second buffering intervals (it says IntervalInSeconds ≥ 60) and DirectPutSourceDescription:
 * streams with a 0 s interval and the out-of-range hints go through `unvalidated_firehose`
 * (parameter_validation off, the same wire requests), and Source reads {} for DirectPut.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { requireBoto3 } from "./external-clients.js";
import { boto3, roleArn, startFirehoseServer } from "./firehose-e2e-fixture.js";

let server: TestServer;
before(async () => {
  await requireBoto3();
  server = await startFirehoseServer({ firehose: { createDelayMs: 1500 } });
});
after(() => server?.stop());

const destination = {
  RoleARN: roleArn,
  BucketARN: "arn:aws:s3:::boto3-e2e-bucket",
  Prefix: "direct/",
  ErrorOutputPrefix: "errors/",
  CompressionFormat: "UNCOMPRESSED",
  BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
};

describe("create_delivery_stream and describe_delivery_stream", () => {
  it("creates a DirectPut stream: CREATING, then ACTIVE after waiting, with VersionId 1 and its destination", async () => {
    const out = await boto3(
      server,
      `
import time
created = unvalidated_firehose.create_delivery_stream(DeliveryStreamName="py-direct", DeliveryStreamType="DirectPut", ExtendedS3DestinationConfiguration=INPUT, Tags=[{"Key": "origin", "Value": "boto3"}])
first = firehose.describe_delivery_stream(DeliveryStreamName="py-direct")["DeliveryStreamDescription"]["DeliveryStreamStatus"]
for _ in range(100):
    d = firehose.describe_delivery_stream(DeliveryStreamName="py-direct")["DeliveryStreamDescription"]
    if d["DeliveryStreamStatus"] == "ACTIVE": break
    time.sleep(0.1)
OUTPUT = {"arn": created["DeliveryStreamARN"], "first": first, "description": d}
`,
      destination,
    );
    assert.equal(out.arn, `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/py-direct`);
    assert.equal(out.first, "CREATING");
    const d = out.description;
    assert.equal(d.DeliveryStreamStatus, "ACTIVE");
    assert.equal(d.DeliveryStreamName, "py-direct");
    assert.equal(d.DeliveryStreamARN, out.arn);
    assert.equal(d.DeliveryStreamType, "DirectPut");
    assert.equal(d.VersionId, "1");
    assert.equal(d.HasMoreDestinations, false);
    assert.deepEqual(d.Source, {});
    assert.deepEqual(d.DeliveryStreamEncryptionConfiguration, { Status: "DISABLED" });
    assert.ok(!Number.isNaN(Date.parse(d.CreateTimestamp)));
    assert.equal(d.Destinations.length, 1);
    assert.equal(d.Destinations[0].DestinationId, "destinationId-000000000001");
    const extended = d.Destinations[0].ExtendedS3DestinationDescription;
    assert.equal(extended.BucketARN, destination.BucketARN);
    assert.equal(extended.RoleARN, roleArn);
    assert.equal(extended.Prefix, "direct/");
    assert.equal(extended.ErrorOutputPrefix, "errors/");
    assert.deepEqual(extended.BufferingHints, { SizeInMBs: 1, IntervalInSeconds: 0 });
    assert.equal(extended.CompressionFormat, "UNCOMPRESSED");
    assert.equal(extended.S3BackupMode, "Disabled");
  });

  it("creates a KinesisStreamAsSource stream; describe shows its source", async () => {
    const out = await boto3(
      server,
      `
import time
kinesis.create_stream(StreamName="py-source", ShardCount=1)
arn = kinesis.describe_stream_summary(StreamName="py-source")["StreamDescriptionSummary"]["StreamARN"]
unvalidated_firehose.create_delivery_stream(DeliveryStreamName="py-from-kinesis", DeliveryStreamType="KinesisStreamAsSource",
    KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": INPUT["RoleARN"]}, ExtendedS3DestinationConfiguration=dict(INPUT, Prefix="kinesis/"))
for _ in range(100):
    d = firehose.describe_delivery_stream(DeliveryStreamName="py-from-kinesis")["DeliveryStreamDescription"]
    if d["DeliveryStreamStatus"] == "ACTIVE": break
    time.sleep(0.1)
try:
    firehose.put_record(DeliveryStreamName="py-from-kinesis", Record={"Data": b"x"})
    put = None
except firehose.exceptions.InvalidArgumentException as error:
    put = error.response["Error"]
OUTPUT = {"arn": arn, "description": d, "put": put}
`,
      destination,
    );
    const d = out.description;
    assert.equal(d.DeliveryStreamStatus, "ACTIVE");
    assert.equal(d.DeliveryStreamType, "KinesisStreamAsSource");
    assert.equal(d.Source.KinesisStreamSourceDescription.KinesisStreamARN, out.arn);
    assert.equal(d.Source.KinesisStreamSourceDescription.RoleARN, roleArn);
    assert.ok(!Number.isNaN(Date.parse(d.Source.KinesisStreamSourceDescription.DeliveryStartTimestamp)));
    assert.deepEqual(out.put, { Code: "InvalidArgumentException", Message: "This operation is not permitted on KinesisStreamAsSource delivery stream type." });
  });

  it("raises ValidationException for a processor type that does not exist", async () => {
    const out = await boto3(
      server,
      `firehose.create_delivery_stream(DeliveryStreamName="py-bad", ExtendedS3DestinationConfiguration=dict(INPUT, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60}, ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "Teleport"}]}))`,
      destination,
    );
    assert.deepEqual(out.error, {
      Code: "ValidationException",
      Message:
        "1 validation error detected: Value 'Teleport' at 'extendedS3DestinationConfiguration.processingConfiguration.processors.1.member.type' failed to satisfy constraint: " +
        "Member must satisfy enum value set: [RecordDeAggregation, Decompression, CloudWatchLogProcessing, Lambda, MetadataExtraction, AppendDelimiterToRecord]",
      HTTPStatusCode: 400,
    });
  });

  it("raises ValidationException for buffering hints out of range (botocore's own check off)", async () => {
    const out = await boto3(
      server,
      `unvalidated_firehose.create_delivery_stream(DeliveryStreamName="py-bad", ExtendedS3DestinationConfiguration=dict(INPUT, BufferingHints={"SizeInMBs": 0, "IntervalInSeconds": -1}))`,
      destination,
    );
    assert.deepEqual(out.error, {
      Code: "ValidationException",
      Message:
        "2 validation errors detected: Value '0' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '-1' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0",
      HTTPStatusCode: 400,
    });
  });

  it("raises ResourceNotFoundException for a stream that does not exist", async () => {
    const out = await boto3(server, `firehose.describe_delivery_stream(DeliveryStreamName="py-ghost")`);
    assert.deepEqual(out.error, { Code: "ResourceNotFoundException", Message: `Firehose py-ghost under account ${server.accountId} not found.`, HTTPStatusCode: 400 });
  });
});

describe("list_delivery_streams", () => {
  it("filters by type and pages", async () => {
    const out = await boto3(
      server,
      `
OUTPUT = {
    "all": firehose.list_delivery_streams(),
    "direct": firehose.list_delivery_streams(DeliveryStreamType="DirectPut"),
    "kinesis": firehose.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource"),
    "first": firehose.list_delivery_streams(Limit=1),
    "second": firehose.list_delivery_streams(Limit=1, ExclusiveStartDeliveryStreamName="py-direct"),
}
for value in OUTPUT.values(): value.pop("ResponseMetadata")
`,
    );
    assert.deepEqual(out, {
      all: { DeliveryStreamNames: ["py-direct", "py-from-kinesis"], HasMoreDeliveryStreams: false },
      direct: { DeliveryStreamNames: ["py-direct"], HasMoreDeliveryStreams: false },
      kinesis: { DeliveryStreamNames: ["py-from-kinesis"], HasMoreDeliveryStreams: false },
      first: { DeliveryStreamNames: ["py-direct"], HasMoreDeliveryStreams: true },
      second: { DeliveryStreamNames: ["py-from-kinesis"], HasMoreDeliveryStreams: false },
    });
  });
});

describe("put_record and put_record_batch", () => {
  it("acknowledges records with ids; at a 0 s interval they reach the bucket, every one", async () => {
    const out = await boto3(
      server,
      `
import time
one = firehose.put_record(DeliveryStreamName="py-direct", Record={"Data": b"record-0\\n"})
batch = firehose.put_record_batch(DeliveryStreamName="py-direct", Records=[{"Data": ("record-%d\\n" % n).encode()} for n in range(1, 101)])
body = b""
for _ in range(200):
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="boto3-e2e-bucket", Prefix="direct/").get("Contents", [])]
    body = b"".join(s3.get_object(Bucket="boto3-e2e-bucket", Key=key)["Body"].read() for key in keys)
    if body.count(b"\\n") >= 101: break
    time.sleep(0.05)
OUTPUT = {"one": one["RecordId"], "encrypted": one["Encrypted"], "failed": batch["FailedPutCount"], "ids": [r["RecordId"] for r in batch["RequestResponses"]], "keys": keys, "body": body.decode()}
`,
    );
    assert.equal(typeof out.one, "string");
    assert.equal(out.encrypted, false);
    assert.equal(out.failed, 0);
    assert.equal(new Set([out.one, ...out.ids]).size, 101);
    for (const key of out.keys) assert.match(key, /^direct\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/py-direct-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$/);
    // Objects come in key order, which is time order only to the second: compare as sets, then count.
    const lines = out.body.split("\n").filter((line: string) => line !== "");
    assert.equal(lines.length, 101);
    assert.deepEqual(new Set(lines), new Set(Array.from({ length: 101 }, (_, n) => `record-${n}`)));
  });

  it("raises ValidationException past 500 records, naming the member", async () => {
    const out = await boto3(server, `unvalidated_firehose.put_record_batch(DeliveryStreamName="py-direct", Records=[{"Data": b"x"}] * 501)`);
    assert.equal(out.error.Code, "ValidationException");
    assert.match(out.error.Message, /^1 validation error detected: Value '.*' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/s);
  });
});

describe("update_destination", () => {
  it("updates at the current version id and raises ConcurrentModificationException at a stale one", async () => {
    const out = await boto3(
      server,
      `
firehose.update_destination(DeliveryStreamName="py-direct", CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
    ExtendedS3DestinationUpdate={"Prefix": "direct-v2/", "CompressionFormat": "GZIP"})
d = firehose.describe_delivery_stream(DeliveryStreamName="py-direct")["DeliveryStreamDescription"]
try:
    firehose.update_destination(DeliveryStreamName="py-direct", CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "stale/"})
    stale = None
except firehose.exceptions.ConcurrentModificationException as error:
    stale = error.response["Error"]
OUTPUT = {"description": d, "stale": stale}
`,
    );
    const d = out.description;
    assert.equal(d.VersionId, "2");
    const extended = d.Destinations[0].ExtendedS3DestinationDescription;
    assert.equal(extended.Prefix, "direct-v2/");
    assert.equal(extended.CompressionFormat, "GZIP");
    assert.equal(extended.ErrorOutputPrefix, "errors/");
    assert.deepEqual(extended.BufferingHints, { SizeInMBs: 1, IntervalInSeconds: 0 });
    assert.deepEqual(out.stale, { Code: "ConcurrentModificationException", Message: "Cannot update firehose: py-direct since the current version id: 2 and specified version id: 1 do not match" });
  });
});

describe("tags, encryption and delete", () => {
  it("tags (with those given at creation), lists paged, untags", async () => {
    const out = await boto3(
      server,
      `
firehose.tag_delivery_stream(DeliveryStreamName="py-direct", Tags=[{"Key": "team", "Value": "data"}])
all_tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName="py-direct")
first = firehose.list_tags_for_delivery_stream(DeliveryStreamName="py-direct", Limit=1)
rest = firehose.list_tags_for_delivery_stream(DeliveryStreamName="py-direct", ExclusiveStartTagKey=first["Tags"][0]["Key"])
firehose.untag_delivery_stream(DeliveryStreamName="py-direct", TagKeys=["origin"])
left = firehose.list_tags_for_delivery_stream(DeliveryStreamName="py-direct")
OUTPUT = {"all": all_tags["Tags"], "first": [first["Tags"], first["HasMoreTags"]], "rest": [rest["Tags"], rest["HasMoreTags"]], "left": left["Tags"]}
`,
    );
    assert.deepEqual(out.all, [{ Key: "origin", Value: "boto3" }, { Key: "team", Value: "data" }]);
    assert.deepEqual(out.first, [[{ Key: "origin", Value: "boto3" }], true]);
    assert.deepEqual(out.rest, [[{ Key: "team", Value: "data" }], false]);
    assert.deepEqual(out.left, [{ Key: "team", Value: "data" }]);
  });

  it("starts and stops encryption; put_record reports it", async () => {
    const out = await boto3(
      server,
      `
firehose.start_delivery_stream_encryption(DeliveryStreamName="py-direct", DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
started = firehose.describe_delivery_stream(DeliveryStreamName="py-direct")["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]
put = firehose.put_record(DeliveryStreamName="py-direct", Record={"Data": b"secret\\n"})
firehose.stop_delivery_stream_encryption(DeliveryStreamName="py-direct")
stopped = firehose.describe_delivery_stream(DeliveryStreamName="py-direct")["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]
OUTPUT = {"started": started, "encrypted": put["Encrypted"], "stopped": stopped["Status"]}
`,
    );
    assert.deepEqual(out, { started: { KeyType: "AWS_OWNED_CMK", Status: "ENABLED" }, encrypted: true, stopped: "DISABLED" });
  });

  it("deletes both streams; they are then not found", async () => {
    const out = await boto3(
      server,
      `
firehose.delete_delivery_stream(DeliveryStreamName="py-direct", AllowForceDelete=True)
firehose.delete_delivery_stream(DeliveryStreamName="py-from-kinesis")
listed = firehose.list_delivery_streams()["DeliveryStreamNames"]
try:
    firehose.delete_delivery_stream(DeliveryStreamName="py-direct")
    again = None
except firehose.exceptions.ResourceNotFoundException as error:
    again = dict(error.response["Error"], HTTPStatusCode=error.response["ResponseMetadata"]["HTTPStatusCode"])
OUTPUT = {"listed": listed, "again": again}
`,
    );
    assert.deepEqual(out.listed, []);
    assert.deepEqual(out.again, { Code: "ResourceNotFoundException", Message: `Firehose py-direct under account ${server.accountId} not found.`, HTTPStatusCode: 400 });
  });
});
