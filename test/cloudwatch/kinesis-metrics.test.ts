/**
 * The metrics the Kinesis service records, read back through the CloudWatch API as a dashboard
 * would: after N records put, IncomingRecords sums to N and PutRecords.TotalRecords too, and
 * ListMetrics names the stream's series.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CreateStreamCommand, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { cloudWatchClient, protocols } from "./fixture.js";

let server: TestServer;
const stream = randomStreamName("cloudwatch");

before(async () => {
  server = await startTestServer();
  const kinesis = kinesisClient(server);
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  for (let i = 0; i < 3; i++) await kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: `k${i}`, Data: Buffer.from("hello") }));
  await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 4 }, (_, i) => ({ PartitionKey: `p${i}`, Data: Buffer.from("hi") })) }));
});
after(() => server.stop());

const dimensions = () => [{ Name: "StreamName", Value: stream }];
const window = () => ({ StartTime: new Date(Date.now() - 10 * 60_000), EndTime: new Date(Date.now() + 60_000) });

for (const protocol of protocols) {
  describe(`cloudwatch > Kinesis metrics > ${protocol}`, () => {
    it("sums IncomingRecords to the records put and IncomingBytes to their size", async () => {
      const client = cloudWatchClient(server, protocol);
      const sum = async (MetricName: string) => {
        const answer = await client.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Kinesis", MetricName, Dimensions: dimensions(), ...window(), Period: 60, Statistics: ["Sum"] }));
        return answer.Datapoints!.reduce((total, datapoint) => total + datapoint.Sum!, 0);
      };
      assert.equal(await sum("IncomingRecords"), 7);
      // A record's size is its data and its partition key, as Kinesis counts it against the shard's throughput.
      assert.equal(await sum("IncomingBytes"), 3 * (5 + 2) + 4 * (2 + 2));
    });

    it("lists the stream's series and reads them with GetMetricData", async () => {
      const client = cloudWatchClient(server, protocol);
      const listed = await client.send(new ListMetricsCommand({ Namespace: "AWS/Kinesis", Dimensions: dimensions() }));
      const names = new Set(listed.Metrics!.map((metric) => metric.MetricName));
      for (const name of ["IncomingRecords", "IncomingBytes", "PutRecord.Success", "PutRecords.TotalRecords"]) assert.ok(names.has(name), `${name} in ${[...names].join(", ")}`);
      const data = await client.send(
        new GetMetricDataCommand({
          ...window(),
          MetricDataQueries: [{ Id: "total", MetricStat: { Metric: { Namespace: "AWS/Kinesis", MetricName: "PutRecords.TotalRecords", Dimensions: dimensions() }, Period: 60, Stat: "Sum" } }],
        }),
      );
      assert.equal(data.MetricDataResults![0]!.Values!.reduce((total, value) => total + value, 0), 4);
    });
  });
}
