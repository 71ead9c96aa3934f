/**
 * The CloudWatch subset through the AWS CLI v2 (/usr/bin/aws, which speaks CloudWatch's query
 * protocol: form-encoded POST /, XML answers): list-metrics, get-metric-statistics and
 * get-metric-data with exact outputs on a server whose clock the test sets, the errors as the CLI
 * prints them, the Kinesis service's own metrics after `aws kinesis put-record`, and `--auth sigv4`.
 * Then the same reads through a boto3 whose botocore speaks RPC v2 CBOR (recent ones pick it first
 * from CloudWatch's model: 1.43 does), when the machine has one besides Debian's, which speaks query.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { systemClock } from "../../src/util/clock.js";
import { awsCliPath, awsClientEnv, pythonPath, requireAwsCliV2, run } from "./external-clients.js";
import { awsCliError, awsCliJson } from "./firehose-e2e-fixture.js";
import { ordersIncoming, startCloudWatchServer, startMs, type CloudWatchTestServer } from "../cloudwatch/fixture.js";

const minuteMs = 60_000;
let server: CloudWatchTestServer;
const cloudwatch = (...args: string[]) => awsCliJson(server, ["cloudwatch", ...args]);

before(async () => {
  await requireAwsCliV2();
  server = await startCloudWatchServer();
  // orders: 3 and 5 records in minute 0, 2 in minute 1; payments: 1 in minute 0.
  server.record(ordersIncoming, "Count", 3);
  server.record(ordersIncoming, "Count", 5);
  server.record({ ...ordersIncoming, Dimensions: [{ Name: "StreamName", Value: "payments" }] }, "Count", 1);
  server.clock.advance(minuteMs);
  server.record(ordersIncoming, "Count", 2);
  server.clock.advance(minuteMs);
});
after(() => server?.stop());

const window = ["--start-time", "2026-03-01T00:00:00Z", "--end-time", "2026-03-01T00:10:00Z"];

describe("cloudwatch > AWS CLI v2 (query protocol)", () => {
  it("list-metrics lists the series, filtered by dimension", async () => {
    assert.deepEqual(await cloudwatch("list-metrics", "--namespace", "AWS/Kinesis", "--dimensions", "Name=StreamName,Value=orders"), {
      Metrics: [{ Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] }],
    });
    const all = await cloudwatch("list-metrics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords");
    assert.deepEqual(all.Metrics.map((metric: { Dimensions: { Value: string }[] }) => metric.Dimensions[0]!.Value), ["orders", "payments"]);
  });

  it("get-metric-statistics prints each minute's statistics", async () => {
    const answer = await cloudwatch(
      "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords", "--dimensions", "Name=StreamName,Value=orders",
      ...window, "--period", "60", "--statistics", "Sum", "SampleCount", "Maximum",
    );
    assert.deepEqual(answer, {
      Label: "IncomingRecords",
      Datapoints: [
        { Timestamp: "2026-03-01T00:00:00+00:00", SampleCount: 2, Sum: 8, Maximum: 5, Unit: "Count" },
        { Timestamp: "2026-03-01T00:01:00+00:00", SampleCount: 1, Sum: 2, Maximum: 2, Unit: "Count" },
      ],
    });
  });

  it("get-metric-statistics prints percentiles as ExtendedStatistics", async () => {
    const answer = await cloudwatch(
      "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords", "--dimensions", "Name=StreamName,Value=orders",
      ...window, "--period", "60", "--extended-statistics", "p50", "p99",
    );
    // Minute 0 holds two different values in one statistic set: no percentile (CloudWatch's rule); minute 1 one value.
    assert.deepEqual(answer.Datapoints, [
      { Timestamp: "2026-03-01T00:00:00+00:00", Unit: "Count", ExtendedStatistics: {} },
      { Timestamp: "2026-03-01T00:01:00+00:00", Unit: "Count", ExtendedStatistics: { p50: 2, p99: 2 } },
    ]);
  });

  it("get-metric-data prints Timestamps and Values, newest first; --max-datapoints answers PartialData and a NextToken", async () => {
    const queries = JSON.stringify([
      { Id: "orders", MetricStat: { Metric: ordersIncoming, Period: 60, Stat: "Sum" }, Label: "${PROP('Dim.StreamName')} total ${SUM}" },
      { Id: "payments", MetricStat: { Metric: { ...ordersIncoming, Dimensions: [{ Name: "StreamName", Value: "payments" }] }, Period: 60, Stat: "SampleCount" } },
    ]);
    const answer = await cloudwatch("get-metric-data", "--metric-data-queries", queries, ...window);
    assert.deepEqual(answer, {
      MetricDataResults: [
        { Id: "orders", Label: "orders total 10", Timestamps: ["2026-03-01T00:01:00+00:00", "2026-03-01T00:00:00+00:00"], Values: [2, 8], StatusCode: "Complete", Messages: [] },
        { Id: "payments", Label: "IncomingRecords", Timestamps: ["2026-03-01T00:00:00+00:00"], Values: [1], StatusCode: "Complete", Messages: [] },
      ],
      Messages: [],
    });
    // The CLI pages GetMetricData by itself (its paginator's limit key is MaxDatapoints, set by --page-size): one datapoint a page still prints all three.
    const paged = await cloudwatch("get-metric-data", "--metric-data-queries", queries, ...window, "--page-size", "1", "--scan-by", "TimestampAscending");
    assert.deepEqual(paged.MetricDataResults.map((result: { Id: string; Values: number[] }) => [result.Id, result.Values]), [
      ["orders", [8]],
      ["orders", [2]],
      ["payments", [1]],
    ]);
    // Given MaxDatapoints itself, the CLI does not page: the first page, cut short, and its token.
    const first = await cloudwatch("get-metric-data", "--metric-data-queries", queries, ...window, "--max-datapoints", "1");
    assert.deepEqual(first.MetricDataResults.map((result: { Id: string; Values: number[]; StatusCode: string }) => [result.Id, result.Values, result.StatusCode]), [["orders", [2], "PartialData"]]);
    assert.equal(typeof first.NextToken, "string");
  });

  it("prints CloudWatch's errors: the datapoint limit, missing parameters, metric math", async () => {
    assert.deepEqual(
      await awsCliError(server, [
        "cloudwatch", "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords",
        "--start-time", "2026-02-01T00:00:00Z", "--end-time", "2026-03-01T00:00:00Z", "--period", "60", "--statistics", "Sum",
      ]),
      {
        code: "InvalidParameterCombination",
        operation: "GetMetricStatistics",
        message: "You have requested up to 40320 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
      },
    );
    assert.deepEqual(await awsCliError(server, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords", ...window, "--period", "60"]), {
      code: "InvalidParameterCombination",
      operation: "GetMetricStatistics",
      message: "Must specify either Statistics or ExtendedStatistics",
    });
    const math = await awsCliError(server, ["cloudwatch", "get-metric-data", "--metric-data-queries", '[{"Id":"e1","Expression":"m1*2"}]', ...window]);
    assert.equal(math.code, "ValidationError");
    assert.match(math.message, /^The parameter MetricDataQueries.member.1.Expression is not supported/);
  });
});

describe("cloudwatch > AWS CLI v2 > the Kinesis service's metrics", () => {
  let live: TestServer;
  before(async () => {
    live = await startTestServer();
  });
  after(() => live?.stop());

  it("get-metric-statistics --namespace AWS/Kinesis sums IncomingRecords to the records put", async () => {
    await awsCliJson(live, ["kinesis", "create-stream", "--stream-name", "metered", "--shard-count", "1"]);
    for (let i = 0; i < 4; i++) await awsCliJson(live, ["kinesis", "put-record", "--stream-name", "metered", "--partition-key", `k${i}`, "--data", "aGk="]);
    const now = Date.now();
    const answer = await awsCliJson(live, [
      "cloudwatch", "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords", "--dimensions", "Name=StreamName,Value=metered",
      "--start-time", new Date(now - 10 * minuteMs).toISOString(), "--end-time", new Date(now + minuteMs).toISOString(), "--period", "60", "--statistics", "Sum",
    ]);
    assert.equal(answer.Datapoints.reduce((total: number, datapoint: { Sum: number }) => total + datapoint.Sum, 0), 4);
  });
});

describe("cloudwatch > AWS CLI v2 > --auth sigv4", () => {
  const directory = mkdtempSync(join(tmpdir(), "cloudwatch-cli-auth-"));
  const key = { accessKeyId: "AKIACLOUDWATCHCLI000", secretAccessKey: "cli/secret/key/EXAMPLEKEY0000000000000" };
  let signed: TestServer;
  before(async () => {
    const file = join(directory, "credentials.json");
    writeFileSync(
      file,
      JSON.stringify({
        credentials: [
          { ...key, accountId: "111122223333", principalArn: "arn:aws:iam::111122223333:user/dash", policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "cloudwatch:ListMetrics", Resource: "*" }] }] },
        ],
      }),
    );
    signed = await startTestServer({ credentialsFile: file, clock: systemClock });
  });
  after(async () => {
    await signed?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => run(awsCliPath, ["--endpoint-url", signed.url, "--output", "json", "cloudwatch", ...args], env);

  it("serves the key's allowed action and refuses the others as AccessDenied", async () => {
    const env = { ...awsClientEnv(signed.region), AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
    const listed = await cli(env, "list-metrics");
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), { Metrics: [] });
    const denied = await cli(env, "get-metric-statistics", "--namespace", "n", "--metric-name", "m", ...window, "--period", "60", "--statistics", "Sum");
    assert.match(denied.stderr, /An error occurred \(AccessDenied\) when calling the GetMetricStatistics operation: User: arn:aws:iam::111122223333:user\/dash is not authorized to perform: cloudwatch:GetMetricStatistics/);
    const forged = await cli({ ...env, AWS_SECRET_ACCESS_KEY: "not-the-secret" }, "list-metrics");
    assert.match(forged.stderr, /An error occurred \(SignatureDoesNotMatch\) when calling the ListMetrics operation/);
  });
});


/** A python3 whose botocore has an RPC v2 CBOR serializer (PATH's first, then Debian's), or undefined. */
async function cborPython(): Promise<string | undefined> {
  for (const candidate of ["python3", pythonPath]) {
    const probe = await run(candidate, ["-c", "import botocore.serialize as s; print(s.SERIALIZERS['smithy-rpc-v2-cbor'].__name__)"], awsClientEnv("us-east-1"), 30_000).catch(() => undefined);
    if (probe?.code === 0) return candidate;
  }
  return undefined;
}

