import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetRecordsCommand, GetShardIteratorCommand, StartStreamEncryptionCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { ManualClock } from "../../src/util/clock.js";
import type { StreamAccess } from "../../src/storage/stream-access.js";
import { accessRecords, createStream, fromSdk, fromView, putRecords, sdkRecords, sdkShards } from "./stream-access-helpers.js";

const shard0 = "shardId-000000000000";
const limits = { recordsMax: 1000, bytesMax: 10 * 1024 * 1024 };

describe("streams > stream access > reading", () => {
  let server: TestServer;
  let client: KinesisClient;
  let access: StreamAccess;
  const clock = new ManualClock(Date.now());
  before(async () => {
    server = await startTestServer({ clock });
    client = kinesisClient(server);
    access = server.app!.streams.streamAccess;
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const arnOf = (name: string) => `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;

  /** A one-shard stream with ten records, then (five seconds later) five more. */
  async function filledStream(prefix: string): Promise<{ name: string; sequenceNumbers: string[]; laterMs: number }> {
    const name = randomStreamName(prefix);
    await createStream(client, name, 1);
    const first = await putRecords(client, name, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
    clock.advance(5000);
    const laterMs = clock.nowMs();
    const second = await putRecords(client, name, ["k", "l", "m", "n", "o"]);
    return { name, sequenceNumbers: [...first, ...second], laterMs };
  }

  it("describes a stream as DescribeStream does", async () => {
    const name = randomStreamName("access-describe");
    await createStream(client, name, 3);
    const view = await access.describeStream(arnOf(name));
    assert.ok(view);
    assert.equal(view.streamName, name);
    assert.equal(view.streamArn, arnOf(name));
    assert.equal(view.accountId, server.accountId);
    assert.equal(view.status, "ACTIVE");
    assert.equal(view.retentionHours, 24);
    assert.deepEqual(view.shards, await sdkShards(client, name));
    assert.equal(await access.describeStream(arnOf(randomStreamName("absent"))), undefined);
    assert.equal(await access.describeStream(`arn:aws:kinesis:eu-west-3:${server.accountId}:stream/${name}`), undefined);
    assert.equal(await access.describeStream("not an arn"), undefined);
  });

  it("reads from TRIM_HORIZON, AT/AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP what GetRecords returns", async () => {
    const { name, sequenceNumbers, laterMs } = await filledStream("access-positions");
    const arn = arnOf(name);
    const all = await sdkRecords(client, name, shard0, "TRIM_HORIZON");
    assert.equal(all.length, 15);
    assert.deepEqual(all.map((record) => record.sequenceNumber), sequenceNumbers);
    assert.deepEqual((await accessRecords(access, arn, shard0, { type: "TRIM_HORIZON" })).records, all);

    const at = await accessRecords(access, arn, shard0, { type: "AT_SEQUENCE_NUMBER", sequenceNumber: sequenceNumbers[3]! });
    assert.deepEqual(at.records, await sdkRecords(client, name, shard0, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequenceNumbers[3]! }));
    assert.deepEqual(at.records, all.slice(3));

    const afterThree = await accessRecords(access, arn, shard0, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: sequenceNumbers[3]! });
    assert.deepEqual(afterThree.records, await sdkRecords(client, name, shard0, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequenceNumbers[3]! }));
    assert.deepEqual(afterThree.records, all.slice(4));

    const atTime = await accessRecords(access, arn, shard0, { type: "AT_TIMESTAMP", timestampMs: laterMs });
    assert.deepEqual(atTime.records, await sdkRecords(client, name, shard0, "AT_TIMESTAMP", { Timestamp: new Date(laterMs) }));
    assert.deepEqual(atTime.records, all.slice(10));
    assert.deepEqual((await accessRecords(access, arn, shard0, { type: "AT_TIMESTAMP", timestampMs: laterMs - 60_000 })).records, all);
  });

  it("resumes from a CURSOR where the last read ended, and reports MillisBehindLatest as GetRecords does", async () => {
    const { name } = await filledStream("access-cursor");
    const arn = arnOf(name);
    clock.advance(2000);
    const all = await sdkRecords(client, name, shard0, "TRIM_HORIZON");
    const small = await accessRecords(access, arn, shard0, { type: "TRIM_HORIZON" }, 4);
    assert.deepEqual(small.records, all);
    assert.equal(small.reads, 5);
    assert.equal(small.last.millisBehindLatest, 0);
    assert.equal(small.last.shardEnded, false);

    // One read of two records: the lag is how long ago the third arrived, as GetRecords says with Limit 2.
    const first = await access.readShard(arn, shard0, { type: "TRIM_HORIZON" }, { recordsMax: 2, bytesMax: limits.bytesMax });
    assert.ok(first.ok);
    const iterator = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard0, ShardIteratorType: "TRIM_HORIZON" }));
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator!, Limit: 2 }));
    assert.deepEqual(first.records.map(fromView), page.Records!.map(fromSdk));
    assert.equal(first.millisBehindLatest, page.MillisBehindLatest);
    assert.equal(first.millisBehindLatest, 7000);
    assert.equal(first.next.type, "CURSOR");

    // An empty read stays where it is; the same cursor reads the same records again.
    const rest = await access.readShard(arn, shard0, first.next, limits);
    assert.ok(rest.ok);
    assert.deepEqual(rest.records.map(fromView), all.slice(2));
    const again = await access.readShard(arn, shard0, first.next, limits);
    assert.ok(again.ok);
    assert.deepEqual(again.records.map(fromView), all.slice(2));
    const empty = await access.readShard(arn, shard0, rest.next, limits);
    assert.ok(empty.ok);
    assert.equal(empty.records.length, 0);
    assert.deepEqual(empty.next, rest.next);
  });

  it("resolves LATEST to a position, so records appended after the first read are read next", async () => {
    const { name } = await filledStream("access-latest");
    const arn = arnOf(name);
    const latest = await access.readShard(arn, shard0, { type: "LATEST" }, limits);
    assert.ok(latest.ok);
    assert.equal(latest.records.length, 0);
    assert.equal(latest.next.type, "CURSOR");
    assert.equal(latest.millisBehindLatest, 0);
    clock.advance(1000);
    await putRecords(client, name, ["p", "q", "r"]);
    const after = await accessRecords(access, arn, shard0, latest.next);
    assert.deepEqual(after.records, (await sdkRecords(client, name, shard0, "TRIM_HORIZON")).slice(15));
    assert.deepEqual(after.records.map((record) => record.partitionKey), ["p", "q", "r"]);
  });

  it("answers outcomes, never throws, for what does not exist or cannot be a position", async () => {
    const { name, sequenceNumbers } = await filledStream("access-invalid");
    const other = randomStreamName("access-other");
    await createStream(client, other, 2);
    const arn = arnOf(name);
    const read = (streamArn: string, shardId: string, position: Parameters<StreamAccess["readShard"]>[2]) => access.readShard(streamArn, shardId, position, limits);
    const reason = async (outcome: ReturnType<typeof read>) => {
      const settled = await outcome;
      return settled.ok ? "ok" : settled.reason;
    };
    assert.equal(await reason(read(arnOf(randomStreamName("absent")), shard0, { type: "TRIM_HORIZON" })), "stream-not-found");
    assert.equal(await reason(read(`arn:aws:kinesis:eu-west-3:${server.accountId}:stream/${name}`, shard0, { type: "TRIM_HORIZON" })), "stream-not-found");
    assert.equal(await reason(read("arn:nonsense", shard0, { type: "TRIM_HORIZON" })), "stream-not-found");
    assert.equal(await reason(read(arn, "shardId-000000000007", { type: "TRIM_HORIZON" })), "shard-not-found");
    assert.equal(await reason(read(arn, "no-such-shard", { type: "LATEST" })), "shard-not-found");
    assert.equal(await reason(read(arn, shard0, { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "12345" })), "invalid-position");
    assert.equal(await reason(read(arn, shard0, { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "not a number" })), "invalid-position");
    // A sequence number of another stream's shard 0 did not come from this one.
    const foreign = await putRecords(client, other, ["z"], "0");
    assert.equal(await reason(read(arn, shard0, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: foreign[0]! })), "invalid-position");
    assert.equal(await reason(read(arn, "shardId-000000000001", { type: "AT_SEQUENCE_NUMBER", sequenceNumber: sequenceNumbers[0]! })), "shard-not-found");
    assert.equal(await reason(read(arn, shard0, { type: "AT_TIMESTAMP", timestampMs: clock.nowMs() + 60_000 })), "invalid-position");
    assert.equal(await reason(read(arn, shard0, { type: "CURSOR", cursor: "garbage" })), "invalid-position");
    assert.equal(await reason(read(arn, shard0, { type: "CURSOR", cursor: "ab//3" })), "invalid-position");
    // A cursor names its shard: presented for another, it is no position there.
    const otherShards = await access.readShard(arnOf(other), shard0, { type: "TRIM_HORIZON" }, limits);
    assert.ok(otherShards.ok);
    assert.equal(await reason(read(arnOf(other), "shardId-000000000001", otherShards.next)), "invalid-position");
    // A cursor of another stream presented to this one names no shard of it.
    assert.equal(await reason(read(arn, shard0, otherShards.next)), "shard-not-found");
  });

  it("skips records past retention, as GetRecords does", async () => {
    const name = randomStreamName("access-retention");
    await createStream(client, name, 1);
    await putRecords(client, name, ["old-1", "old-2", "old-3"]);
    const arn = arnOf(name);
    const start = await access.readShard(arn, shard0, { type: "TRIM_HORIZON" }, { recordsMax: 1, bytesMax: limits.bytesMax });
    assert.ok(start.ok);
    assert.equal(start.records.length, 1);
    clock.advance(24 * 3_600_000 + 1000);
    await putRecords(client, name, ["new-1", "new-2"]);
    const retained = await sdkRecords(client, name, shard0, "TRIM_HORIZON");
    assert.deepEqual(retained.map((record) => record.partitionKey), ["new-1", "new-2"]);
    assert.deepEqual((await accessRecords(access, arn, shard0, { type: "TRIM_HORIZON" })).records, retained);
    // A cursor from before the records expired skips them too.
    assert.deepEqual((await accessRecords(access, arn, shard0, start.next)).records, retained);
  });

  it("opens the records of an encrypted stream, EncryptionType as GetRecords gives it", async () => {
    const name = randomStreamName("access-encrypted");
    await createStream(client, name, 1);
    await putRecords(client, name, ["plain-1", "plain-2"]);
    await client.send(new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }));
    clock.advance(1000);
    await putRecords(client, name, ["sealed-1", "sealed-2", "sealed-3"]);
    const expected = await sdkRecords(client, name, shard0, "TRIM_HORIZON");
    assert.deepEqual(expected.map((record) => record.encryptionType), [undefined, undefined, "KMS", "KMS", "KMS"]);
    const read = await accessRecords(access, arnOf(name), shard0, { type: "TRIM_HORIZON" }, 2);
    assert.deepEqual(read.records, expected);
    assert.ok(Buffer.from(read.records[2]!.data, "hex").toString().startsWith("sealed-1"));
  });
});

// The embedded engine drops only whole segments, so expired records stay on disk and the reader must skip them itself.
describe("streams > stream access > retention on the embedded engine", () => {
  let server: TestServer;
  let client: KinesisClient;
  let dataDir: string;
  const clock = new ManualClock(Date.now());
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "tributary-stream-access-"));
    server = await startTestServer({ clock, dataDir });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("skips expired records still on disk, from TRIM_HORIZON and from an old cursor, as GetRecords does", async () => {
    const access = server.app!.streams.streamAccess;
    const name = randomStreamName("access-retention-disk");
    const arn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
    await createStream(client, name, 1);
    await putRecords(client, name, ["old-1", "old-2", "old-3"]);
    const start = await access.readShard(arn, shard0, { type: "TRIM_HORIZON" }, { recordsMax: 1, bytesMax: limits.bytesMax });
    assert.ok(start.ok);
    // A record that is still retained keeps the segment, expired records and all.
    clock.advance(120_000);
    await putRecords(client, name, ["kept"]);
    clock.advance(24 * 3_600_000 - 60_000);
    await putRecords(client, name, ["new-1", "new-2"]);
    const retained = await sdkRecords(client, name, shard0, "TRIM_HORIZON");
    assert.deepEqual(retained.map((record) => record.partitionKey), ["kept", "new-1", "new-2"]);
    assert.deepEqual((await accessRecords(access, arn, shard0, { type: "TRIM_HORIZON" })).records, retained);
    const resumed = await accessRecords(access, arn, shard0, start.next, 1);
    assert.deepEqual(resumed.records, retained);
    assert.equal(resumed.reads, 4);
  });
});
