/**
 * The AWS/Kinesis metrics the streams service records (docs/metrics-reference.md), read back
 * through the app's MetricsReader as the CloudWatch API reads them: counts equal what was sent,
 * throttled and failed entries land where AWS counts them, GetRecords.IteratorAgeMilliseconds
 * rises while a consumer lags and falls when it catches up (on a ManualClock), shard-level metrics
 * appear only while EnableEnhancedMonitoring has them on, and SubscribeToShard's per-consumer ones.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { call, ok } from "../helpers/wire-assert.js";
import { registerConsumer, subscribe } from "../helpers/subscription.js";
import { waitFor } from "../helpers/wait.js";
import { ManualClock } from "../../src/util/clock.js";
import { parseFaultRules } from "../../src/streams/index.js";
import type { MetricDimension, MetricsReader, StatisticSet } from "../../src/core/metrics.js";

const startMs = Date.UTC(2026, 0, 1, 12, 0, 0);
const shard0 = "shardId-000000000000";
const data = (text: string) => Buffer.from(text).toString("base64");

/** One series' statistics over everything recorded (one-minute periods merged). */
async function total(metrics: MetricsReader, MetricName: string, Dimensions: readonly MetricDimension[]): Promise<StatisticSet | undefined> {
  const points = await metrics.statistics({ Namespace: "AWS/Kinesis", MetricName, Dimensions }, 0, 8.64e15, 60);
  if (points.length === 0) return undefined;
  const sum: StatisticSet = { SampleCount: 0, Sum: 0, Minimum: Infinity, Maximum: -Infinity };
  for (const { stats } of points) {
    sum.SampleCount += stats.SampleCount;
    sum.Sum += stats.Sum;
    sum.Minimum = Math.min(sum.Minimum, stats.Minimum);
    sum.Maximum = Math.max(sum.Maximum, stats.Maximum);
  }
  return sum;
}

const byStream = (stream: string) => [{ Name: "StreamName", Value: stream }];
const byShard = (stream: string, shardId = shard0) => [...byStream(stream), { Name: "ShardId", Value: shardId }];

async function createStream(server: TestServer, stream: string, ShardCount = 1): Promise<void> {
  await ok(server, "CreateStream", { StreamName: stream, ShardCount });
}

async function iteratorOf(server: TestServer, stream: string, type = "TRIM_HORIZON"): Promise<string> {
  return (await ok(server, "GetShardIterator", { StreamName: stream, ShardId: shard0, ShardIteratorType: type })).ShardIterator;
}