describe("cloudwatch > boto3 speaking RPC v2 CBOR", async () => {
  const python = await cborPython();
  it("reads ListMetrics, GetMetricStatistics and GetMetricData, and CloudWatch's error", { skip: python === undefined && "no python3 here has a botocore that speaks smithy-rpc-v2-cbor (Debian's 1.29 speaks query)" }, async () => {
    const script = `
import boto3, datetime, json, sys
from botocore.config import Config
c = boto3.client("cloudwatch", endpoint_url=sys.argv[1], config=Config(retries={"max_attempts": 1, "mode": "standard"}))
start = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
end = start + datetime.timedelta(minutes=10)
dims = [{"Name": "StreamName", "Value": "orders"}]
out = {"protocol": c.meta.service_model.protocol}
out["metrics"] = len(c.list_metrics(Namespace="AWS/Kinesis")["Metrics"])
points = c.get_metric_statistics(Namespace="AWS/Kinesis", MetricName="IncomingRecords", Dimensions=dims, StartTime=start, EndTime=end, Period=60, Statistics=["Sum"])["Datapoints"]
out["sums"] = [[p["Timestamp"].astimezone(datetime.timezone.utc).isoformat(), p["Sum"]] for p in points]
data = c.get_metric_data(StartTime=start, EndTime=end, MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {"Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}}])
out["values"] = data["MetricDataResults"][0]["Values"]
try:
    c.get_metric_statistics(Namespace="AWS/Kinesis", MetricName="IncomingRecords", StartTime=start, EndTime=start, Period=60, Statistics=["Sum"])
except c.exceptions.ClientError as error:
    out["error"] = [error.response["Error"]["Code"], error.response["Error"]["Message"]]
print(json.dumps(out))
`;
    const result = await run(python!, ["-c", script, server.url], awsClientEnv(server.region));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      protocol: "smithy-rpc-v2-cbor",
      metrics: 2,
      sums: [
        ["2026-03-01T00:00:00+00:00", 8],
        ["2026-03-01T00:01:00+00:00", 2],
      ],
      values: [2, 8],
      error: ["InvalidParameterValue", "The parameter StartTime must not equal parameter EndTime."],
    });
  });
});
