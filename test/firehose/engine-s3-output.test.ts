/**
 * The S3 destination's layout through the whole server, on a ManualClock: keys from
 * src/firehose/output (Prefix expressions, CustomTimeZone, FileExtension), the error output's keys
 * and error records (ErrorOutputPrefix with !{firehose:error-output-type}), dynamic partitioning by
 * a JQ query (records that fail extraction, and a batch without a key the Prefix names, go to
 * partitioning-failed), prefix validation at CreateDeliveryStream / UpdateDestination, and
 * S3BackupMode Enabled (the source records in the backup bucket; refused together with processors).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand, UpdateDestinationCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { ManualClock } from "../../src/util/clock.js";
import type { TestServer } from "../helpers/server.js";
import { errorOf, firehoseClient, roleArn, s3Client, startFirehoseServer, waitActive } from "./fixtures.js";

// 2026-12-07 20:05:09 UTC is 2026-12-08 05:05:09 in Tokyo (UTC+9).
const startMs = Date.UTC(2026, 11, 7, 20, 5, 9);

let server: TestServer;
let client: FirehoseClient;
let s3: S3Client;
before(async () => {
  server = await startFirehoseServer({ clock: new ManualClock(startMs) });
  client = firehoseClient(server);
  s3 = s3Client(server);
});
after(() => server.stop());

async function objects(bucket: string): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => ({ Contents: [] }));
  const out = new Map<string, string>();
  for (const object of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
    out.set(object.Key!, await got.Body!.transformToString());
  }
  return out;
}

async function eventually(bucket: string, count: number): Promise<Map<string, string>> {
  for (let i = 0; i < 500; i++) {
    const found = await objects(bucket);
    if (found.size >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${bucket} never had ${count} objects`);
}

const put = (name: string, data: string[]) => client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: data.map((text) => ({ Data: Buffer.from(text) })) }));
const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

describe("keys", () => {
  it("evaluates Prefix in CustomTimeZone with FileExtension; the default layout without expressions", async () => {
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "keyed",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::keyed-bucket",
          Prefix: "data/!{timestamp:yyyy-MM-dd}/!{firehose:random-string}/",
          ErrorOutputPrefix: "errors/!{firehose:error-output-type}/",
          CustomTimeZone: "Asia/Tokyo",
          FileExtension: ".ndjson",
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
        },
      }),
    );
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "plain",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::plain-bucket", Prefix: "logs", CompressionFormat: "GZIP", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } },
      }),
    );
    await waitActive(client, "keyed");
    await put("keyed", ['{"a":1}\n', '{"a":2}\n']);
    await put("plain", ['{"a":1}\n']);
    const [key, body] = [...(await eventually("keyed-bucket", 1))][0]!;
    assert.match(key, new RegExp(`^data/2026-12-08/[0-9a-f]{11}/keyed-1-2026-12-08-05-05-09-${uuid}\\.ndjson$`));
    assert.equal(body, '{"a":1}\n{"a":2}\n');
    const [plainKey] = [...(await eventually("plain-bucket", 1))][0]!;
    assert.match(plainKey, new RegExp(`^logs2026/12/07/20/plain-1-2026-12-07-20-05-09-${uuid}\\.gz$`));
  });

  it("refuses bad prefixes at CreateDeliveryStream and UpdateDestination with Firehose's texts", async () => {
    const missing = await errorOf(
      client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "no-error-prefix", ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::b", Prefix: "p/!{timestamp:yyyy}/" } })),
    );
    assert.deepEqual([missing.name, missing.message], ["InvalidArgumentException", "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"]);
    const notDynamic = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "not-dynamic",
          ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::b", Prefix: "p/!{partitionKeyFromQuery:k}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/" },
        }),
      ),
    );
    assert.equal(notDynamic.message, "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled.");
    const small = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "small-partitions",
          ExtendedS3DestinationConfiguration: {
            RoleARN: roleArn,
            BucketARN: "arn:aws:s3:::b",
            Prefix: "p/!{partitionKeyFromQuery:k}/",
            ErrorOutputPrefix: "e/!{firehose:error-output-type}/",
            DynamicPartitioningConfiguration: { Enabled: true },
            BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 },
            ProcessingConfiguration: { Enabled: true, Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{k: .k}" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }] },
          },
        }),
      ),
    );
    assert.equal(small.message, "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.");
    const zone = await errorOf(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "zone", ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::b", CustomTimeZone: "Mars/Olympus" } })));
    assert.deepEqual([zone.name, zone.message], ["InvalidArgumentException", "CustomTimeZone Mars/Olympus is not a supported time zone."]);

    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "plain" }));
    const update = await errorOf(
      client.send(
        new UpdateDestinationCommand({
          DeliveryStreamName: "plain",
          CurrentDeliveryStreamVersionId: described.DeliveryStreamDescription!.VersionId!,
          DestinationId: described.DeliveryStreamDescription!.Destinations![0]!.DestinationId!,
          ExtendedS3DestinationUpdate: { Prefix: "p/!{timestamp:yyyy}/" },
        }),
      ),
    );
    assert.equal(update.message, "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions");
  });
});

describe("dynamic partitioning and the error output", () => {
  it("partitions by a JQ query; extraction failures and a missing prefix key go to partitioning-failed as error records", async () => {
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "partitioned",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::partitioned-bucket",
          Prefix: "by/!{partitionKeyFromQuery:customer}/!{partitionKeyFromQuery:region}/",
          ErrorOutputPrefix: "failed/!{firehose:error-output-type}/!{timestamp:yyyy}/",
          DynamicPartitioningConfiguration: { Enabled: true },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: "MetadataExtraction",
                Parameters: [
                  // `region` only when the record has one: a record without it has no key for the prefix.
                  { ParameterName: "MetadataExtractionQuery", ParameterValue: "{customer: .customer} + (if .region then {region: .region} else {} end)" },
                  { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" },
                ],
              },
            ],
          },
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 0 },
        },
      }),
    );
    await waitActive(client, "partitioned");
    await put("partitioned", ['{"customer":"a","region":"eu"}', '{"customer":"b","region":"us"}', "not json", '{"customer":"a","region":"eu","n":2}', '{"customer":"c"}']);
    const found = await eventually("partitioned-bucket", 4);
    const keys = [...found.keys()].sort();
    assert.equal(keys.length, 4, keys.join("\n"));
    assert.match(keys[0]!, new RegExp(`^by/a/eu/partitioned-1-2026-12-07-20-05-09-${uuid}$`));
    assert.match(keys[1]!, /^by\/b\/us\//);
    assert.match(keys[2]!, new RegExp(`^failed/partitioning-failed/2026/partitioned-1-2026-12-07-20-05-09-${uuid}$`));
    assert.match(keys[3]!, /^failed\/partitioning-failed\/2026\//);
    assert.equal(found.get(keys[0]!), '{"customer":"a","region":"eu"}{"customer":"a","region":"eu","n":2}');
    const errors = [keys[2]!, keys[3]!].flatMap((key) => found.get(key)!.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>));
    const byData = new Map(errors.map((line) => [Buffer.from(String(line.rawData), "base64").toString(), line]));
    assert.deepEqual(Object.keys(byData.get("not json")!), ["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData"]);
    assert.equal(byData.get("not json")!.errorCode, "DynamicPartitioning.MetadataExtractionFailed");
    assert.equal(byData.get("not json")!.arrivalTimestamp, startMs);
    assert.equal(byData.get('{"customer":"c"}')!.errorCode, "DynamicPartitioning.PartitionKeyMissing");
  });
});

describe("S3BackupMode", () => {
  it("writes the source records to S3BackupConfiguration as well, in its own format", async () => {
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "backed-up",
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: "arn:aws:s3:::main-bucket",
          CompressionFormat: "GZIP",
          S3BackupMode: "Enabled",
          S3BackupConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::backup-bucket", Prefix: "source/" },
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
        },
      }),
    );
    await waitActive(client, "backed-up");
    await put("backed-up", ["one\n", "two\n"]);
    const [backupKey, backupBody] = [...(await eventually("backup-bucket", 1))][0]!;
    assert.match(backupKey, new RegExp(`^source/2026/12/07/20/backed-up-1-2026-12-07-20-05-09-${uuid}$`));
    assert.equal(backupBody, "one\ntwo\n");
    const [mainKey] = [...(await eventually("main-bucket", 1))][0]!;
    assert.match(mainKey, /\.gz$/);
  });

  it("is refused with processors (the source records are not kept past them) and without S3BackupConfiguration", async () => {
    const withProcessors = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "backup-and-processors",
          ExtendedS3DestinationConfiguration: {
            RoleARN: roleArn,
            BucketARN: "arn:aws:s3:::b",
            S3BackupMode: "Enabled",
            S3BackupConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::bb" },
            ProcessingConfiguration: { Enabled: true, Processors: [{ Type: "AppendDelimiterToRecord", Parameters: [] }] },
          },
        }),
      ),
    );
    assert.deepEqual(
      [withProcessors.name, withProcessors.message],
      ["InvalidArgumentException", "S3BackupMode Enabled together with ProcessingConfiguration is not supported by this server: source records are not kept past the processors. Disable one of them."],
    );
    const without = await errorOf(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "backup-nowhere", ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::b", S3BackupMode: "Enabled" } })));
    assert.equal(without.message, "S3BackupConfiguration is required when S3BackupMode is Enabled.");
  });
});
