/**
 * KinesisStreamAsSource: DescribeDeliveryStream shows the source with DeliveryStartTimestamp,
 * PutRecord is refused with Firehose's text, and records put to the Kinesis stream (before and
 * after a SplitShard) reach S3, every one (each key's order is not checked yet).
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordCommand } from "@aws-sdk/client-firehose";
import { CreateStreamCommand, PutRecordsCommand, SplitShardCommand, DescribeStreamCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { kinesisClient, type TestServer } from "../helpers/server.js";
import { errorOf, firehoseClient, roleArn, s3Client, startFirehoseServer } from "./fixtures.js";

let server: TestServer;
before(async () => {
  server = await startFirehoseServer();
});
after(() => server.stop());

it("delivers a Kinesis stream's records across a split, every record", async () => {
  const kinesis = kinesisClient(server);
  const firehose = firehoseClient(server);
  await kinesis.send(new CreateStreamCommand({ StreamName: "source", ShardCount: 1 }));
  const streamArn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/source`;
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "from-kinesis",
      DeliveryStreamType: "KinesisStreamAsSource",
      KinesisStreamSourceConfiguration: { KinesisStreamARN: streamArn, RoleARN: roleArn },
      ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::kinesis-out", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } },
    }),
  );
  const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "from-kinesis" }));
  const source = described.DeliveryStreamDescription!.Source!.KinesisStreamSourceDescription!;
  assert.equal(source.KinesisStreamARN, streamArn);
  assert.ok(source.DeliveryStartTimestamp instanceof Date);
  const refused = await errorOf(firehose.send(new PutRecordCommand({ DeliveryStreamName: "from-kinesis", Record: { Data: Buffer.from("x") } })));
  assert.deepEqual(refused, { name: "InvalidArgumentException", message: "This operation is not permitted on KinesisStreamAsSource delivery stream type.", status: 400 });

  const put = (from: number) =>
    kinesis.send(new PutRecordsCommand({ StreamName: "source", Records: Array.from({ length: 100 }, (_, i) => ({ PartitionKey: `k${(from + i) % 7}`, Data: Buffer.from(`${from + i}\n`) })) }));
  await put(0);
  const shards = await kinesis.send(new DescribeStreamCommand({ StreamName: "source" }));
  await kinesis.send(new SplitShardCommand({ StreamName: "source", ShardToSplit: shards.StreamDescription!.Shards![0]!.ShardId!, NewStartingHashKey: (2n ** 127n).toString() }));
  await put(100);

  const s3 = s3Client(server);
  let numbers: number[] = [];
  for (let attempt = 0; attempt < 500 && numbers.length < 200; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "kinesis-out" })).catch(() => ({ Contents: [] }));
    numbers = [];
    for (const object of listed.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: "kinesis-out", Key: object.Key! }));
      numbers.push(...(await got.Body!.transformToString()).trim().split("\n").map(Number));
    }
  }
  assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: 200 }, (_, n) => n));
});
