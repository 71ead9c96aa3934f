/**
 * The AWS/KinesisAnalytics metrics of a running SQL application (docs/metrics-reference.md):
 * Records and Bytes per input and output (dimensions Application, Flow, Id), the output's Success
 * per write, and MillisBehindLatest per take.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateApplicationCommand, DescribeApplicationCommand, StartApplicationCommand, type KinesisAnalyticsClient } from "@aws-sdk/client-kinesis-analytics";
import type { MetricDimension, MetricsReader, StatisticSet } from "../../src/core/metrics.js";
import { kinesisClient, type TestServer } from "../helpers/server.js";
import { createActiveStream } from "../helpers/streams.js";
import { waitFor } from "../helpers/wait.js";
import { analyticsClient, kinesisInput, readStreamText, roleArn, startAnalyticsServer, streamArnOf } from "../analytics/api/fixtures.js";

async function total(metrics: MetricsReader, MetricName: string, Dimensions: readonly MetricDimension[]): Promise<StatisticSet | undefined> {
  const points = await metrics.statistics({ Namespace: "AWS/KinesisAnalytics", MetricName, Dimensions }, 0, 8.64e15, 60);
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

const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 10;`;

describe("metrics > analytics", () => {
  let server: TestServer;
  let client: KinesisAnalyticsClient;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startAnalyticsServer();
    client = analyticsClient(server);
    kinesis = kinesisClient(server);
  });
  after(() => server.stop());

  it("counts the records read from the input and written to the output", async () => {
    await createActiveStream(kinesis, "metrics-in", 1);
    await createActiveStream(kinesis, "metrics-out", 1);
    await client.send(
      new CreateApplicationCommand({
        ApplicationName: "metered",
        Inputs: [kinesisInput(streamArnOf(server, "metrics-in"))],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisStreamsOutput: { ResourceARN: streamArnOf(server, "metrics-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } }],
        ApplicationCode: code,
      }),
    );
    const records = [{ ticker: "AAA", price: 5 }, { ticker: "BBB", price: 15 }, { ticker: "CCC", price: 20 }].map((record) => Buffer.from(JSON.stringify(record)));
    await kinesis.send(new PutRecordsCommand({ StreamName: "metrics-in", Records: records.map((Data, index) => ({ PartitionKey: `k${index}`, Data })) }));
    await client.send(new StartApplicationCommand({ ApplicationName: "metered", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    await waitFor("two rows out", async () => (await readStreamText(kinesis, "metrics-out")).length >= 2, 20_000);
    const detail = (await client.send(new DescribeApplicationCommand({ ApplicationName: "metered" }))).ApplicationDetail!;
    const inputId = detail.InputDescriptions![0]!.InputId!;
    const outputId = detail.OutputDescriptions![0]!.OutputId!;
    const metrics = server.app!.metrics;
    const input = [
      { Name: "Application", Value: "metered" },
      { Name: "Flow", Value: "Input" },
      { Name: "Id", Value: inputId },
    ];
    const output = [
      { Name: "Application", Value: "metered" },
      { Name: "Flow", Value: "Output" },
      { Name: "Id", Value: outputId },
    ];
    await waitFor("the output's metrics", async () => (await total(metrics, "Records", output))?.Sum === 2);
    assert.equal((await total(metrics, "Records", input))?.Sum, 3);
    assert.equal((await total(metrics, "Bytes", input))?.Sum, records.reduce((sum, record) => sum + record.length, 0));
    assert.ok(((await total(metrics, "Bytes", output))?.Sum ?? 0) > 0);
    const success = await total(metrics, "Success", output);
    assert.ok(success !== undefined && success.Minimum === 1 && success.Sum >= 1);
    assert.ok(((await total(metrics, "MillisBehindLatest", [{ Name: "Application", Value: "metered" }]))?.SampleCount ?? 0) >= 1);
  });
});
