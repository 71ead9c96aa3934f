/**
 * ListMetrics through @aws-sdk/client-cloudwatch in each of CloudWatch's three protocols: the
 * filters, pages of 500 with NextToken, RecentlyActive PT3H, and the errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListMetricsCommand, type ListMetricsCommandInput } from "@aws-sdk/client-cloudwatch";
import { cloudWatchClient, protocols, startCloudWatchServer, type CloudWatchTestServer, type Protocol } from "./fixture.js";

const hourMs = 3_600_000;
let server: CloudWatchTestServer;
const streams = Array.from({ length: 260 }, (_, index) => `stream-${String(index).padStart(3, "0")}`);

before(async () => {
  server = await startCloudWatchServer();
  // 520 series: two metrics for each of 260 streams, recorded four hours ago; one more, recorded now.
  for (const stream of streams) {
    for (const MetricName of ["IncomingBytes", "IncomingRecords"]) server.record({ Namespace: "AWS/Kinesis", MetricName, Dimensions: [{ Name: "StreamName", Value: stream }] }, "Count", 1);
  }
  server.clock.advance(4 * hourMs);
  server.record({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "f" }, { Name: "Resource", Value: "f" }] }, "Count", 1);
});
after(() => server.stop());

async function all(protocol: Protocol, input: ListMetricsCommandInput): Promise<{ pages: number; names: string[] }> {
  const client = cloudWatchClient(server, protocol);
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new ListMetricsCommand({ ...input, NextToken: token }));
    pages++;
    for (const metric of page.Metrics ?? []) names.push(`${metric.Namespace} ${metric.MetricName} ${(metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(",")}`);
    token = page.NextToken;
  } while (token !== undefined);
  return { pages, names };
}

for (const protocol of protocols) {
  describe(`cloudwatch > ListMetrics > ${protocol}`, () => {
    const client = () => cloudWatchClient(server, protocol);

    it("lists every series in pages of 500, each once, in a stable order", async () => {
      const { pages, names } = await all(protocol, {});
      assert.equal(pages, 2);
      assert.equal(names.length, 521);
      assert.equal(new Set(names).size, 521);
      assert.equal(names[0], "AWS/Kinesis IncomingBytes StreamName=stream-000");
      assert.equal(names[520], "AWS/Lambda Invocations FunctionName=f,Resource=f");
    });

    it("filters by namespace, metric name and dimensions, a dimension without a value matching any", async () => {
      assert.equal((await all(protocol, { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords" })).names.length, 260);
      assert.deepEqual((await all(protocol, { Dimensions: [{ Name: "StreamName", Value: "stream-007" }] })).names, [
        "AWS/Kinesis IncomingBytes StreamName=stream-007",
        "AWS/Kinesis IncomingRecords StreamName=stream-007",
      ]);
      assert.deepEqual((await all(protocol, { Dimensions: [{ Name: "Resource" }] })).names, ["AWS/Lambda Invocations FunctionName=f,Resource=f"]);
      assert.deepEqual((await all(protocol, { Namespace: "AWS/Firehose" })).names, []);
    });

    it("keeps to the series with a sample in the past three hours with RecentlyActive PT3H", async () => {
      assert.deepEqual((await all(protocol, { RecentlyActive: "PT3H" })).names, ["AWS/Lambda Invocations FunctionName=f,Resource=f"]);
    });

    it("names the owning account of each metric with IncludeLinkedAccounts", async () => {
      const page = await client().send(new ListMetricsCommand({ Namespace: "AWS/Lambda", IncludeLinkedAccounts: true }));
      assert.deepEqual(page.OwningAccounts, [server.accountId]);
    });

    it("refuses a NextToken it did not issue and an unknown RecentlyActive", async () => {
      for (const [input, message] of [
        [{ NextToken: "bm9wZQ==" }, "The value bm9wZQ== for parameter NextToken is invalid."],
        [{ RecentlyActive: "PT1H" }, "The parameter RecentlyActive must be a value in the set [ PT3H ]."],
        [{ Dimensions: Array.from({ length: 11 }, () => ({ Name: "StreamName" })) }, "The collection Dimensions must not have a size greater than 10."],
      ] as const) {
        await assert.rejects(client().send(new ListMetricsCommand(input as ListMetricsCommandInput)), (error: Error & { Error?: { Code?: string } }) => {
          assert.equal(error.Error?.Code, "InvalidParameterValue");
          assert.equal(error.message, message);
          return true;
        });
      }
    });
  });
}
