/**
 * `tributary stats` against a real server, run as a child process: incoming rates counted from
 * the shards themselves, exactly; outgoing rates and iterator ages from a CloudWatch endpoint
 * (here a stand-in that answers GetMetricData in JSON 1.0 and records what it was asked), and the
 * lines that say why those columns are empty when CloudWatch does not answer or has no
 * shard-level metrics.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateStreamCommand, EnableEnhancedMonitoringCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../helpers/server.js";
import { runTool, startTool } from "./tools-process.js";

interface Asked {
  headers: IncomingHttpHeaders;
  body: { MetricDataQueries: { Id: string; MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string } }[]; StartTime: number; EndTime: number };
}

/** A CloudWatch stand-in: answers GetMetricData with `values` by query Id, and keeps each request. */
async function fakeCloudWatch(values: Record<string, number[]>): Promise<{ url: string; asked: Asked[]; server: Server }> {
  const asked: Asked[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Asked["body"];
      asked.push({ headers: request.headers, body });
      // Every datapoint in the last minute asked for (the current one), newest first as CloudWatch sorts.
      const results = body.MetricDataQueries.map((query) => {
        const points = values[query.Id] ?? [];
        return { Id: query.Id, Label: query.MetricStat.Metric.MetricName, Timestamps: points.map(() => body.EndTime - 60), Values: points, StatusCode: "Complete" };
      });
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify({ MetricDataResults: results, Messages: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, server };
}

/** A port nothing listens on (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("cli > tools > stats", () => {
  let server: TestServer;
  let kinesis: KinesisClient;

  before(async () => {
    server = await startTestServer();
    kinesis = kinesisClient(server);
    await kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 2 }));
    // 30 records of 10 bytes, all on the shard "customer-1" hashes to (the second of two).
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: "orders", Records: Array.from({ length: 30 }, (_, n) => ({ PartitionKey: "customer-1", Data: Buffer.from(`record-${String(n).padStart(3, "0")}`) })) }));
    assert.equal(out.FailedRecordCount, 0);
  });

  after(async () => {
    kinesis?.destroy();
    await server?.stop();
  });

  it("without CloudWatch: incoming rates from the shards, the other columns empty and why", async () => {
    const port = await closedPort();
    const result = await runTool(server.url, ["stats", "orders"], { env: { AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${port}` } });
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      [
        "orders: ACTIVE, PROVISIONED, 2 open shards, over the last 60 s",
        "SHARD                 IN RECORDS/S  IN BYTES/S  OUT RECORDS/S  OUT BYTES/S  ITERATOR AGE",
        "shardId-000000000000          0.00     0.0 B/s              -            -             -",
        "shardId-000000000001          0.50     5.0 B/s              -            -             -",
        `outgoing rates and iterator ages: CloudWatch GetMetricData did not answer at http://127.0.0.1:${port} (ECONNREFUSED)`,
        "",
      ].join("\n"),
    );
  });

  it("with CloudWatch's shard-level metrics: outgoing rates and iterator ages per shard, asked for as GetMetricData in JSON 1.0", async () => {
    const cloudWatch = await fakeCloudWatch({ out_records_1: [60, 30], out_bytes_1: [120_000], iterator_age_1: [250, 1_500], out_records_0: [0], out_bytes_0: [0], iterator_age_0: [0] });
    try {
      const result = await runTool(server.url, ["stats", "orders", "--window", "2m"], { env: { AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url } });
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      assert.equal(
        result.stdout,
        [
          "orders: ACTIVE, PROVISIONED, 2 open shards, over the last 120 s",
          "SHARD                 IN RECORDS/S  IN BYTES/S  OUT RECORDS/S  OUT BYTES/S  ITERATOR AGE",
          "shardId-000000000000          0.00     0.0 B/s           0.00      0.0 B/s          0 ms",
          "shardId-000000000001          0.25     2.5 B/s           0.75   1000.0 B/s         1.5 s",
          "",
        ].join("\n"),
      );
      assert.equal(cloudWatch.asked.length, 1);
      const [{ headers, body }] = cloudWatch.asked as [Asked];
      assert.equal(headers["x-amz-target"], "GraniteServiceVersion20100801.GetMetricData");
      assert.equal(headers["content-type"], "application/x-amz-json-1.0");
      assert.match(headers.authorization ?? "", /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/monitoring\/aws4_request, /);
      assert.ok([120, 180].includes(body.EndTime - body.StartTime), "the minutes the two-minute window touches");
      assert.equal(body.StartTime % 60, 0, "aligned to the period");
      assert.equal(body.EndTime % 60, 0, "aligned to the period");
      const shardQuery = body.MetricDataQueries.find((query) => query.Id === "iterator_age_1")!;
      assert.deepEqual(shardQuery.MetricStat, {
        Metric: { Namespace: "AWS/Kinesis", MetricName: "IteratorAgeMilliseconds", Dimensions: [{ Name: "StreamName", Value: "orders" }, { Name: "ShardId", Value: "shardId-000000000001" }] },
        Period: 60,
        Stat: "Maximum",
      });
    } finally {
      cloudWatch.server.close();
    }
  });

  it("with CloudWatch but no shard-level metrics: says how to enable them and gives the stream's iterator age", async () => {
    const cloudWatch = await fakeCloudWatch({ stream_iterator_age: [800, 4_200] });
    try {
      const result = await runTool(server.url, ["stats", "orders"], { env: { AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout.split("\n").slice(-2).join("\n"),
        "outgoing rates and iterator ages: no shard-level metrics (enhanced monitoring: aws kinesis enable-enhanced-monitoring --shard-level-metrics ALL); the stream's GetRecords.IteratorAgeMilliseconds: 4.2 s\n",
      );
    } finally {
      cloudWatch.server.close();
    }
  });

  it("against the server's own CloudWatch, with enhanced monitoring on: every column filled in", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "watched", ShardCount: 1 }));
    await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: "watched", ShardLevelMetrics: ["ALL"] }));
    await kinesis.send(new PutRecordsCommand({ StreamName: "watched", Records: Array.from({ length: 6 }, (_, n) => ({ PartitionKey: "k", Data: Buffer.from(`r${n}`) })) }));
    const tail = await runTool(server.url, ["tail", "watched", "--from", "trim-horizon", "--max-records", "6"]);
    assert.equal(tail.stdout, "r0\nr1\nr2\nr3\nr4\nr5\n");
    const result = await runTool(server.url, ["stats", "watched"]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    const [header, columns, row, ...rest] = result.stdout.split("\n");
    assert.equal(header, "watched: ACTIVE, PROVISIONED, 1 open shard, over the last 60 s");
    assert.equal(columns, "SHARD                 IN RECORDS/S  IN BYTES/S  OUT RECORDS/S  OUT BYTES/S  ITERATOR AGE");
    // What was read (the tail's six records, and the probe's) and when can straddle a minute: the outgoing figures are checked for being there.
    assert.match(row!, /^shardId-000000000000 {10}0\.10 {5}0\.2 B\/s +\d+\.\d\d +\d+\.\d [KM]?i?B\/s +\d+(\.\d)? (ms|s|min)$/, result.stdout);
    assert.ok(Number(row!.split(/ +/)[4]) > 0, "the tail's reads show as outgoing records");
    assert.deepEqual(rest, [""], "no line saying the metrics are missing");
  });

  it("--watch reports again until Ctrl-C, one report after the other when stdout is not a terminal", async () => {
    const port = await closedPort();
    const watch = startTool(server.url, ["stats", "orders", "--watch"], { env: { AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${port}` } });
    try {
      await watch.waitForStdout((stdout) => stdout.split("orders: ACTIVE").length > 2);
    } finally {
      assert.deepEqual(await watch.stop("SIGINT"), { code: 0, signal: null });
    }
    assert.equal(watch.stderr(), "");
    const reports = watch.stdout().split("\n\n");
    assert.ok(reports.length >= 2);
    for (const report of reports) assert.match(report, /^orders: ACTIVE, PROVISIONED, 2 open shards, over the last 60 s\nSHARD {17}IN RECORDS\/S/);
  });

  it("a stream that does not exist, and a bad window", async () => {
    const missing = await runTool(server.url, ["stats", "nope"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "tributary stats: ResourceNotFoundException: Stream nope under account 000000000000 not found.\n");
    const window = await runTool(server.url, ["stats", "orders", "--window", "90s"]);
    assert.equal(window.code, 2);
    assert.equal(window.stderr, "tributary stats: --window must be whole minutes from 1m to 60m, got 90s\n");
  });
});
