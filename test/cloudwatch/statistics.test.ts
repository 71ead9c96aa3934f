/**
 * The pure parts of the CloudWatch service: percentiles under CloudWatch's statistic-set rule,
 * the period rules, the query protocol's timestamps and lists, LabelOptions' timezones.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { percentileOf, percentileValue, isStatistic } from "../../src/cloudwatch/statistics/statistic.js";
import { isValidPeriod, periodsIn } from "../../src/cloudwatch/statistics/periods.js";
import { timezoneOffsetMinutes } from "../../src/cloudwatch/statistics/labels.js";
import { parseQueryBody, parseTimestamp, readQueryStructure } from "../../src/cloudwatch/protocols/query-params.js";
import { getMetricDataInput } from "../../src/cloudwatch/model.js";

const set = (value: number, count: number) => ({ SampleCount: count, Sum: value * count, Minimum: value, Maximum: value });

describe("cloudwatch > statistics > percentiles", () => {
  it("takes the nearest rank over sets that each hold one value", () => {
    const sets = [set(10, 1), set(1, 3), set(5, 6)];
    assert.equal(percentileValue(sets, 0), 1);
    assert.equal(percentileValue(sets, 30), 1);
    assert.equal(percentileValue(sets, 31), 5);
    assert.equal(percentileValue(sets, 90), 5);
    assert.equal(percentileValue(sets, 90.1), 10);
    assert.equal(percentileValue(sets, 100), 10);
  });

  it("has no value when a set mixes values, holds a negative one, or there are no samples", () => {
    assert.equal(percentileValue([set(1, 2), { SampleCount: 2, Sum: 3, Minimum: 1, Maximum: 2 }], 50), undefined);
    assert.equal(percentileValue([set(-1, 1)], 50), undefined);
    assert.equal(percentileValue([{ SampleCount: 0, Sum: 0, Minimum: 0, Maximum: 0 }], 50), undefined);
  });

  it("names percentiles p0 to p100 with decimals, and nothing else", () => {
    assert.deepEqual(["p0", "p50", "p99.9", "p100", "p100.0"].map(percentileOf), [0, 50, 99.9, 100, 100]);
    for (const name of ["p101", "p", "P50", "p-1", "p50.", "tm99", "p99.99999999999"]) assert.equal(percentileOf(name), undefined, name);
    assert.equal(isStatistic("Average"), true);
    assert.equal(isStatistic("average"), false);
  });
});

describe("cloudwatch > statistics > periods", () => {
  it("takes 1, 5, 10, 20, 30 and multiples of 60", () => {
    assert.deepEqual([1, 5, 10, 20, 30, 60, 120, 86_400].map(isValidPeriod), Array(8).fill(true));
    assert.deepEqual([0, -60, 2, 15, 45, 90, 61].map(isValidPeriod), Array(7).fill(false));
  });

  it("counts a partial last period", () => {
    assert.equal(periodsIn(0, 60_000, 60), 1);
    assert.equal(periodsIn(0, 60_001, 60), 2);
    assert.equal(periodsIn(0, 86_400_000, 1), 86_400);
  });
});

describe("cloudwatch > protocols > query parameters", () => {
  it("reads ISO 8601 as botocore writes it, offsets and epoch seconds", () => {
    assert.equal(parseTimestamp("2026-03-01T00:00:00Z"), Date.parse("2026-03-01T00:00:00Z"));
    assert.equal(parseTimestamp("2026-03-01T00:00:00.123456Z"), Date.parse("2026-03-01T00:00:00.123Z"));
    assert.equal(parseTimestamp("2026-03-01T01:30:00+0130"), Date.parse("2026-03-01T00:00:00Z"));
    assert.equal(parseTimestamp("2026-03-01T01:30:00+01:30"), Date.parse("2026-03-01T00:00:00Z"));
    assert.equal(parseTimestamp("1772323200"), Date.parse("2026-03-01T00:00:00Z"));
    for (const text of ["2026-03-01", "yesterday", "2026-13-01T00:00:00Z", ""]) assert.equal(parseTimestamp(text), undefined, text);
  });

  it("orders list members by index and keeps nested structures", () => {
    const query = parseQueryBody(
      "Action=GetMetricData&MetricDataQueries.member.2.Id=b&MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.MetricStat.Period=60" +
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=StreamName&MetricDataQueries.member.1.ReturnData=false&__proto__.x=1",
    );
    assert.equal(query.action, "GetMetricData");
    assert.deepEqual(readQueryStructure(query.tree, getMetricDataInput), {
      MetricDataQueries: [
        { Id: "a", MetricStat: { Period: 60, Metric: { Dimensions: [{ Name: "StreamName" }] } }, ReturnData: false },
        { Id: "b" },
      ],
    });
  });

  it("refuses a list index that is not a positive number", () => {
    assert.throws(() => readQueryStructure(parseQueryBody("MetricDataQueries.member.0.Id=a").tree, getMetricDataInput), /MetricDataQueries.member.0 is not a valid list member/);
  });
});

describe("cloudwatch > statistics > label timezones", () => {
  it("reads +HHMM and -HHMM within the world's offsets", () => {
    assert.deepEqual(["+0000", "+0130", "-0800", "+1400", "-1200"].map(timezoneOffsetMinutes), [0, 90, -480, 840, -720]);
    for (const text of ["0130", "+130", "+1500", "-1300", "+0160", "UTC"]) assert.equal(timezoneOffsetMinutes(text), undefined, text);
  });
});
