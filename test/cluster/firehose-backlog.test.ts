/**
 * Firehose's DirectPut backlog bound ("Slow down.") on two Tributary nodes over one engine (two
 * apps, one memory engine seen as a shared one), on one ManualClock: node A holds the stream's
 * lease and delivers it; records accepted through node B count against the bound on both nodes,
 * and once A has delivered them (its checkpoint stored), both accept records again.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, PutRecordCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { FirehoseService } from "../../src/firehose/index.js";
import { backlogRefreshMs } from "../../src/firehose/delivery/engine/shared-backlog.js";
import { DirectPutLogs, type IngestLogEntry } from "../../src/firehose/sources/direct-put-log.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import type { TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { firehoseClient, roleArn, s3Client, startFirehoseServer, waitActive } from "../firehose/fixtures.js";
import { nodeEngine } from "./cluster-helpers.js";

const accountId = "000000000000";
const streamName = "bounded-ds";
const bucket = "bounded-bucket";
const backlogBytesMax = 10_000;

/** `count` records of 1,000 bytes each. */
const records = (count: number) => Array.from({ length: count }, () => ({ Data: Buffer.alloc(1_000, "x") }));

describe("cluster > firehose backlog bound over two nodes", () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 14, 0, 0));
  const shared = createMemoryEngine(systemRandom);
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startFirehoseServer({ clock, storage: nodeEngine(shared).engine, random: new SeededRandom(1), firehose: { backlogBytesMax } });
    b = await startFirehoseServer({ clock, storage: nodeEngine(shared).engine, random: new SeededRandom(2), firehose: { backlogBytesMax } });
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  const engineOf = (server: TestServer) => server.app!.service<FirehoseService>("firehose")!.engine;

  /** Lets each node's count go stale and counts again from storage. */
  async function recount(incarnationId: string): Promise<void> {
    await clock.advanceAsync(backlogRefreshMs);
    for (const server of [a, b]) {
      engineOf(server).backlogBytes(incarnationId);
      await engineOf(server).backlogCounted(incarnationId);
    }
  }

  async function putOne(client: FirehoseClient): Promise<string> {
    return client.send(new PutRecordCommand({ DeliveryStreamName: streamName, Record: { Data: Buffer.from("one more\n") } })).then(
      () => "accepted",
      (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => `${error.name}: ${error.message} (${error.$metadata?.httpStatusCode})`,
    );
  }

  it("counts the records accepted through either node against the bound, on both, until delivered", async () => {
    const clientA = firehoseClient(a);
    const clientB = firehoseClient(b);
    await clientA.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: streamName,
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: `arn:aws:s3:::${bucket}`, BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
      }),
    );
    await waitActive(clientA, streamName);
    assert.ok(engineOf(a).deliveryOf(accountId, streamName), "node A delivers the stream it created");
    assert.equal(engineOf(b).deliveryOf(accountId, streamName), undefined, "node B does not");
    const entry = (await shared.catalog.get(DirectPutLogs.catalogAccount(accountId), streamName)) as IngestLogEntry;

    // 12,000 bytes through B, none through A; nothing is delivered before the 60-second interval.
    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records(6) }));
    await clientB.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records(6) }));
    await recount(entry.streamId);
    const slowDown = "ServiceUnavailableException: Slow down. (503)";
    assert.equal(await putOne(clientA), slowDown, "node A, which delivers, sees what B accepted");
    assert.equal(await putOne(clientB), slowDown, "node B, which does not deliver, sees it too");

    await clock.advanceAsync(61_000);
    const s3 = s3Client(b);
    await waitFor("node A delivers the backlog", async () => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined))?.KeyCount ?? 0) > 0);
    await waitFor("node A stores its checkpoint", async () => {
      await recount(entry.streamId);
      return engineOf(a).backlogBytes(entry.streamId) <= backlogBytesMax && engineOf(b).backlogBytes(entry.streamId) <= backlogBytesMax;
    });
    assert.equal(await putOne(clientB), "accepted");
    assert.equal(await putOne(clientA), "accepted");
  });
});
