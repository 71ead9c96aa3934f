/**
 * The AWS/Firehose metrics (docs/metrics-reference.md), by DeliveryStreamName: what PutRecord and
 * PutRecordBatch took (IncomingRecords after N records is N), what a delivery to S3 delivered
 * (DeliveryToS3.Records, .Bytes, .Success, .DataFreshness on a ManualClock), and the records a
 * backlog-bound refusal throttled.
 */
import { after, before, describe, it } from "node:test";
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, PutRecordCommand } from "@aws-sdk/client-firehose";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { createSelfSignedCertificate } from "../../src/server/tls-certificate.js";
import type { MetricsReader, StatisticSet } from "../../src/core/metrics.js";
import type { TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { ok } from "../helpers/wire-assert.js";
import { errorOf, firehoseClient, roleArn, startFirehoseServer } from "../firehose/fixtures.js";

const startMs = Date.UTC(2026, 11, 7, 13, 5, 0);

/** The series' statistics over everything recorded. */
async function total(metrics: MetricsReader, MetricName: string, deliveryStreamName: string): Promise<StatisticSet | undefined> {
  const points = await metrics.statistics({ Namespace: "AWS/Firehose", MetricName, Dimensions: [{ Name: "DeliveryStreamName", Value: deliveryStreamName }] }, 0, 8.64e15, 60);
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

describe("metrics > firehose", () => {
  const clock = new ManualClock(startMs);
  // The HTTP endpoints' certificate, trusted through the service's own CA option.
  const tls = createSelfSignedCertificate({ commonName: "endpoint", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs: systemClock.nowMs(), validityMs: 3600_000, random: systemRandom });
  let server: TestServer;
  before(async () => {
    server = await startFirehoseServer({ clock, firehose: { backlogBytesMax: 10_000, trustedCaPem: tls.cert } });
  });
  after(() => server.stop());

  it("counts the records put and those delivered to S3", async () => {
    const client = firehoseClient(server);
    const metrics = server.app!.metrics;
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "metered",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::metered-bucket", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
      }),
    );
    for (let index = 0; index < 3; index++) await client.send(new PutRecordCommand({ DeliveryStreamName: "metered", Record: { Data: Buffer.from("one\n") } }));
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "metered", Records: Array.from({ length: 10 }, () => ({ Data: Buffer.from("batch\n") })) }));

    assert.deepEqual(await total(metrics, "IncomingRecords", "metered"), { SampleCount: 4, Sum: 13, Minimum: 1, Maximum: 10 });
    assert.equal((await total(metrics, "IncomingBytes", "metered"))?.Sum, 3 * 4 + 10 * 6);
    assert.equal((await total(metrics, "IncomingPutRequests", "metered"))?.Sum, 4);
    assert.equal((await total(metrics, "PutRecord.Requests", "metered"))?.Sum, 3);
    assert.equal((await total(metrics, "PutRecord.Bytes", "metered"))?.Sum, 12);
    assert.equal((await total(metrics, "PutRecord.Latency", "metered"))?.SampleCount, 3);
    assert.equal((await total(metrics, "PutRecordBatch.Records", "metered"))?.Sum, 10);
    assert.equal((await total(metrics, "PutRecordBatch.Requests", "metered"))?.Sum, 1);
    assert.equal((await total(metrics, "PutRecordBatch.Bytes", "metered"))?.Sum, 60);
    assert.equal(await total(metrics, "DeliveryToS3.Records", "metered"), undefined);

    // The interval flush, a minute after the records arrived.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await clock.advanceAsync(60_000);
    await waitFor("the delivery's metrics", async () => (await total(metrics, "DeliveryToS3.Records", "metered"))?.Sum === 13);
    assert.equal((await total(metrics, "DeliveryToS3.Bytes", "metered"))?.Sum, 72);
    assert.deepEqual(await total(metrics, "DeliveryToS3.Success", "metered"), { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 });
    assert.deepEqual(await total(metrics, "DeliveryToS3.DataFreshness", "metered"), { SampleCount: 1, Sum: 60, Minimum: 60, Maximum: 60 });
    const listed = await metrics.listMetrics({ Namespace: "AWS/Firehose", MetricName: "DeliveryToS3.DataFreshness" });
    assert.equal(listed[0]?.unit, "Seconds");
  });

  it("counts the records of a call the backlog bound refused in ThrottledRecords", async () => {
    const client = firehoseClient(server);
    const metrics = server.app!.metrics;
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "backlogged",
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::backlogged-bucket", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 } },
      }),
    );
    const batch = Array.from({ length: 20 }, () => ({ Data: Buffer.alloc(1000, 0x61) }));
    await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "backlogged", Records: batch }));
    // 20,000 bytes undelivered, past the 10,000 bound: "Slow down."
    const refused = await errorOf(client.send(new PutRecordBatchCommand({ DeliveryStreamName: "backlogged", Records: batch })));
    assert.equal(refused.name, "ServiceUnavailableException");
    assert.equal((await total(metrics, "ThrottledRecords", "backlogged"))?.Sum, 20);
    assert.equal((await total(metrics, "IncomingRecords", "backlogged"))?.Sum, 20);
    assert.equal((await total(metrics, "IncomingPutRequests", "backlogged"))?.Sum, 1);
    assert.equal((await total(metrics, "PutRecordBatch.Requests", "backlogged"))?.Sum, 2);
  });

  it("counts what a delivery stream reads from its Kinesis stream source", async () => {
    const client = firehoseClient(server);
    const metrics = server.app!.metrics;
    await ok(server, "CreateStream", { StreamName: "firehose-source", ShardCount: 1 });
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "from-kinesis",
        DeliveryStreamType: "KinesisStreamAsSource",
        KinesisStreamSourceConfiguration: { KinesisStreamARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/firehose-source`, RoleARN: roleArn },
        ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::from-kinesis-out", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } },
      }),
    );
    const entries = Array.from({ length: 5 }, (_, index) => ({ PartitionKey: `k${index}`, Data: Buffer.from("kinesis").toString("base64") }));
    await ok(server, "PutRecords", { StreamName: "firehose-source", Records: entries });
    await waitFor("the source's metrics", async () => (await total(metrics, "DataReadFromKinesisStream.Records", "from-kinesis"))?.Sum === 5);
    assert.equal((await total(metrics, "DataReadFromKinesisStream.Bytes", "from-kinesis"))?.Sum, 5 * 7);
    assert.equal((await total(metrics, "KinesisMillisBehindLatest", "from-kinesis"))?.Maximum, 0);
    await waitFor("the delivery", async () => (await total(metrics, "DeliveryToS3.Records", "from-kinesis"))?.Sum === 5);
  });

  describe("to an HTTP endpoint", () => {
    /** An HTTPS endpoint answering every request 200 with Firehose's response body (`answers`), or 500. */
    async function endpoint(answers: boolean): Promise<{ url: string; stop(): Promise<void> }> {
      const listening = createServer({ key: tls.key, cert: tls.cert }, (request: IncomingMessage, response: ServerResponse) => {
        request.resume();
        request.on("end", () => {
          const requestId = String(request.headers["x-amz-firehose-request-id"]);
          if (answers) response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ requestId, timestamp: 1 }));
          else response.writeHead(500).end("down");
        });
      });
      await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
      return {
        url: `https://127.0.0.1:${(listening.address() as AddressInfo).port}`,
        stop: () => new Promise((resolve) => {
          listening.closeAllConnections();
          listening.close(() => resolve());
        }),
      };
    }

    for (const answers of [true, false]) {
      it(answers ? "counts a delivered batch" : "counts a batch given up to the backup bucket as undelivered", async () => {
        const name = answers ? "http-ok" : "http-down";
        const target = await endpoint(answers);
        const client = firehoseClient(server);
        const metrics = server.app!.metrics;
        try {
          await client.send(
            new CreateDeliveryStreamCommand({
              DeliveryStreamName: name,
              HttpEndpointDestinationConfiguration: {
                EndpointConfiguration: { Url: target.url },
                BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
                RetryOptions: { DurationInSeconds: 0 },
                S3Configuration: { RoleARN: roleArn, BucketARN: `arn:aws:s3:::${name}-backup` },
              },
            }),
          );
          await client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: Array.from({ length: 4 }, () => ({ Data: Buffer.from("abcde") })) }));
          await waitFor("the attempt's metrics", async () => (await total(metrics, "DeliveryToHttpEndpoint.Success", name)) !== undefined);
          assert.deepEqual(await total(metrics, "DeliveryToHttpEndpoint.Success", name), { SampleCount: 1, Sum: answers ? 1 : 0, Minimum: answers ? 1 : 0, Maximum: answers ? 1 : 0 });
          assert.equal((await total(metrics, "DeliveryToHttpEndpoint.ProcessedRecords", name))?.Sum, 4);
          assert.equal((await total(metrics, "DeliveryToHttpEndpoint.ProcessedBytes", name))?.Sum, 20);
          assert.equal((await total(metrics, "DeliveryToHttpEndpoint.Records", name))?.Sum, answers ? 4 : undefined);
          assert.equal((await total(metrics, "DeliveryToHttpEndpoint.Bytes", name))?.Sum, answers ? 20 : undefined);
        } finally {
          await target.stop();
        }
      });
    }
  });
});
