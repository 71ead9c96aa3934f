/**
 * Records on a stream whose RecordDistributionStrategy is AUTO (AWS: streams/latest/dev/
 * service-managed-pk-producing-behavior, service-managed-pk-considerations): PartitionKey optional
 * and, like ExplicitHashKey, ignored for placement; records spread evenly over the open shards, and
 * a shard at its throughput limit is passed over before anything is throttled; SequenceNumberForOrdering
 * refused with InvalidArgumentException; GetRecords and SubscribeToShard leave PartitionKey out of a
 * record written without one (and return a given one). On a USER_PARTITION_KEY stream a missing
 * PartitionKey is refused as the required member it was. Through raw JSON and CBOR and the SDK.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  GetRecordsCommand, GetShardIteratorCommand, InvalidArgumentException, type KinesisClient, PutRecordCommand, PutRecordsCommand, ValidationException,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { call, formats, ok, type Format } from "../../helpers/wire-assert.js";
import { registerConsumer, subscribe } from "../../helpers/subscription.js";
import { arnOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const remote = process.env.TRIBUTARY_TEST_ENDPOINT !== undefined;
const shardIdOf = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const blob = (format: Format, text: string) => (format === "json" ? Buffer.from(text).toString("base64") : Buffer.from(text));
const missingKey = (path: string) => `Value null at '${path}' failed to satisfy constraint: Member must not be null`;

/** Counts per shard id of PutRecord / PutRecords answers. */
function countByShard(shardIds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const shardId of shardIds) counts.set(shardId, (counts.get(shardId) ?? 0) + 1);
  return counts;
}

