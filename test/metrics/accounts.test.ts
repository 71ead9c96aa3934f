/**
 * Every service records its metrics under the account of the resource they measure (MetricId's
 * AccountId; docs/metrics.md): two accounts' resources of one name give two series, handles are
 * kept per account and name (the same handle again for the same pair), and a refused
 * SubscribeToShard counts under the account its consumer ARN names, whoever calls.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MetricsStore } from "../../src/storage/metrics/metrics-store.js";
import { countRefusedSubscription, countThrottleFault, StreamsMetrics } from "../../src/streams/metrics/index.js";
import { FirehoseMetrics } from "../../src/firehose/metrics.js";
import { LambdaMetrics } from "../../src/lambda/metrics.js";
import { applicationMetrics } from "../../src/analytics/runtime/metrics.js";
import type { ResolvedFunction } from "../../src/lambda/model.js";
import { ManualClock } from "../../src/util/clock.js";

const accountA = "111122223333";
const accountB = "444455556666";
const processAccount = "000000000000";

function newStore(): { store: MetricsStore; clock: ManualClock } {
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 10, 0, 0));
  return { store: new MetricsStore(clock, { enabled: true, accountId: processAccount }), clock };
}

/** Each recorded series as `<account> <namespace> <metric> <dimension values>` → its sum. */
function sums(store: MetricsStore, MetricName: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const { id, stats } of store.totals()) {
    if (id.MetricName === MetricName) found[`${id.AccountId} ${id.Namespace} ${id.Dimensions.map((d) => d.Value).join(",")}`] = stats.Sum;
  }
  return found;
}

describe("metrics > accounts", () => {
  it("streams: a handle per account and stream name; a throttle fault and a refused subscription count under the stream's account", () => {
    const { store } = newStore();
    const metrics = new StreamsMetrics(store);
    const a = metrics.stream({ accountId: accountA, StreamName: "orders" })!;
    assert.equal(metrics.stream({ accountId: accountA, StreamName: "orders" }), a, "the handle is kept");
    assert.notEqual(metrics.stream({ accountId: accountB, StreamName: "orders" }), a);
    countThrottleFault(metrics, "PutRecords", { accountId: accountA, streamName: "orders" }, { Records: [{}, {}, {}] });
    countThrottleFault(metrics, "PutRecord", { accountId: accountB, streamName: "orders" }, {});
    assert.deepEqual(sums(store, "WriteProvisionedThroughputExceeded"), { [`${accountA} AWS/Kinesis orders`]: 3, [`${accountB} AWS/Kinesis orders`]: 1 });
    countRefusedSubscription(metrics, `arn:aws:kinesis:us-east-1:${accountB}:stream/orders/consumer/app:1700000000`);
    assert.deepEqual(sums(store, "SubscribeToShard.RateExceeded"), { [`${accountB} AWS/Kinesis orders,app`]: 1 });
    assert.equal(metrics.consumer(accountB, "orders", "app"), metrics.consumer(accountB, "orders", "app"));
  });

  it("firehose: two accounts' delivery streams of one name are two series", () => {
    const { store } = newStore();
    const metrics = new FirehoseMetrics(store);
    metrics.stream(accountA, "logs")!.put("PutRecordBatch", 4, 40, 1);
    metrics.stream(accountB, "logs")!.put("PutRecord", 1, 10, 1);
    metrics.stream(accountA, "logs")!.delivery("S3").attempted(true, 4, 40, 4, 40, 0, 1000);
    assert.deepEqual(sums(store, "IncomingRecords"), { [`${accountA} AWS/Firehose logs`]: 4, [`${accountB} AWS/Firehose logs`]: 1 });
    assert.deepEqual(sums(store, "DeliveryToS3.Records"), { [`${accountA} AWS/Firehose logs`]: 4 });
  });

  it("lambda: a function's series and the dimensionless ones are its account's", async () => {
    const { store, clock } = newStore();
    const metrics = new LambdaMetrics(store);
    const fn = (accountId: string) => ({ accountId, functionName: "f", invokedArn: `arn:aws:lambda:us-east-1:${accountId}:function:f` }) as ResolvedFunction;
    const completed = async () => ({ kind: "completed" as const, payload: Buffer.alloc(0), executedVersion: "$LATEST" });
    await metrics.metered(fn(accountA), clock, completed);
    await metrics.metered(fn(accountA), clock, completed);
    await metrics.metered(fn(accountB), clock, completed);
    metrics.asyncEvent(accountB, "f", "received");
    assert.deepEqual(sums(store, "Invocations"), {
      [`${accountA} AWS/Lambda f`]: 2,
      [`${accountA} AWS/Lambda f,f`]: 2,
      [`${accountA} AWS/Lambda `]: 2,
      [`${accountB} AWS/Lambda f`]: 1,
      [`${accountB} AWS/Lambda f,f`]: 1,
      [`${accountB} AWS/Lambda `]: 1,
    });
    assert.deepEqual(sums(store, "AsyncEventsReceived"), { [`${accountB} AWS/Lambda f`]: 1 });
  });

  it("analytics: an application's series are its account's", () => {
    const { store } = newStore();
    const taken = [{ record: { data: Buffer.from("abc"), arrivalMs: 0 } }];
    applicationMetrics(store, accountA, "app")!.took("1.1", taken, 1000);
    applicationMetrics(store, accountB, "app")!.took("1.1", [...taken, ...taken], 1000);
    assert.deepEqual(sums(store, "Records"), { [`${accountA} AWS/KinesisAnalytics app,Input,1.1`]: 1, [`${accountB} AWS/KinesisAnalytics app,Input,1.1`]: 2 });
  });
});
