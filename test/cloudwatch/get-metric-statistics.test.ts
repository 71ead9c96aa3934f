/**
 * GetMetricStatistics through @aws-sdk/client-cloudwatch in each of CloudWatch's three protocols:
 * statistics per period from the samples recorded, periods that follow the rounded start time,
 * high-resolution periods, the unit filter, percentiles under CloudWatch's statistic-set rule,
 * and CloudWatch's errors with their codes and texts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetMetricStatisticsCommand, type GetMetricStatisticsCommandInput } from "@aws-sdk/client-cloudwatch";
import { cloudWatchClient, ordersIncoming, protocols, startCloudWatchServer, startMs, type CloudWatchTestServer } from "./fixture.js";

const minuteMs = 60_000;
let server: CloudWatchTestServer;

before(async () => {
  server = await startCloudWatchServer();
  // Minute 0: three puts of 1, 2 and 3 records; minute 1: one of 4; minute 7: one of 10.
  for (const value of [1, 2, 3]) server.record(ordersIncoming, "Count", value);
  server.clock.advance(minuteMs);
  server.record(ordersIncoming, "Count", 4);
  server.clock.advance(6 * minuteMs);
  server.record(ordersIncoming, "Count", 10);
  // Latency samples of one value each second, for percentiles: 5 ms in second 0, 7 ms in second 1 (twice).
  server.clock.advance(minuteMs);
  const latency = { Namespace: "AWS/Kinesis", MetricName: "PutRecord.Latency", Dimensions: [{ Name: "StreamName", Value: "orders" }] };
  server.record(latency, "Milliseconds", 5);
  server.clock.advance(1000);
  server.record(latency, "Milliseconds", 7);
  server.record(latency, "Milliseconds", 7);
  server.clock.advance(60 * minuteMs);
});
after(() => server.stop());

const base: GetMetricStatisticsCommandInput = {
  Namespace: "AWS/Kinesis",
  MetricName: "IncomingRecords",
  Dimensions: [{ Name: "StreamName", Value: "orders" }],
  StartTime: new Date(startMs),
  EndTime: new Date(startMs + 10 * minuteMs),
  Period: 60,
  Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
};

async function failure(protocol: (typeof protocols)[number], input: Partial<GetMetricStatisticsCommandInput>): Promise<{ code: string; message: string; status: number | undefined }> {
  try {
    await cloudWatchClient(server, protocol).send(new GetMetricStatisticsCommand({ ...base, ...input } as GetMetricStatisticsCommandInput));
  } catch (error) {
    const e = error as { Error?: { Code?: string }; name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.Error?.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail("the call succeeded");
}

for (const protocol of protocols) {
  describe(`cloudwatch > GetMetricStatistics > ${protocol}`, () => {
    const client = () => cloudWatchClient(server, protocol);

    it("answers each minute's statistics, oldest first, with the series' unit and the metric name as label", async () => {
      const answer = await client().send(new GetMetricStatisticsCommand(base));
      assert.equal(answer.Label, "IncomingRecords");
      assert.deepEqual(
        answer.Datapoints!.map((d) => [d.Timestamp!.toISOString(), d.SampleCount, d.Sum, d.Average, d.Minimum, d.Maximum, d.Unit]),
        [
          ["2026-03-01T00:00:00.000Z", 3, 6, 2, 1, 3, "Count"],
          ["2026-03-01T00:01:00.000Z", 1, 4, 4, 4, 4, "Count"],
          ["2026-03-01T00:07:00.000Z", 1, 10, 10, 10, 10, "Count"],
        ],
      );
    });

    it("starts periods at the start time rounded down to the minute, not at multiples of the period", async () => {
      const answer = await client().send(new GetMetricStatisticsCommand({ ...base, StartTime: new Date(startMs + 61_500), Period: 300, Statistics: ["Sum"] }));
      assert.deepEqual(answer.Datapoints!.map((d) => [d.Timestamp!.toISOString(), d.Sum]), [
        ["2026-03-01T00:01:00.000Z", 4],
        ["2026-03-01T00:06:00.000Z", 10],
      ]);
    });

    it("reads high-resolution periods from the seconds kept", async () => {
      // The raw seconds are kept for the last 15 minutes: look at the latency samples from a server whose clock is near them.
      const near = await startCloudWatchServer();
      try {
        near.record(ordersIncoming, "Count", 2);
        near.clock.advance(12_000);
        near.record(ordersIncoming, "Count", 5);
        near.clock.advance(1000);
        const answer = await cloudWatchClient(near, protocol).send(
          new GetMetricStatisticsCommand({ ...base, StartTime: new Date(startMs), EndTime: new Date(startMs + 30_000), Period: 10, Statistics: ["Sum"] }),
        );
        assert.deepEqual(answer.Datapoints!.map((d) => [d.Timestamp!.toISOString(), d.Sum]), [
          ["2026-03-01T00:00:00.000Z", 2],
          ["2026-03-01T00:00:10.000Z", 5],
        ]);
      } finally {
        await near.stop();
      }
    });

    it("answers no datapoints for a unit the series was not recorded in, or a metric that does not exist", async () => {
      assert.deepEqual((await client().send(new GetMetricStatisticsCommand({ ...base, Unit: "Bytes" }))).Datapoints, []);
      assert.deepEqual((await client().send(new GetMetricStatisticsCommand({ ...base, Unit: "Count", Statistics: ["Sum"] }))).Datapoints!.length, 3);
      assert.deepEqual((await client().send(new GetMetricStatisticsCommand({ ...base, Dimensions: [{ Name: "StreamName", Value: "other" }] }))).Datapoints, []);
    });

    it("answers percentiles where every set holds one value, and leaves them out where one does not", async () => {
      const latency = await client().send(
        new GetMetricStatisticsCommand({ ...base, MetricName: "PutRecord.Latency", Statistics: undefined, ExtendedStatistics: ["p0", "p50", "p99.9", "p100"] }),
      );
      // One minute: 5 once, 7 twice; per minute the sets are not uniform, so per-minute percentiles are ruled out.
      assert.deepEqual(latency.Datapoints!.map((d) => [d.Timestamp!.toISOString(), d.ExtendedStatistics, d.Unit]), [["2026-03-01T00:08:00.000Z", {}, "Milliseconds"]]);
      const uniform = await client().send(new GetMetricStatisticsCommand({ ...base, Statistics: undefined, ExtendedStatistics: ["p50", "p100"] }));
      assert.deepEqual(uniform.Datapoints!.map((d) => d.ExtendedStatistics), [{}, { p50: 4, p100: 4 }, { p50: 10, p100: 10 }]);
    });

    it("refuses a request for more than 1,440 datapoints, counting from the rounded start", async () => {
      assert.deepEqual(await failure(protocol, { StartTime: new Date(startMs), EndTime: new Date(startMs + 1441 * minuteMs) }), {
        code: "InvalidParameterCombination",
        message: "You have requested up to 1441 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
        status: 400,
      });
      const exactly = await client().send(new GetMetricStatisticsCommand({ ...base, EndTime: new Date(startMs + 1440 * minuteMs), Statistics: ["Sum"] }));
      assert.equal(exactly.Datapoints!.length, 3);
    });

    it("names every missing parameter at once as MissingParameter", async () => {
      assert.deepEqual(await failure(protocol, { Namespace: undefined, Period: undefined }), {
        code: "MissingParameter",
        message: "The parameter Namespace is required.\nThe parameter Period is required.",
        status: 400,
      });
    });

    it("wants Statistics or ExtendedStatistics, and not both", async () => {
      assert.deepEqual(await failure(protocol, { Statistics: undefined }), { code: "InvalidParameterCombination", message: "Must specify either Statistics or ExtendedStatistics", status: 400 });
      assert.equal((await failure(protocol, { ExtendedStatistics: ["p99"] })).code, "InvalidParameterCombination");
    });

    it("words invalid values as CloudWatch does", async () => {
      const cases: [Partial<GetMetricStatisticsCommandInput>, string][] = [
        [{ Statistics: ["Sum", "Median" as never] }, "The parameter Statistics.member.2 must be a value in the set [ Minimum, Maximum, Average, SampleCount, Sum ]."],
        [{ Statistics: undefined, ExtendedStatistics: ["p101"] }, "The value p101 for parameter ExtendedStatistics.member.1 is not supported."],
        [{ Period: 7 }, "The parameter Period must be a multiple of 60."],
        [{ Period: 0 }, "The parameter Period must not equal 0."],
        [{ EndTime: new Date(startMs) }, "The parameter StartTime must not equal parameter EndTime."],
        [{ EndTime: new Date(startMs - minuteMs) }, "The parameter StartTime must be less than the parameter EndTime."],
        [{ Namespace: "x".repeat(256) }, "The parameter Namespace must be shorter than 256 characters."],
        [{ Dimensions: [{ Name: "StreamName", Value: "" }] }, "The parameter Dimensions.member.1.Value must be longer than 0 characters."],
      ];
      for (const [input, message] of cases) assert.deepEqual(await failure(protocol, input), { code: "InvalidParameterValue", message, status: 400 }, message);
    });
  });
}

describe("cloudwatch > GetMetricStatistics > start time rounding by age", () => {
  it("rounds a start between 15 and 63 days old down to 5 minutes, older ones to the hour", async () => {
    const { roundedStartMs } = await import("../../src/cloudwatch/statistics/periods.js");
    const now = Date.parse("2026-03-01T00:00:00Z");
    const day = 86_400_000;
    assert.equal(new Date(roundedStartMs(now - 2 * day + 123_456, 60, now)).toISOString(), "2026-02-27T00:02:00.000Z");
    assert.equal(new Date(roundedStartMs(now - 20 * day + 7 * minuteMs + 5000, 60, now)).toISOString(), "2026-02-09T00:05:00.000Z");
    assert.equal(new Date(roundedStartMs(now - 70 * day + 59 * minuteMs, 300, now)).toISOString(), "2025-12-21T00:00:00.000Z");
    assert.equal(new Date(roundedStartMs(now + 17_000, 5, now)).toISOString(), "2026-03-01T00:00:15.000Z");
  });
});
