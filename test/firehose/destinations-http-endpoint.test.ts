/**
 * firehose > destinations > http endpoint: an endpoint in the test checks every header of
 * Firehose's HTTP endpoint delivery specification, fails the first attempts, and sees the same
 * request id on every retry; a batch that never gets through becomes http-endpoint-failed records.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import { createMemoryEngine } from "../../src/storage/index.js";
import { localObjectClient, type ObjectClient } from "../../src/storage/object-client/index.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { DeliveryBatch, DeliveryOutcome } from "../../src/firehose/delivery/contracts.js";
import { createHttpEndpointDestination, validateHttpEndpointConfiguration, type HttpEndpointDestinationConfiguration } from "../../src/firehose/destinations/http-endpoint/index.js";

const accountId = "123456789012";
const arrivalMs = Date.UTC(2024, 4, 17, 13, 5, 9);

interface Received {
  headers: IncomingMessage["headers"];
  body: Buffer;
}

async function endpoint(answer: (received: Received, index: number) => { status: number; body: string }): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      const { status, body } = answer(entry, received.length - 1);
      response.writeHead(status, { "Content-Type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/ingest?token=abc`, received, server };
}

function batchOf(texts: readonly string[], batchId = "4a2e6f3c-8f4e-4f5e-9b1d-2f6c1a9e7d10"): DeliveryBatch {
  return {
    batchId,
    deliveryStreamName: "clicks",
    deliveryStreamVersion: 2,
    firstArrivalMs: arrivalMs,
    records: texts.map((text, index) => ({ recordId: `r${index}`, data: Buffer.from(text), approximateArrivalTimestampMs: arrivalMs + index })),
  };
}

/** Moves a ManualClock a second at a time until the delivery settles. */
async function drive(clock: ManualClock, delivering: Promise<DeliveryOutcome>): Promise<{ outcome: DeliveryOutcome; movedMs: number }> {
  let settled = false;
  void delivering.finally(() => (settled = true));
  let movedMs = 0;
  while (!settled && movedMs < 3_600_000) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (settled) break;
    clock.advance(1000);
    movedMs += 1000;
  }
  return { outcome: await delivering, movedMs };
}

async function keysOf(client: ObjectClient, bucket: string): Promise<string[]> {
  const listed = await client.listObjects({ Bucket: bucket });
  return listed.ok ? listed.objects.map((object) => object.Key) : [];
}