/** Every record of the shard from TRIM_HORIZON, as raw GetRecords answers them in `format`. */
async function readShard(server: TestServer, stream: string, shardId: string, format: Format = "json"): Promise<any[]> {
  const { ShardIterator } = await ok(server, "GetShardIterator", { StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" });
  return (await ok(server, "GetRecords", { ShardIterator, Limit: 10000 }, format)).Records;
}

describe("Record distribution", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  async function autoStream(prefix: string): Promise<string> {
    const stream = randomStreamName(prefix);
    await ok(server, "CreateStream", { StreamName: stream, RecordDistributionStrategy: "AUTO" });
    return stream;
  }

  describe("AUTO", () => {
    it("spreads PutRecords without partition keys evenly over the four shards, in JSON, CBOR and the SDK", async () => {
      const stream = await autoStream("spread");
      const shardIds: string[] = [];
      for (const format of formats) {
        const Records = Array.from({ length: 200 }, (_, index) => ({ Data: blob(format, `${format}-${index}`) }));
        const answer = await ok(server, "PutRecords", { StreamName: stream, Records }, format);
        assert.equal(answer.FailedRecordCount, 0);
        const counts = countByShard(answer.Records.map((entry: any) => entry.ShardId));
        // One request's records take the shards in turn: 50 each.
        assert.deepEqual([...counts.values()], [50, 50, 50, 50], `${format}: ${JSON.stringify([...counts])}`);
        shardIds.push(...answer.Records.map((entry: any) => entry.ShardId));
      }
      const sdk = await client.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 100 }, () => ({ Data: Buffer.from("sdk") })) }));
      assert.equal(sdk.FailedRecordCount, 0);
      shardIds.push(...sdk.Records!.map((entry) => entry.ShardId!));
      const counts = countByShard(shardIds);
      assert.deepEqual([...counts.keys()].sort(), [0, 1, 2, 3].map(shardIdOf));
      for (const [shardId, count] of counts) assert.equal(count, 125, shardId);
    });

    it("spreads 400 single PutRecords without keys: every shard between 60 and 140", async () => {
      const stream = await autoStream("single");
      const shardIds: string[] = [];
      for (let index = 0; index < 400; index++) {
        const format = formats[index % 2]!;
        shardIds.push((await ok(server, "PutRecord", { StreamName: stream, Data: blob(format, `r${index}`) }, format)).ShardId);
      }
      const counts = countByShard(shardIds);
      assert.deepEqual([...counts.keys()].sort(), [0, 1, 2, 3].map(shardIdOf));
      for (const [shardId, count] of counts) assert.ok(count >= 60 && count <= 140, `${shardId}: ${count} of 400`);
    });

    it("ignores PartitionKey and ExplicitHashKey for placement, and returns the given key", async () => {
      const stream = await autoStream("ignored");
      const shardIds: string[] = [];
      for (let index = 0; index < 200; index++) {
        shardIds.push((await ok(server, "PutRecord", { StreamName: stream, PartitionKey: "same", ExplicitHashKey: "0", Data: blob("json", `p${index}`) })).ShardId);
      }
      const answer = await ok(server, "PutRecords", { StreamName: stream, Records: Array.from({ length: 200 }, () => ({ PartitionKey: "same", ExplicitHashKey: "0", Data: blob("json", "b") })) });
      shardIds.push(...answer.Records.map((entry: any) => entry.ShardId));
      const counts = countByShard(shardIds);
      // By the key, all 400 would be on shard 0.
      assert.deepEqual([...counts.keys()].sort(), [0, 1, 2, 3].map(shardIdOf));
      for (const [shardId, count] of counts) assert.ok(count >= 60 && count <= 140, `${shardId}: ${count} of 400`);
      const records = await readShard(server, stream, shardIdOf(3));
      assert.ok(records.length > 0);
      for (const record of records) assert.equal(record.PartitionKey, "same");
    });

    it("reads records written without a key back without PartitionKey, in JSON, CBOR and the SDK", async () => {
      const stream = await autoStream("read");
      await ok(server, "PutRecords", { StreamName: stream, Records: [{ Data: blob("json", "none") }, { PartitionKey: "given", Data: blob("json", "keyed") }, ...Array.from({ length: 6 }, () => ({ Data: blob("json", "x") }))] });
      let seen = 0;
      for (let shard = 0; shard < 4; shard++) {
        for (const format of formats) {
          for (const record of await readShard(server, stream, shardIdOf(shard), format)) {
            const data = Buffer.from(record.Data, format === "json" ? "base64" : undefined).toString();
            if (data === "keyed") assert.equal(record.PartitionKey, "given");
            else assert.equal("PartitionKey" in record, false, `${format}: ${JSON.stringify(Object.keys(record))}`);
            assert.deepEqual(Object.keys(record).sort(), data === "keyed"
              ? ["ApproximateArrivalTimestamp", "Data", "PartitionKey", "SequenceNumber"]
              : ["ApproximateArrivalTimestamp", "Data", "SequenceNumber"]);
            seen++;
          }
        }
        const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardIdOf(shard), ShardIteratorType: "TRIM_HORIZON" }));
        for (const record of (await client.send(new GetRecordsCommand({ ShardIterator }))).Records!) {
          assert.equal(record.PartitionKey, Buffer.from(record.Data!).toString() === "keyed" ? "given" : undefined);
        }
      }
      assert.equal(seen, 16);
    });

    it("delivers records without a key through SubscribeToShard without PartitionKey", async () => {
      const stream = randomStreamName("subscribed");
      await ok(server, "CreateStream", { StreamName: stream, RecordDistributionStrategy: "AUTO" });
      // One shard would make the test depend on placement: subscribe to all four.
      const consumerArn = await registerConsumer(server, stream, "reader");
      const subscriptions = await Promise.all([0, 1, 2, 3].map((shard) => subscribe(client, consumerArn, shardIdOf(shard), { Type: "TRIM_HORIZON" })));
      try {
        await ok(server, "PutRecords", { StreamName: stream, Records: [{ Data: blob("json", "a") }, { Data: blob("json", "b") }, { PartitionKey: "k", Data: blob("json", "c") }, { Data: blob("json", "d") }] });
        const all = () => subscriptions.flatMap((subscription) => subscription.records());
        await Promise.all(subscriptions.map((subscription) => subscription.until(() => all().length === 4, "four records")));
        const byData = new Map(all().map((record) => [Buffer.from(record.Data!).toString(), record]));
        assert.deepEqual([...byData.keys()].sort(), ["a", "b", "c", "d"]);
        assert.equal(byData.get("c")!.PartitionKey, "k");
        for (const data of ["a", "b", "d"]) assert.equal(byData.get(data)!.PartitionKey, undefined, data);
      } finally {
        await Promise.all(subscriptions.map((subscription) => subscription.close()));
      }
    });

    it("refuses SequenceNumberForOrdering with InvalidArgumentException, DryRun too", async () => {
      const stream = await autoStream("ordering");
      const first = await ok(server, "PutRecord", { StreamName: stream, Data: blob("json", "1") });
      const message = `SequenceNumberForOrdering is not supported on stream ${stream} under account ${server.accountId}: its record distribution strategy is AUTO.`;
      for (const format of formats) {
        for (const extra of [{}, { DryRun: true }, { PartitionKey: "k" }]) {
          const response = await call(server, format, "PutRecord", { StreamName: stream, Data: blob(format, "2"), SequenceNumberForOrdering: first.SequenceNumber, ...extra });
          assert.deepEqual([response.statusCode, response.body], [400, { __type: "InvalidArgumentException", message }], `${format} ${JSON.stringify(extra)}`);
        }
      }
      const refusal = await client.send(new PutRecordCommand({ StreamName: stream, Data: Buffer.from("3"), SequenceNumberForOrdering: first.SequenceNumber }))
        .then(() => undefined, (error: unknown) => error);
      assert.ok(refusal instanceof InvalidArgumentException);
      assert.equal(refusal.message, message);
    });

    it("answers a DryRun without a key as a dry run", async () => {
      const stream = await autoStream("dry");
      for (const action of ["PutRecord", "PutRecords"]) {
        const body = action === "PutRecord" ? { StreamName: stream, Data: blob("json", "x"), DryRun: true } : { StreamName: stream, Records: [{ Data: blob("json", "x") }], DryRun: true };
        const response = await call(server, "json", action, body);
        assert.equal(response.statusCode, 400);
        assert.equal((response.body as any).__type, "DryRunOperationException");
      }
      for (let shard = 0; shard < 4; shard++) assert.deepEqual(await readShard(server, stream, shardIdOf(shard)), []);
    });

    it("counts a missing key as zero bytes towards the record size", async () => {
      const stream = await autoStream("size");
      const mib = 1024 * 1024;
      await ok(server, "PutRecord", { StreamName: stream, Data: Buffer.alloc(mib).toString("base64") });
      // The same data with a one-character key is one byte over.
      for (const format of formats) {
        const response = await call(server, format, "PutRecord", { StreamName: stream, PartitionKey: "k", Data: format === "json" ? Buffer.alloc(mib).toString("base64") : Buffer.alloc(mib) });
        assert.deepEqual([response.statusCode, response.body], [400, {
          __type: "ValidationException",
          message: `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${mib} cap=${mib}]' at 'data' failed to satisfy constraint: Member must have length less than or equal to ${mib}`,
        }], format);
      }
    });

    it("keeps a record without a key through encryption at rest", async () => {
      const stream = await autoStream("sealed");
      await ok(server, "StartStreamEncryption", { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      const answer = await ok(server, "PutRecords", { StreamName: stream, Records: [...Array.from({ length: 4 }, (_, index) => ({ Data: blob("json", `n${index}`) })), { PartitionKey: "kept", Data: blob("json", "k") }] });
      assert.equal(answer.FailedRecordCount, 0);
      assert.equal(answer.EncryptionType, "KMS");
      const records = (await Promise.all([0, 1, 2, 3].map((shard) => readShard(server, stream, shardIdOf(shard))))).flat();
      assert.equal(records.length, 5);
      for (const record of records) {
        assert.equal(record.EncryptionType, "KMS");
        const data = Buffer.from(record.Data, "base64").toString();
        if (data === "k") assert.equal(record.PartitionKey, "kept");
        else assert.equal("PartitionKey" in record, false, data);
      }
    });
  });

  describe("USER_PARTITION_KEY", () => {
    it("refuses PutRecord without a PartitionKey as a missing required member, in JSON, CBOR and the SDK", async () => {
      const stream = randomStreamName("upk");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      for (const format of formats) {
        const response = await call(server, format, "PutRecord", { StreamName: stream, Data: blob(format, "x") });
        assert.deepEqual([response.statusCode, response.body], [400, { __type: "ValidationException", message: `1 validation error detected: ${missingKey("partitionKey")}` }], format);
      }
      const refusal = await client.send(new PutRecordCommand({ StreamName: stream, Data: Buffer.from("x") })).then(() => undefined, (error: unknown) => error);
      assert.ok(refusal instanceof ValidationException);
      assert.equal(refusal.$metadata.httpStatusCode, 400);
    });

    it("refuses PutRecords naming every entry without a PartitionKey, and writes none", async () => {
      const stream = randomStreamName("upk-batch");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      for (const format of formats) {
        const Records = [{ PartitionKey: "a", Data: blob(format, "1") }, { Data: blob(format, "2") }, { Data: blob(format, "3") }];
        const response = await call(server, format, "PutRecords", { StreamName: stream, Records });
        assert.deepEqual([response.statusCode, response.body], [400, {
          __type: "ValidationException",
          message: `2 validation errors detected: ${missingKey("records.2.member.partitionKey")}; ${missingKey("records.3.member.partitionKey")}`,
        }], format);
      }
      assert.deepEqual(await readShard(server, stream, shardIdOf(0)), []);
    });

    it("refuses writes without a key again after switching back from AUTO; records written meanwhile stay readable", async () => {
      const stream = await autoStream("back");
      const StreamARN = arnOf(server, stream);
      const written = await ok(server, "PutRecord", { StreamName: stream, Data: blob("json", "during") });
      await ok(server, "UpdateStreamRecordDistributionStrategy", { StreamARN, RecordDistributionStrategy: "USER_PARTITION_KEY" });
      for (const format of formats) {
        const response = await call(server, format, "PutRecord", { StreamARN, Data: blob(format, "after") });
        assert.deepEqual([response.statusCode, response.body], [400, { __type: "ValidationException", message: `1 validation error detected: ${missingKey("partitionKey")}` }], format);
      }
      // Keyed records route by key again: the same key always lands on the same shard.
      const keyed = await Promise.all(Array.from({ length: 20 }, () => ok(server, "PutRecord", { StreamName: stream, PartitionKey: "user-1", Data: blob("json", "k") })));
      assert.equal(new Set(keyed.map((answer) => answer.ShardId)).size, 1);
      const records = await readShard(server, stream, written.ShardId);
      const during = records.find((record) => Buffer.from(record.Data, "base64").toString() === "during");
      assert.ok(during);
      assert.equal(during.SequenceNumber, written.SequenceNumber);
      assert.equal("PartitionKey" in during, false);
    });
  });

  describe("throughput", { skip: remote ? "needs the server's clock (ManualClock)" : false }, () => {
    let limited: TestServer;
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    before(async () => {
      limited = await startTestServer({ clock, limits: "aws" });
    });
    after(() => limited.stop());

    it("passes over a shard at its limit before throttling, and throttles only when every open shard is full", async () => {
      const stream = randomStreamName("hot");
      await ok(limited, "CreateStream", { StreamName: stream });
      clock.advance(1000);
      // Fill shard 0 (1,000 records a second) by key while the stream is USER_PARTITION_KEY.
      const hot = Array.from({ length: 500 }, () => ({ PartitionKey: "k", ExplicitHashKey: "0", Data: blob("json", "h") }));
      for (let batch = 0; batch < 2; batch++) assert.equal((await ok(limited, "PutRecords", { StreamName: stream, Records: hot })).FailedRecordCount, 0);
      const throttledByKey = await ok(limited, "PutRecords", { StreamName: stream, Records: hot.slice(0, 1) });
      assert.equal(throttledByKey.Records[0].ErrorCode, "ProvisionedThroughputExceededException");
      await ok(limited, "UpdateStreamRecordDistributionStrategy", { StreamARN: arnOf(limited, stream), RecordDistributionStrategy: "AUTO" });
      // The same second: the other three shards take 3,000 more, none of it on shard 0.
      const cold = Array.from({ length: 500 }, () => ({ Data: blob("json", "c") }));
      const shardIds: string[] = [];
      for (let batch = 0; batch < 6; batch++) {
        const answer = await ok(limited, "PutRecords", { StreamName: stream, Records: cold });
        assert.equal(answer.FailedRecordCount, 0, `batch ${batch}`);
        shardIds.push(...answer.Records.map((entry: any) => entry.ShardId));
      }
      const counts = countByShard(shardIds);
      assert.deepEqual([...counts.keys()].sort(), [1, 2, 3].map(shardIdOf));
      for (const [shardId, count] of counts) assert.equal(count, 1000, shardId);
      // Every open shard is full now.
      const full = await ok(limited, "PutRecords", { StreamName: stream, Records: cold.slice(0, 3) });
      assert.equal(full.FailedRecordCount, 3);
      for (const entry of full.Records) {
        assert.equal(entry.ErrorCode, "ProvisionedThroughputExceededException");
        assert.match(entry.ErrorMessage, new RegExp(`^Rate exceeded for shard shardId-00000000000[0-3] in stream ${stream} under account ${limited.accountId}\\.$`));
      }
      const single = await call(limited, "json", "PutRecord", { StreamName: stream, Data: blob("json", "s") });
      assert.equal(single.statusCode, 400);
      assert.equal((single.body as any).__type, "ProvisionedThroughputExceededException");
      // The next second the shards take writes again.
      clock.advance(1000);
      assert.match((await ok(limited, "PutRecord", { StreamName: stream, Data: blob("json", "s") })).ShardId, /^shardId-00000000000[0-3]$/);
    });
  });
});
