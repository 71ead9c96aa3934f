/**
 * The delivery engine end to end inside one server on a ManualClock: DirectPut records buffered
 * by BufferingHints and delivered to the built-in S3 store as GZIP objects in the default key
 * layout — an interval flush (nothing before IntervalInSeconds, everything after), a size flush
 * (without moving the clock), and a restart on the same data directory delivering what was
 * acknowledged but still buffered, once.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { ManualClock } from "../../src/util/clock.js";
import type { TestServer } from "../helpers/server.js";
import { firehoseClient, roleArn, s3Client, startFirehoseServer } from "./fixtures.js";

const startMs = Date.UTC(2026, 11, 7, 13, 5, 9);

async function objects(s3: S3Client, bucket: string): Promise<{ key: string; body: Buffer }[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => ({ Contents: [] }));
  const out = [];
  for (const object of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
    out.push({ key: object.Key!, body: Buffer.from(await got.Body!.transformToByteArray()) });
  }
  return out;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition never met");
}

const records = (from: number, count: number) => Array.from({ length: count }, (_, index) => ({ Data: Buffer.from(`{"n":${from + index}}\n`) }));

describe("interval and size flushes", () => {
  const clock = new ManualClock(startMs);
  let server: TestServer;
  before(async () => {
    server = await startFirehoseServer({ clock });
  });
  after(() => server.stop());

  it("delivers nothing before IntervalInSeconds and one GZIP object after", async () => {
    const client = firehoseClient(server);
    const s3 = s3Client(server);
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "timed",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::timed-bucket", CompressionFormat: "GZIP", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
      }),
    );
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "timed", Records: records(0, 100) }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await clock.advanceAsync(59_000);
    assert.deepEqual(await objects(s3, "timed-bucket"), []);
    await clock.advanceAsync(1_000);
    const delivered = await eventually(() => objects(s3, "timed-bucket"), (list) => list.length === 1);
    assert.match(delivered[0]!.key, /^2026\/12\/07\/13\/timed-1-2026-12-07-13-05-09-[0-9a-f-]{36}\.gz$/);
    const lines = gunzipSync(delivered[0]!.body).toString().trim().split("\n");
    assert.deepEqual(lines, Array.from({ length: 100 }, (_, n) => `{"n":${n}}`));
  });

  it("flushes at SizeInMBs without the clock moving", async () => {
    const client = firehoseClient(server);
    const s3 = s3Client(server);
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "sized",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::sized-bucket", Prefix: "p/!{timestamp:yyyy}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 } },
      }),
    );
    const payload = Buffer.alloc(1000, 0x61);
    for (let batch = 0; batch < 3; batch++) {
      await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "sized", Records: Array.from({ length: 400 }, () => ({ Data: payload })) }));
    }
    // 1,200,000 bytes: one object at 1 MiB, the rest still buffered.
    const delivered = await eventually(() => objects(s3, "sized-bucket"), (list) => list.length === 1);
    assert.match(delivered[0]!.key, /^p\/2026\/sized-1-/);
    // The buffer is cut where it reaches 1 MiB: 1,049 records of 1,000 bytes.
    assert.equal(delivered[0]!.body.length, 1_049_000);
  });
});

describe("restart", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "firehose-restart-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("delivers after a restart what was acknowledged but buffered, once", async () => {
    const clock = new ManualClock(startMs);
    let server = await startFirehoseServer({ clock, dataDir });
    const client = firehoseClient(server);
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "durable",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::durable-bucket", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
      }),
    );
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "durable", Records: records(0, 50) }));
    // The interval passes at each poll: however late the engine reads the records (a loaded
    // machine), a flush follows; the test waits for what was delivered, not for a set time.
    const lineCount = (list: { body: Buffer }[]) => list.reduce((sum, object) => sum + object.body.toString().trim().split("\n").length, 0);
    const advancing = async () => {
      await clock.advanceAsync(60_000);
      return objects(s3Client(server), "durable-bucket");
    };
    await eventually(advancing, (list) => lineCount(list) === 50);
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "durable", Records: records(50, 50) }));
    await server.stop();
    server = await startFirehoseServer({ clock, dataDir });
    try {
      const delivered = await eventually(advancing, (list) => lineCount(list) >= 100);
      const lines = delivered.flatMap((object) => object.body.toString().trim().split("\n")).sort((a, b) => JSON.parse(a).n - JSON.parse(b).n);
      assert.deepEqual(lines, Array.from({ length: 100 }, (_, n) => `{"n":${n}}`));
    } finally {
      await server.stop();
    }
  });
});