describe("firehose > destinations > http endpoint", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((server) => server.close()));
  const objects = localObjectClient({ store: createMemoryEngine(new SeededRandom(5)).objects, clock: systemClock, region: "eu-west-1" });
  const deps = (clock = new ManualClock(arrivalMs)) => ({ objectClient: objects, clock, random: new SeededRandom(9), logger: silentLogger, accountId, region: "eu-west-1", deliveryStreamName: "clicks" });
  const config = (url: string, extra: Partial<HttpEndpointDestinationConfiguration> = {}): HttpEndpointDestinationConfiguration => ({
    EndpointConfiguration: { Url: url, Name: "sink", AccessKey: "secret-key-1" },
    RequestConfiguration: { ContentEncoding: "GZIP", CommonAttributes: [{ AttributeName: "env", AttributeValue: "test" }, { AttributeName: "team", AttributeValue: "data" }] },
    RetryOptions: { DurationInSeconds: 60 },
    S3Configuration: { BucketARN: "arn:aws:s3:::http-backup", Prefix: "backup/" },
    ...extra,
  });

  it("sends every header of the specification, fails twice, and keeps the request id on the retries", async () => {
    const sink = await endpoint((received, index) => {
      const requestId = received.headers["x-amz-firehose-request-id"] as string;
      return index < 2 ? { status: 503, body: JSON.stringify({ requestId, timestamp: 1, errorMessage: "busy" }) } : { status: 200, body: JSON.stringify({ requestId, timestamp: 2 }) };
    });
    servers.push(sink.server);
    const clock = new ManualClock(arrivalMs);
    const destination = createHttpEndpointDestination(config(sink.url), deps(clock));
    const { outcome, movedMs } = await drive(clock, destination.deliver(batchOf(["one", "two\n", "{\"three\":3}"])));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(sink.received.length, 3);
    assert.ok(movedMs >= 3000, "the retries waited on the clock");
    for (const { headers, body } of sink.received) {
      assert.equal(headers["content-type"], "application/json");
      assert.equal(headers["content-encoding"], "gzip");
      assert.equal(headers["x-amz-firehose-protocol-version"], "1.0");
      assert.equal(headers["x-amz-firehose-request-id"], "4a2e6f3c-8f4e-4f5e-9b1d-2f6c1a9e7d10");
      assert.equal(headers["x-amz-firehose-access-key"], "secret-key-1");
      assert.equal(headers["x-amz-firehose-source-arn"], `arn:aws:firehose:eu-west-1:${accountId}:deliverystream/clicks`);
      assert.deepEqual(JSON.parse(headers["x-amz-firehose-common-attributes"] as string), { commonAttributes: { env: "test", team: "data" } });
      assert.equal(headers["user-agent"], "Amazon Kinesis Data Firehose Agent/1.0");
      assert.equal(Number(headers["content-length"]), body.length);
      const json = JSON.parse(gunzipSync(body).toString()) as { requestId: string; timestamp: number; records: { data: string }[] };
      assert.equal(json.requestId, "4a2e6f3c-8f4e-4f5e-9b1d-2f6c1a9e7d10");
      assert.equal(typeof json.timestamp, "number");
      assert.deepEqual(json.records.map((record) => Buffer.from(record.data, "base64").toString()), ["one", "two\n", '{"three":3}']);
    }
    await destination.close();
  });

  it("without GZIP, access key or attributes those headers are absent", async () => {
    const sink = await endpoint((received) => ({ status: 200, body: JSON.stringify({ requestId: received.headers["x-amz-firehose-request-id"], timestamp: 1 }) }));
    servers.push(sink.server);
    const destination = createHttpEndpointDestination({ EndpointConfiguration: { Url: sink.url }, S3Configuration: { BucketARN: "arn:aws:s3:::http-backup" } }, deps());
    assert.deepEqual(await destination.deliver(batchOf(["x"])), { ok: true });
    const { headers, body } = sink.received[0]!;
    assert.equal(headers["content-encoding"], undefined);
    assert.equal(headers["x-amz-firehose-access-key"], undefined);
    assert.equal(headers["x-amz-firehose-common-attributes"], undefined);
    assert.equal((JSON.parse(body.toString()) as { records: unknown[] }).records.length, 1);
    assert.equal(destination.retryDurationSeconds, 300);
    await destination.close();
  });

  it("a 200 whose requestId does not match, or a 2xx other than 200, is a failure", async () => {
    const sink = await endpoint((_received, index) => (index === 0 ? { status: 200, body: JSON.stringify({ requestId: "other", timestamp: 1 }) } : { status: 202, body: "{}" }));
    servers.push(sink.server);
    const destination = createHttpEndpointDestination(config(sink.url), deps());
    const first = await destination.attempt(batchOf(["x"]));
    assert.equal(first.ok, false);
    assert.equal(first.ok ? "" : first.errorCode, "HttpEndpoint.InvalidResponseFromDestination");
    const second = await destination.attempt(batchOf(["x"]));
    assert.equal(second.ok ? "" : second.errorCode, "HttpEndpoint.DestinationException");
    assert.equal(second.ok ? "" : second.errorMessage, "The following response was received from the endpoint destination. 202: {}");
    await destination.close();
  });

  it("after RetryOptions.DurationInSeconds the batch becomes http-endpoint-failed error records", async () => {
    const sink = await endpoint(() => ({ status: 500, body: '{"errorMessage":"down"}' }));
    servers.push(sink.server);
    const clock = new ManualClock(arrivalMs);
    const destination = createHttpEndpointDestination(config(sink.url, { RetryOptions: { DurationInSeconds: 20 }, S3Configuration: { BucketARN: "arn:aws:s3:::http-failed", Prefix: "p/" } }), deps(clock));
    const { outcome, movedMs } = await drive(clock, destination.deliver(batchOf(["a", "b"])));
    assert.deepEqual(outcome, { ok: true });
    assert.ok(movedMs >= 20_000 && movedMs < 40_000, `${movedMs}`);
    assert.ok(sink.received.length >= 3);
    const keys = await keysOf(objects, "http-failed");
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^p\/http-endpoint-failed\/2024\/05\/17\/13\/clicks-2-2024-05-17-13-05-09-/);
    const got = await objects.getObject({ Bucket: "http-failed", Key: keys[0]! });
    assert.ok(got.ok);
    let text = "";
    for await (const chunk of got.body) text += chunk.toString();
    const lines = text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.errorCode, "HttpEndpoint.DestinationException");
    assert.equal(lines[0]!.rawData, Buffer.from("a").toString("base64"));
    assert.equal(lines[1]!.arrivalTimestamp, arrivalMs + 1);
    assert.equal(lines[0]!.attemptsMade, sink.received.length);
    await destination.close();
  });

  it("AllData backs every batch up; configuration checks", async () => {
    const sink = await endpoint((received) => ({ status: 200, body: JSON.stringify({ requestId: received.headers["x-amz-firehose-request-id"], timestamp: 1 }) }));
    servers.push(sink.server);
    const destination = createHttpEndpointDestination(config(sink.url, { S3BackupMode: "AllData", S3Configuration: { BucketARN: "arn:aws:s3:::http-all" } }), deps());
    assert.deepEqual(await destination.deliver(batchOf(["a", "b"])), { ok: true });
    assert.equal((await keysOf(objects, "http-all")).length, 1);
    assert.equal(validateHttpEndpointConfiguration(config("https://example.com")), undefined);
    assert.match(validateHttpEndpointConfiguration(config("https://example.com", { RequestConfiguration: { CommonAttributes: [{ AttributeName: "a", AttributeValue: "1" }, { AttributeName: "a", AttributeValue: "2" }] } }))?.message ?? "", /unique/);
    await destination.close();
  });
});
