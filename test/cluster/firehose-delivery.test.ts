/**
 * A Firehose delivery stream on two Tributary nodes over one engine (two apps, one memory engine
 * seen as a shared one), on one ManualClock: records put through either node are delivered by
 * the one node holding the stream's lease; after that node's graceful stop the other delivers,
 * from the checkpoint, every record at least once; a node cut off from storage stops delivering
 * and the other takes the stream over within the lease's lifetime.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { FirehoseService } from "../../src/firehose/index.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import type { TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { firehoseClient, roleArn, s3Client, startFirehoseServer, waitActive } from "../firehose/fixtures.js";
import { nodeEngine, type ClusterNodeEngine } from "./cluster-helpers.js";

const accountId = "000000000000";
const streamName = "cluster-ds";
const bucket = "cluster-bucket";

async function deliveredNumbers(s3: S3Client, bucketName = bucket): Promise<number[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucketName })).catch(() => ({ Contents: [] }));
  const out: number[] = [];
  for (const object of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucketName, Key: object.Key! }));
    for (const line of Buffer.from(await got.Body!.transformToByteArray()).toString("utf8").split("\n")) if (line !== "") out.push((JSON.parse(line) as { n: number }).n);
  }
  return out;
}

const records = (from: number, count: number) => Array.from({ length: count }, (_, index) => ({ Data: Buffer.from(`{"n":${from + index}}\n`) }));
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

function deliveryOf(server: TestServer, name = streamName) {
  return server.app!.service<FirehoseService>("firehose")!.engine.deliveryOf(accountId, name);
}

describe("cluster > firehose delivery over two nodes", () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 13, 5, 9));
  const shared = createMemoryEngine(systemRandom);
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startFirehoseServer({ clock, storage: nodeEngine(shared).engine, random: new SeededRandom(1) });
    b = await startFirehoseServer({ clock, storage: nodeEngine(shared).engine, random: new SeededRandom(2) });
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it("delivers on the lease holder only, and everything from the other node after the holder stops", async () => {
    const clientA = firehoseClient(a);
    const clientB = firehoseClient(b);
    await clientA.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: streamName,
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: `arn:aws:s3:::${bucket}`, BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
      }),
    );
    await waitActive(clientA, streamName);
    // B looks at the stream at its renewals: A, alive, holds it.
    for (let round = 0; round < 3; round++) await clock.advanceAsync(2_000);
    assert.ok(deliveryOf(a), "node A delivers the stream it created");
    assert.equal(deliveryOf(b), undefined, "node B does not");

    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records(0, 50) }));
    await clientA.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records(50, 50) }));
    await clock.advanceAsync(61_000);
    const s3 = s3Client(b);
    await waitFor("node A delivers what both nodes took", async () => {
      const delivered = new Set(await deliveredNumbers(s3));
      return range(0, 100).every((n) => delivered.has(n));
    });

    // Acknowledged by B, buffered (not yet delivered) by A when A stops.
    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records(100, 50) }));
    await a.stop();
    await clock.advanceAsync(2_000);
    await waitFor("node B takes the released lease", () => deliveryOf(b) !== undefined);
    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records(150, 50) }));
    await clock.advanceAsync(61_000);
    await waitFor("node B delivers every record at least once", async () => {
      const delivered = new Set(await deliveredNumbers(s3));
      return range(0, 200).every((n) => delivered.has(n));
    });
  });
});

describe("cluster > firehose delivery when a node is cut off from storage", () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 15, 0, 0));
  const shared = createMemoryEngine(systemRandom);
  let nodeA: ClusterNodeEngine;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    nodeA = nodeEngine(shared);
    a = await startFirehoseServer({ clock, storage: nodeA.engine, random: new SeededRandom(3) });
    b = await startFirehoseServer({ clock, storage: nodeEngine(shared).engine, random: new SeededRandom(4) });
  });
  after(async () => {
    nodeA.cut(false);
    await a.stop();
    await b.stop();
  });

  it("moves the stream to the other node within the lease's lifetime, every record delivered at least once", async () => {
    const name = "cut-ds";
    const cutBucket = "cut-bucket";
    const clientA = firehoseClient(a);
    const clientB = firehoseClient(b);
    await clientA.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: `arn:aws:s3:::${cutBucket}`, BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
      }),
    );
    await waitActive(clientA, name);
    assert.ok(deliveryOf(a, name));
    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records(0, 40) }));
    await clock.advanceAsync(61_000);
    const s3 = s3Client(b);
    await waitFor("node A delivers the first records", async () => {
      const delivered = new Set(await deliveredNumbers(s3, cutBucket));
      return range(0, 40).every((n) => delivered.has(n));
    });

    // A can no longer reach the tables: its heartbeats fail; it stops before B takes over after 10 s.
    nodeA.cut(true);
    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records(40, 40) }));
    for (let step = 0; step < 7; step++) await clock.advanceAsync(2_000);
    await waitFor("node A stops delivering", () => deliveryOf(a, name) === undefined);
    await waitFor("node B delivers the stream", () => deliveryOf(b, name) !== undefined);
    await clock.advanceAsync(61_000);
    await waitFor("every record at least once", async () => {
      const delivered = new Set(await deliveredNumbers(s3, cutBucket));
      return range(0, 80).every((n) => delivered.has(n));
    });
  });
});
