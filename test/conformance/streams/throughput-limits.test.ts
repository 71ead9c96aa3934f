/**
 * Per-shard throughput limits (docs/limits.md) on a ManualClock, so every rate is exact: writes
 * 1,000 records and 1 MiB (data plus partition key) a second per shard, with a one-second burst
 * (or one maximal record on a stream that takes large records); GetRecords five calls and 2 MiB a
 * second per shard. Then `limits: "off"` (the test default, `--limits off`) meters nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { ok } from "../../helpers/wire-assert.js";
import { assertError, wires } from "./data-plane-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const accountId = "000000000000";
const mib = 1024 * 1024;
const upperHalf = (1n << 127n).toString();
const shardId = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const remote = process.env.TRIBUTARY_TEST_ENDPOINT !== undefined;
const skip = remote ? "needs the server's clock (ManualClock)" : false;

const shardThrottled = (shard: number, streamName: string) => `Rate exceeded for shard ${shardId(shard)} in stream ${streamName} under account ${accountId}.`;
const b64 = (bytes: number) => Buffer.alloc(bytes, "x").toString("base64");

/** PutRecords of `count` small entries to the shard that owns `hashKey`, tagged `tag-<i>`. */
function entries(count: number, tag: string, hashKey = "0"): { PartitionKey: string; ExplicitHashKey: string; Data: string }[] {
  return Array.from({ length: count }, (_, index) => ({ PartitionKey: "k", ExplicitHashKey: hashKey, Data: Buffer.from(`${tag}-${index}`).toString("base64") }));
}