describe("metrics > kinesis", () => {
  describe("on a manual clock", () => {
    let server: TestServer;
    let clock: ManualClock;
    let metrics: MetricsReader;
    before(async () => {
      clock = new ManualClock(startMs);
      server = await startTestServer({ clock });
      metrics = server.app!.metrics;
    });
    after(() => server.stop());

    it("counts every record put: IncomingRecords' Sum is N after N records, one sample per call", async () => {
      const stream = randomStreamName("incoming");
      await createStream(server, stream, 2);
      for (let index = 0; index < 7; index++) await ok(server, "PutRecord", { StreamName: stream, PartitionKey: `k${index}`, Data: data("abcd") });
      const entries = Array.from({ length: 10 }, (_, index) => ({ PartitionKey: `key-${index}`, Data: data("0123456789") }));
      const answer = await ok(server, "PutRecords", { StreamName: stream, Records: entries });
      assert.equal(answer.FailedRecordCount, 0);

      const incoming = await total(metrics, "IncomingRecords", byStream(stream));
      assert.deepEqual(incoming, { SampleCount: 8, Sum: 17, Minimum: 1, Maximum: 10 });
      // Data plus the partition key's bytes: 7 × (4 + 2) and 10 × (10 + 5).
      assert.equal((await total(metrics, "IncomingBytes", byStream(stream)))?.Sum, 7 * 6 + 10 * 15);
      assert.equal((await total(metrics, "PutRecord.Bytes", byStream(stream)))?.Sum, 42);
      assert.deepEqual(await total(metrics, "PutRecord.Success", byStream(stream)), { SampleCount: 7, Sum: 7, Minimum: 1, Maximum: 1 });
      assert.equal((await total(metrics, "PutRecord.Latency", byStream(stream)))?.SampleCount, 7);
      assert.equal((await total(metrics, "PutRecords.Bytes", byStream(stream)))?.Sum, 150);
      assert.equal((await total(metrics, "PutRecords.TotalRecords", byStream(stream)))?.Sum, 10);
      assert.equal((await total(metrics, "PutRecords.SuccessfulRecords", byStream(stream)))?.Sum, 10);
      assert.equal((await total(metrics, "PutRecords.Records", byStream(stream)))?.Sum, 10);
      assert.equal((await total(metrics, "PutRecords.FailedRecords", byStream(stream)))?.Sum, 0);
      assert.equal((await total(metrics, "PutRecords.ThrottledRecords", byStream(stream)))?.Sum, 0);
      assert.deepEqual(await total(metrics, "PutRecords.Success", byStream(stream)), { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 });
      assert.equal((await total(metrics, "WriteProvisionedThroughputExceeded", byStream(stream)))?.Sum, 0);

      const listed = await metrics.listMetrics({ Namespace: "AWS/Kinesis", Dimensions: [{ Name: "StreamName", Value: stream }] });
      // No reads yet: no GetRecords series, and no shard-level ones without enhanced monitoring.
      assert.ok(!listed.some(({ id }) => id.MetricName.startsWith("GetRecords.")));
      assert.ok(!listed.some(({ id }) => id.Dimensions.some((dimension) => dimension.Name === "ShardId")));
      assert.equal(listed.find(({ id }) => id.MetricName === "IncomingBytes")?.unit, "Bytes");
    });

    it("GetRecords: records and bytes read, and IteratorAgeMilliseconds rises while the reader lags and falls when it catches up", async () => {
      const stream = randomStreamName("age");
      await createStream(server, stream);
      let iterator = await iteratorOf(server, stream);
      await ok(server, "PutRecords", { StreamName: stream, Records: [1, 2, 3].map((n) => ({ PartitionKey: "k", Data: data(`r${n}`) })) });
      // Caught up at once: the last record read was written just now.
      let read = await ok(server, "GetRecords", { ShardIterator: iterator });
      assert.equal(read.Records.length, 3);
      const checkpoint = read.Records[2].SequenceNumber;

      // Records keep arriving while the reader stops for ten minutes; it resumes from its checkpoint.
      await ok(server, "PutRecords", { StreamName: stream, Records: [4, 5, 6].map((n) => ({ PartitionKey: "k", Data: data(`r${n}`) })) });
      clock.advance(600_000);
      iterator = (await ok(server, "GetShardIterator", { StreamName: stream, ShardId: shard0, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: checkpoint })).ShardIterator;
      read = await ok(server, "GetRecords", { ShardIterator: iterator, Limit: 1 });
      assert.equal(read.Records.length, 1);
      iterator = read.NextShardIterator;

      // It catches up: the rest, and a record written now.
      clock.advance(5_000);
      await ok(server, "PutRecord", { StreamName: stream, PartitionKey: "k", Data: data("r7") });
      read = await ok(server, "GetRecords", { ShardIterator: iterator });
      assert.equal(read.Records.length, 3);

      const ages = await metrics.statistics({ Namespace: "AWS/Kinesis", MetricName: "GetRecords.IteratorAgeMilliseconds", Dimensions: byStream(stream) }, startMs, startMs + 3_600_000, 1);
      assert.deepEqual(
        ages.map(({ timestampMs, stats }) => [timestampMs - startMs, stats.Maximum]),
        [
          [0, 0],
          [600_000, 600_000],
          [605_000, 0],
        ],
      );
      assert.deepEqual(await total(metrics, "GetRecords.Records", byStream(stream)), { SampleCount: 3, Sum: 7, Minimum: 1, Maximum: 3 });
      assert.equal((await total(metrics, "GetRecords.Bytes", byStream(stream)))?.Sum, 7 * 3);
      assert.equal((await total(metrics, "GetRecords.Success", byStream(stream)))?.Sum, 3);
      assert.equal((await total(metrics, "GetRecords.IteratorAge", byStream(stream)))?.Maximum, 600_000);
      assert.equal((await total(metrics, "ReadProvisionedThroughputExceeded", byStream(stream)))?.Sum, 0);
      assert.equal((await total(metrics, "IncomingRecords", byStream(stream)))?.Sum, 7);
    });

    it("counts the entries a fault rule failed as FailedRecords or ThrottledRecords", async () => {
      const stream = randomStreamName("faulted");
      await createStream(server, stream, 2);
      const faults = server.app!.streams.faults;
      const install = (rule: Record<string, unknown>) => {
        const parsed = parseFaultRules(JSON.stringify({ seed: 7, rules: [{ action: "PutRecords", stream, fault: "partial-failure", ...rule }] }));
        assert.ok(parsed.ok);
        faults.install(parsed.config);
      };
      const entries = Array.from({ length: 10 }, (_, index) => ({ PartitionKey: `k${index}`, Data: data("x") }));
      try {
        install({ fraction: 1, errorCode: "InternalFailure" });
        assert.equal((await ok(server, "PutRecords", { StreamName: stream, Records: entries })).FailedRecordCount, 10);
        install({ fraction: 0.3 });
        const throttled = (await ok(server, "PutRecords", { StreamName: stream, Records: entries })).FailedRecordCount;
        assert.equal(throttled, 3);
      } finally {
        faults.clear();
      }
      assert.equal((await total(metrics, "PutRecords.TotalRecords", byStream(stream)))?.Sum, 20);
      assert.equal((await total(metrics, "PutRecords.FailedRecords", byStream(stream)))?.Sum, 10);
      assert.equal((await total(metrics, "PutRecords.ThrottledRecords", byStream(stream)))?.Sum, 3);
      assert.equal((await total(metrics, "WriteProvisionedThroughputExceeded", byStream(stream)))?.Sum, 3);
      assert.equal((await total(metrics, "PutRecords.SuccessfulRecords", byStream(stream)))?.Sum, 7);
      assert.equal((await total(metrics, "IncomingRecords", byStream(stream)))?.Sum, 7);
      // The call that failed whole, and the one whose kept entries were written.
      assert.deepEqual(await total(metrics, "PutRecords.Success", byStream(stream)), { SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1 });
    });

    it("counts calls a throttle fault refused where AWS counts throttled calls", async () => {
      const stream = randomStreamName("fault-throttled");
      await createStream(server, stream);
      const iterator = await iteratorOf(server, stream);
      const parsed = parseFaultRules(JSON.stringify({ rules: ["PutRecord", "PutRecords", "GetRecords"].map((action) => ({ action, stream, fault: "throttle" })) }));
      assert.ok(parsed.ok);
      const faults = server.app!.streams.faults;
      faults.install(parsed.config);
      try {
        for (const [action, body] of [
          ["PutRecord", { StreamName: stream, PartitionKey: "k", Data: data("x") }],
          ["PutRecords", { StreamName: stream, Records: [1, 2, 3].map(() => ({ PartitionKey: "k", Data: data("x") })) }],
          ["GetRecords", { ShardIterator: iterator }],
        ] as const) {
          assert.equal((await call(server, "json", action, body)).body.__type, "ProvisionedThroughputExceededException", action);
        }
      } finally {
        faults.clear();
      }
      assert.deepEqual(await total(metrics, "WriteProvisionedThroughputExceeded", byStream(stream)), { SampleCount: 2, Sum: 4, Minimum: 1, Maximum: 3 });
      assert.equal((await total(metrics, "PutRecord.Success", byStream(stream)))?.Sum, 0);
      assert.equal((await total(metrics, "PutRecords.ThrottledRecords", byStream(stream)))?.Sum, 3);
      assert.deepEqual(await total(metrics, "ReadProvisionedThroughputExceeded", byStream(stream)), { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 });
    });

    it("records shard-level metrics only while EnableEnhancedMonitoring has them on", async () => {
      const stream = randomStreamName("enhanced");
      await createStream(server, stream, 2);
      const put = (key: string) => ok(server, "PutRecord", { StreamName: stream, PartitionKey: key, Data: data("x"), ExplicitHashKey: "0" });
      await put("before");
      await ok(server, "EnableEnhancedMonitoring", { StreamName: stream, ShardLevelMetrics: ["IncomingRecords", "OutgoingRecords", "IteratorAgeMilliseconds"] });
      clock.advance(1);
      await put("during");
      await put("during");
      const read = await ok(server, "GetRecords", { ShardIterator: await iteratorOf(server, stream) });
      assert.equal(read.Records.length, 3);
      await ok(server, "DisableEnhancedMonitoring", { StreamName: stream, ShardLevelMetrics: ["ALL"] });
      clock.advance(1);
      await put("after");

      assert.deepEqual(await total(metrics, "IncomingRecords", byShard(stream)), { SampleCount: 2, Sum: 2, Minimum: 1, Maximum: 1 });
      assert.equal((await total(metrics, "OutgoingRecords", byShard(stream)))?.Sum, 3);
      assert.equal((await total(metrics, "IteratorAgeMilliseconds", byShard(stream)))?.SampleCount, 1);
      // Not enabled: never recorded.
      assert.equal(await total(metrics, "IncomingBytes", byShard(stream)), undefined);
      assert.equal(await total(metrics, "OutgoingBytes", byShard(stream)), undefined);
      // Nothing on the shard that took no record.
      assert.equal(await total(metrics, "IncomingRecords", byShard(stream, "shardId-000000000001")), undefined);
      // The stream level counts all four.
      assert.equal((await total(metrics, "IncomingRecords", byStream(stream)))?.Sum, 4);
    });
  });

  describe("with AWS's limits", () => {
    let server: TestServer;
    let metrics: MetricsReader;
    before(async () => {
      // A stopped clock: a shard's one-second budgets never refill, so what is throttled is exact.
      server = await startTestServer({ clock: new ManualClock(startMs), limits: "aws" });
      metrics = server.app!.metrics;
    });
    after(() => server.stop());

    it("counts PutRecords' throttled entries in ThrottledRecords and WriteProvisionedThroughputExceeded, and the rest as successful", async () => {
      const stream = randomStreamName("throttled");
      await createStream(server, stream);
      await ok(server, "EnableEnhancedMonitoring", { StreamName: stream, ShardLevelMetrics: ["ALL"] });
      const entries = Array.from({ length: 400 }, (_, index) => ({ PartitionKey: `k${index}`, Data: data("payload") }));
      let failed = 0;
      for (let call = 0; call < 3; call++) failed += (await ok(server, "PutRecords", { StreamName: stream, Records: entries })).FailedRecordCount;
      // A shard takes 1,000 records a second.
      assert.equal(failed, 200);
      const single = await call(server, "json", "PutRecord", { StreamName: stream, PartitionKey: "k", Data: data("payload") });
      assert.equal(single.body.__type, "ProvisionedThroughputExceededException");

      assert.equal((await total(metrics, "PutRecords.ThrottledRecords", byStream(stream)))?.Sum, 200);
      assert.equal((await total(metrics, "PutRecords.FailedRecords", byStream(stream)))?.Sum, 0);
      assert.equal((await total(metrics, "PutRecords.TotalRecords", byStream(stream)))?.Sum, 1200);
      assert.equal((await total(metrics, "PutRecords.SuccessfulRecords", byStream(stream)))?.Sum, 1000);
      assert.deepEqual(await total(metrics, "PutRecords.Success", byStream(stream)), { SampleCount: 3, Sum: 3, Minimum: 1, Maximum: 1 });
      // 200 records of PutRecords and PutRecord's one.
      assert.deepEqual(await total(metrics, "WriteProvisionedThroughputExceeded", byStream(stream)), { SampleCount: 4, Sum: 201, Minimum: 0, Maximum: 200 });
      assert.deepEqual(await total(metrics, "PutRecord.Success", byStream(stream)), { SampleCount: 1, Sum: 0, Minimum: 0, Maximum: 0 });
      assert.equal((await total(metrics, "IncomingRecords", byStream(stream)))?.Sum, 1000);
      assert.equal((await total(metrics, "IncomingRecords", byShard(stream)))?.Sum, 1000);
      assert.equal((await total(metrics, "WriteProvisionedThroughputExceeded", byShard(stream)))?.Sum, 201);
    });

    it("counts a GetRecords call its shard refused in ReadProvisionedThroughputExceeded", async () => {
      const stream = randomStreamName("reads");
      await createStream(server, stream);
      const iterator = await iteratorOf(server, stream);
      const answers = [];
      // A shard takes five reads a second.
      for (let index = 0; index < 6; index++) answers.push(await call(server, "json", "GetRecords", { ShardIterator: iterator }));
      assert.deepEqual(
        answers.map((answer) => answer.statusCode),
        [200, 200, 200, 200, 200, 400],
      );
      assert.deepEqual(await total(metrics, "ReadProvisionedThroughputExceeded", byStream(stream)), { SampleCount: 6, Sum: 1, Minimum: 0, Maximum: 1 });
      assert.deepEqual(await total(metrics, "GetRecords.Success", byStream(stream)), { SampleCount: 6, Sum: 5, Minimum: 0, Maximum: 1 });
    });
  });

  describe("SubscribeToShard", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.stop());

    it("records a consumer's subscriptions and events by StreamName and ConsumerName", async () => {
      const { kinesisClient } = await import("../helpers/server.js");
      const client = kinesisClient(server);
      const stream = randomStreamName("fanout");
      await createStream(server, stream);
      const consumerArn = await registerConsumer(server, stream, "dashboard");
      const subscription = await subscribe(client, consumerArn, shard0, { Type: "TRIM_HORIZON" });
      try {
        await ok(server, "PutRecords", { StreamName: stream, Records: [1, 2, 3].map((n) => ({ PartitionKey: "k", Data: data(`e${n}`) })) });
        await subscription.until(() => subscription.records().length === 3, "three records");
        // Within five seconds of the first: refused, as the consumer holds the shard.
        await assert.rejects(subscribe(client, consumerArn, shard0, { Type: "LATEST" }), { name: "ResourceInUseException" });
      } finally {
        await subscription.close();
        client.destroy();
      }
      const metrics = server.app!.metrics;
      const byConsumer = [...byStream(stream), { Name: "ConsumerName", Value: "dashboard" }];
      await waitFor("the event's metrics", async () => (await total(metrics, "SubscribeToShardEvent.Records", byConsumer))?.Sum === 3);
      assert.deepEqual(await total(metrics, "SubscribeToShard.Success", byConsumer), { SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1 });
      assert.equal((await total(metrics, "SubscribeToShard.RateExceeded", byConsumer))?.Sum, 1);
      assert.equal((await total(metrics, "SubscribeToShardEvent.Bytes", byConsumer))?.Sum, 3 * 3);
      const events = await total(metrics, "SubscribeToShardEvent.Success", byConsumer);
      assert.ok(events !== undefined && events.Sum >= 1 && events.Minimum === 1);
      assert.ok(((await total(metrics, "SubscribeToShardEvent.MillisBehindLatest", byConsumer))?.SampleCount ?? 0) >= 1);
    });
  });
});
