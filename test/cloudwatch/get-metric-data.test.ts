/**
 * GetMetricData (metric math off) through @aws-sdk/client-cloudwatch in each of CloudWatch's three
 * protocols: MetricStat queries with their labels (dynamic ones too), ScanBy, ReturnData,
 * MaxDatapoints with PartialData and NextToken, and CloudWatch's ValidationError lines.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetMetricDataCommand, type GetMetricDataCommandInput, type MetricDataQuery, type MetricStat } from "@aws-sdk/client-cloudwatch";
import { cloudWatchClient, ordersIncoming, protocols, startCloudWatchServer, startMs, type CloudWatchTestServer, type Protocol } from "./fixture.js";

const minuteMs = 60_000;
let server: CloudWatchTestServer;
const payments = { ...ordersIncoming, Dimensions: [{ Name: "StreamName", Value: "payments" }] };

before(async () => {
  server = await startCloudWatchServer();
  // orders: 1 record in minutes 0..4 (5 datapoints); payments: 7 then 9 records in minutes 0 and 1.
  for (let minute = 0; minute < 5; minute++) {
    server.record(ordersIncoming, "Count", minute + 1);
    if (minute === 0) server.record(payments, "Count", 7);
    if (minute === 1) server.record(payments, "Count", 9);
    server.clock.advance(minuteMs);
  }
});
after(() => server.stop());

const stat = (metric: typeof ordersIncoming, Stat = "Sum", Period = 60): MetricStat => ({ Metric: { ...metric, Dimensions: [...metric.Dimensions] }, Period, Stat });
const base = (queries: MetricDataQuery[], extra: Partial<GetMetricDataCommandInput> = {}): GetMetricDataCommandInput => ({
  StartTime: new Date(startMs),
  EndTime: new Date(startMs + 10 * minuteMs),
  MetricDataQueries: queries,
  ...extra,
});

async function validation(protocol: Protocol, input: GetMetricDataCommandInput): Promise<{ code: string; message: string; status: number | undefined }> {
  try {
    await cloudWatchClient(server, protocol).send(new GetMetricDataCommand(input));
  } catch (error) {
    const e = error as { Error?: { Code?: string }; name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.Error?.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail("the call succeeded");
}

const iso = (values: Date[] | undefined) => values!.map((date) => date.toISOString().slice(11, 16));

for (const protocol of protocols) {
  describe(`cloudwatch > GetMetricData > ${protocol}`, () => {
    const client = () => cloudWatchClient(server, protocol);

    it("answers each query's datapoints newest first by default, with its Id, label and StatusCode Complete", async () => {
      const answer = await client().send(new GetMetricDataCommand(base([{ Id: "orders", MetricStat: stat(ordersIncoming) }, { Id: "payments", MetricStat: stat(payments, "Maximum"), Label: "pay" }])));
      assert.equal(answer.MetricDataResults!.length, 2);
      const [orders, pay] = answer.MetricDataResults!;
      assert.deepEqual([orders!.Id, orders!.Label, orders!.StatusCode], ["orders", "IncomingRecords", "Complete"]);
      assert.deepEqual(iso(orders!.Timestamps), ["00:04", "00:03", "00:02", "00:01", "00:00"]);
      assert.deepEqual(orders!.Values, [5, 4, 3, 2, 1]);
      assert.deepEqual([pay!.Id, pay!.Label, iso(pay!.Timestamps), pay!.Values], ["payments", "pay", ["00:01", "00:00"], [9, 7]]);
      assert.equal(answer.NextToken, undefined);
    });

    it("answers oldest first with ScanBy TimestampAscending, and over longer periods", async () => {
      const answer = await client().send(new GetMetricDataCommand(base([{ Id: "m", MetricStat: stat(ordersIncoming, "Sum", 180) }], { ScanBy: "TimestampAscending" })));
      assert.deepEqual([iso(answer.MetricDataResults![0]!.Timestamps), answer.MetricDataResults![0]!.Values], [["00:00", "00:03"], [6, 9]]);
    });

    it("leaves out queries with ReturnData false", async () => {
      const answer = await client().send(new GetMetricDataCommand(base([{ Id: "a", MetricStat: stat(ordersIncoming), ReturnData: false }, { Id: "b", MetricStat: stat(payments) }])));
      assert.deepEqual(answer.MetricDataResults!.map((result) => result.Id), ["b"]);
    });

    it("fills in dynamic labels, times in LabelOptions.Timezone", async () => {
      const answer = await client().send(
        new GetMetricDataCommand(
          base(
            [{ Id: "m", MetricStat: stat(ordersIncoming), Label: "${PROP('Dim.StreamName')} ${PROP('MetricName')} avg ${AVG} max ${MAX} n ${DATAPOINT_COUNT} last ${LAST_TIME} ${UNKNOWN}" }],
            { LabelOptions: { Timezone: "+0130" } },
          ),
        ),
      );
      assert.equal(answer.MetricDataResults![0]!.Label, "orders IncomingRecords avg 3 max 5 n 5 last 2026-03-01T01:34:00+0130 ${UNKNOWN}");
    });

    it("stops at MaxDatapoints with PartialData and resumes from NextToken", async () => {
      const queries = [{ Id: "orders", MetricStat: stat(ordersIncoming) }, { Id: "payments", MetricStat: stat(payments) }];
      const first = await client().send(new GetMetricDataCommand(base(queries, { MaxDatapoints: 3 })));
      assert.deepEqual(first.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values]), [["orders", "PartialData", [5, 4, 3]]]);
      assert.ok(first.NextToken);
      const second = await client().send(new GetMetricDataCommand(base(queries, { MaxDatapoints: 3, NextToken: first.NextToken })));
      assert.deepEqual(second.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values]), [
        ["orders", "Complete", [2, 1]],
        ["payments", "PartialData", [9]],
      ]);
      const third = await client().send(new GetMetricDataCommand(base(queries, { MaxDatapoints: 3, NextToken: second.NextToken })));
      assert.deepEqual(third.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values]), [["payments", "Complete", [7]]]);
      assert.equal(third.NextToken, undefined);
    });

    it("refuses a NextToken from another request as InvalidNextToken", async () => {
      const queries = [{ Id: "orders", MetricStat: stat(ordersIncoming) }];
      const first = await client().send(new GetMetricDataCommand(base(queries, { MaxDatapoints: 1 })));
      const other = await validation(protocol, base(queries, { MaxDatapoints: 1, NextToken: first.NextToken, EndTime: new Date(startMs + 11 * minuteMs) }));
      assert.equal(other.code, "InvalidNextToken");
      assert.equal(other.status, 400);
      assert.equal((await validation(protocol, base(queries, { NextToken: "bm90IGEgdG9rZW4=" }))).code, "InvalidNextToken");
    });

    it("answers percentiles where the statistic sets allow them", async () => {
      const answer = await client().send(new GetMetricDataCommand(base([{ Id: "m", MetricStat: stat(ordersIncoming, "p90") }], { ScanBy: "TimestampAscending" })));
      assert.deepEqual(answer.MetricDataResults![0]!.Values, [1, 2, 3, 4, 5]);
    });

    it("answers another account's metric as Forbidden, with no data", async () => {
      const answer = await client().send(new GetMetricDataCommand(base([{ Id: "m", MetricStat: stat(ordersIncoming), AccountId: "111122223333" }])));
      assert.deepEqual([answer.MetricDataResults![0]!.StatusCode, answer.MetricDataResults![0]!.Values], ["Forbidden", []]);
    });

    it("collects every problem into one ValidationError, a line each, as CloudWatch does", async () => {
      const answer = await validation(
        protocol,
        base(
          [
            { Id: "Bad-Id", MetricStat: stat(ordersIncoming, "Median", 7) },
            { Id: "e", Expression: "SUM(METRICS())" },
            { Id: "none" },
          ],
          { EndTime: new Date(startMs) },
        ),
      );
      assert.deepEqual(answer, {
        code: "ValidationError",
        status: 400,
        message:
          "The value Bad-Id for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.\n" +
          "The value 7 for parameter MetricDataQueries.member.1.MetricStat.Period is not valid. The period must be 1, 5, 10, 20, 30 or a multiple of 60.\n" +
          "The value Median for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.\n" +
          "The parameter MetricDataQueries.member.2.Expression is not supported: metric math and Metrics Insights queries are off on this server (docs/cloudwatch.md).\n" +
          "The parameter MetricDataQueries.member.3.MetricStat is required.\n" +
          "The parameter StartTime must not equal parameter EndTime.\n",
      });
      assert.equal(
        (await validation(protocol, base([{ Id: "m", MetricStat: stat(ordersIncoming) }], { EndTime: new Date(startMs - 1000) }))).message,
        "The parameter EndTime must be greater than StartTime.\n",
      );
    });
  });
}