describe("Limits > throughput", { skip }, () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  before(async () => {
    server = await startTestServer({ clock, limits: "aws" });
  });
  after(() => server.stop());

  /** A new ACTIVE stream; the clock then moves on a second so CreateStream's own rate (5/s) never interferes. */
  async function createStream(shardCount: number): Promise<string> {
    const name = randomStreamName("limits");
    await ok(server, "CreateStream", { StreamName: name, ShardCount: shardCount });
    clock.advance(1000);
    return name;
  }

  /** Asserts that a PutRecord of `dataBytes` (and `partitionKey`) is throttled on shard 0, in JSON and CBOR. */
  async function assertPutThrottled(streamName: string, dataBytes: number, partitionKey = "k"): Promise<void> {
    for (const wire of wires) {
      const response = await wire.call(server.url, "PutRecord", { StreamName: streamName, PartitionKey: partitionKey, Data: wire.blob(Buffer.alloc(dataBytes, "x")) });
      assertError(response, 400, "ProvisionedThroughputExceededException", shardThrottled(0, streamName));
    }
  }

  /** Asserts that a GetRecords is throttled on shard 0, in JSON and CBOR. */
  async function assertReadThrottled(streamName: string, iterator: string): Promise<void> {
    for (const wire of wires) {
      assertError(await wire.call(server.url, "GetRecords", { ShardIterator: iterator }), 400, "ProvisionedThroughputExceededException", shardThrottled(0, streamName));
    }
  }

  async function putRecords(streamName: string, records: unknown[]): Promise<any> {
    return ok(server, "PutRecords", { StreamName: streamName, Records: records });
  }

  /** Every record's Data in the shard, as text, read from TRIM_HORIZON (the clock moves on past the read limits). */
  async function readShard(streamName: string, shard: number): Promise<string[]> {
    const out: string[] = [];
    let iterator = (await ok(server, "GetShardIterator", { StreamName: streamName, ShardId: shardId(shard), ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
    for (let page = 0; page < 20; page++) {
      clock.advance(1000);
      const body = await ok(server, "GetRecords", { ShardIterator: iterator, Limit: 10_000 });
      out.push(...body.Records.map((record: { Data: string }) => Buffer.from(record.Data, "base64").toString()));
      if (body.Records.length === 0) return out;
      iterator = body.NextShardIterator;
    }
    throw new Error("the shard did not end");
  }

  describe("writes: 1,000 records a second per shard", () => {
    it("passes 1,000 records in one instant and throttles the next, in PutRecords and PutRecord, JSON and CBOR", async () => {
      const name = await createStream(1);
      for (let batch = 0; batch < 2; batch++) assert.equal((await putRecords(name, entries(500, `a${batch}`))).FailedRecordCount, 0);
      for (const wire of wires) {
        const records = [{ PartitionKey: "k", Data: wire.blob(Buffer.from("over")) }];
        const response = await wire.call(server.url, "PutRecords", { StreamName: name, Records: records });
        assert.equal(response.statusCode, 200);
        assert.equal(response.body.FailedRecordCount, 1);
        assert.deepEqual(response.body.Records, [{ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: shardThrottled(0, name) }]);
      }
      await assertPutThrottled(name, 1);
      assert.deepEqual((await readShard(name, 0)).length, 1000);
    });

    it("refills one record a millisecond, never beyond one second's worth", async () => {
      const name = await createStream(1);
      for (let batch = 0; batch < 2; batch++) await putRecords(name, entries(500, `a${batch}`));
      clock.advance(1);
      await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(1) });
      await assertPutThrottled(name, 1);

      clock.advance(250);
      const partial = await putRecords(name, entries(251, "b"));
      assert.equal(partial.FailedRecordCount, 1);
      assert.ok(partial.Records.slice(0, 250).every((entry: { SequenceNumber?: string }) => entry.SequenceNumber !== undefined));
      assert.deepEqual(partial.Records[250], { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: shardThrottled(0, name) });

      // Ten idle seconds refill the bucket only to its one second of 1,000 records.
      clock.advance(10_000);
      for (let batch = 0; batch < 2; batch++) assert.equal((await putRecords(name, entries(500, `c${batch}`))).FailedRecordCount, 0);
      assert.equal((await putRecords(name, entries(1, "d"))).FailedRecordCount, 1);
      assert.equal((await readShard(name, 0)).length, 1000 + 1 + 250 + 1000);
    });

    it("throttles per shard: a drained shard does not slow its neighbour", async () => {
      const name = await createStream(2);
      for (let batch = 0; batch < 2; batch++) await putRecords(name, entries(500, `a${batch}`, "0"));
      for (let batch = 0; batch < 2; batch++) assert.equal((await putRecords(name, entries(500, `b${batch}`, upperHalf))).FailedRecordCount, 0);
    });
  });

  describe("writes: 1 MiB a second per shard, data plus partition key", () => {
    it("passes exactly 1 MiB in one instant and counts the partition key's UTF-8 bytes", async () => {
      const name = await createStream(1);
      const quarter = mib / 4;
      for (let record = 0; record < 4; record++) await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(quarter - 1) });
      await assertPutThrottled(name, 1);

      // One millisecond refills 1,048.576 bytes: 1,048 fit (data 1,047 + key 1), 1,049 do not.
      clock.advance(1);
      await assertPutThrottled(name, 1048);
      await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(1047) });
      // 0.576 left plus 1,048.576: 1,049.152 bytes. "é" is two bytes.
      clock.advance(1);
      await assertPutThrottled(name, 1048, "é");
      await ok(server, "PutRecord", { StreamName: name, PartitionKey: "é", Data: b64(1047) });
    });

    it("bursts up to the stream's maximum record size once UpdateMaxRecordSize raises it", async () => {
      const name = await createStream(1);
      const arn = `arn:aws:kinesis:us-east-1:${accountId}:stream/${name}`;
      await ok(server, "UpdateMaxRecordSize", { StreamARN: arn, MaxRecordSizeInKiB: 10 * 1024 });
      const half = 5 * mib - 1;
      await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(half) });
      await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(half) });
      await assertPutThrottled(name, 1);
      clock.advance(4999);
      await assertPutThrottled(name, half);
      clock.advance(1);
      await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(half) });
    });
  });

  describe("PutRecords partial throttling", () => {
    it("fails only the entries of a shard over its limit, writes the others, and stores none of the failed", async () => {
      const name = await createStream(2);
      for (let batch = 0; batch < 2; batch++) await putRecords(name, entries(500, `full${batch}`, "0"));
      const mixed = Array.from({ length: 10 }, (_, index) => ({
        PartitionKey: "k",
        ExplicitHashKey: index % 2 === 0 ? "0" : upperHalf,
        Data: Buffer.from(`mixed-${index}`).toString("base64"),
      }));
      const body = await putRecords(name, mixed);
      assert.equal(body.FailedRecordCount, 5);
      body.Records.forEach((entry: Record<string, string>, index: number) => {
        if (index % 2 === 0) {
          assert.deepEqual(entry, { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: shardThrottled(0, name) });
        } else {
          assert.equal(entry.ShardId, shardId(1));
          assert.ok(entry.SequenceNumber);
        }
      });
      const shard0 = await readShard(name, 0);
      assert.equal(shard0.length, 1000);
      assert.ok(shard0.every((data) => data.startsWith("full")));
      assert.deepEqual(await readShard(name, 1), ["mixed-1", "mixed-3", "mixed-5", "mixed-7", "mixed-9"]);
    });

    it("answers 200 with every entry failed when the whole request is over", async () => {
      const name = await createStream(1);
      for (let batch = 0; batch < 2; batch++) await putRecords(name, entries(500, `a${batch}`));
      const body = await putRecords(name, entries(3, "over"));
      assert.equal(body.FailedRecordCount, 3);
      assert.ok(body.Records.every((entry: { ErrorCode?: string }) => entry.ErrorCode === "ProvisionedThroughputExceededException"));
    });
  });

  describe("reads: GetRecords five calls a second per shard", () => {
    it("passes five calls in one instant, throttles the sixth in JSON and CBOR, and takes a call back every 200 ms", async () => {
      const name = await createStream(1);
      const iterator = (await ok(server, "GetShardIterator", { StreamName: name, ShardId: shardId(0), ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
      for (let read = 0; read < 5; read++) await ok(server, "GetRecords", { ShardIterator: iterator });
      await assertReadThrottled(name, iterator);
      clock.advance(199);
      await assertReadThrottled(name, iterator);
      clock.advance(1);
      await ok(server, "GetRecords", { ShardIterator: iterator });
      await assertReadThrottled(name, iterator);
    });
  });

  describe("reads: 2 MiB a second per shard", () => {
    /** A stream whose shard holds `count` records of 1 MiB (data plus key), written a second apart. */
    async function streamOfMiBRecords(count: number): Promise<{ name: string; iterator: string }> {
      const name = await createStream(1);
      for (let record = 0; record < count; record++) {
        await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(mib - 1) });
        clock.advance(1000);
      }
      const iterator = (await ok(server, "GetShardIterator", { StreamName: name, ShardId: shardId(0), ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
      return { name, iterator };
    }

    it("lets a call that returns 10 MiB succeed and throttles the shard's reads for the next 5 seconds", async () => {
      const { name, iterator } = await streamOfMiBRecords(10);
      const big = await ok(server, "GetRecords", { ShardIterator: iterator });
      assert.equal(big.Records.length, 10);
      await assertReadThrottled(name, big.NextShardIterator);
      clock.advance(4999);
      await assertReadThrottled(name, big.NextShardIterator);
      clock.advance(1);
      assert.equal((await ok(server, "GetRecords", { ShardIterator: big.NextShardIterator })).Records.length, 0);
    });

    it("takes reads within a second's 2 MiB without throttling, and throttles after the call that goes over", async () => {
      const { name, iterator } = await streamOfMiBRecords(3);
      const first = await ok(server, "GetRecords", { ShardIterator: iterator, Limit: 1 });
      const second = await ok(server, "GetRecords", { ShardIterator: first.NextShardIterator, Limit: 1 });
      const third = await ok(server, "GetRecords", { ShardIterator: second.NextShardIterator, Limit: 1 });
      assert.equal(first.Records.length + second.Records.length + third.Records.length, 3);
      // The third MiB overdrew the bucket: reads wait the half second 2 MiB/s takes to pay for it.
      clock.advance(499);
      await assertReadThrottled(name, third.NextShardIterator);
      clock.advance(1);
      await ok(server, "GetRecords", { ShardIterator: third.NextShardIterator });
    });
  });
});

describe("Limits > off", { skip }, () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  before(async () => {
    server = await startTestServer({ clock, limits: "off" });
  });
  after(() => server.stop());

  it("meters nothing: writes, reads and API calls far over AWS's rates all pass in one instant", async () => {
    assert.equal(server.app!.streams.onDemandScaler, undefined);
    const name = randomStreamName("limits-off");
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
    for (let batch = 0; batch < 6; batch++) assert.equal((await ok(server, "PutRecords", { StreamName: name, Records: entries(500, `a${batch}`) })).FailedRecordCount, 0);
    await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(mib - 1) });
    await ok(server, "PutRecord", { StreamName: name, PartitionKey: "k", Data: b64(mib - 1) });
    for (let read = 0; read < 20; read++) {
      const iterator = (await ok(server, "GetShardIterator", { StreamName: name, ShardId: shardId(0), ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
      await ok(server, "GetRecords", { ShardIterator: iterator });
    }
    for (let describe = 0; describe < 15; describe++) await ok(server, "DescribeStream", { StreamName: name });
    for (let limit = 0; limit < 3; limit++) await ok(server, "DescribeLimits", {});
  });
});
