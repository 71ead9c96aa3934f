/**
 * firehose > destinations > splunk: a fake HEC in the test (event and raw endpoints, indexer
 * acknowledgement by channel) — acknowledged batches, acknowledgements that come late or never,
 * token errors, and the splunk-failed error records after the retry duration.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createMemoryEngine } from "../../src/storage/index.js";
import { localObjectClient } from "../../src/storage/object-client/index.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { DeliveryBatch, DeliveryOutcome } from "../../src/firehose/delivery/contracts.js";
import { createSplunkDestination, validateSplunkConfiguration, type SplunkDestinationConfiguration } from "../../src/firehose/destinations/splunk/index.js";

const accountId = "123456789012";
const arrivalMs = Date.UTC(2024, 0, 2, 3, 4, 5);
const token = "11111111-2222-3333-4444-555555555555";

interface Hec {
  url: string;
  server: Server;
  events: { path: string; headers: IncomingMessage["headers"]; body: string }[];
  ackPolls: { channel: string | undefined; acks: number[] }[];
}

/** `ackAfterPolls`: how many polls answer false before true (Infinity: never). `rejectToken`: answer 403 code 4. */
async function fakeHec(options: { ackAfterPolls?: number; rejectToken?: boolean } = {}): Promise<Hec> {
  const hec: Hec = { url: "", server: undefined as unknown as Server, events: [], ackPolls: [] };
  let nextAck = 0;
  const polls = new Map<number, number>();
  hec.server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const reply = (status: number, json: unknown) => response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(json));
      if (request.headers.authorization !== `Splunk ${token}` || options.rejectToken) return reply(403, { text: "Invalid token", code: 4 });
      const channel = request.headers["x-splunk-request-channel"] as string | undefined;
      if (channel === undefined) return reply(400, { text: "Data channel is missing", code: 10 });
      if (request.url?.startsWith("/services/collector/ack")) {
        const acks = (JSON.parse(body) as { acks: number[] }).acks;
        hec.ackPolls.push({ channel, acks });
        return reply(200, { acks: Object.fromEntries(acks.map((id) => { const seen = (polls.get(id) ?? 0) + 1; polls.set(id, seen); return [String(id), seen > (options.ackAfterPolls ?? 0)]; })) });
      }
      hec.events.push({ path: request.url ?? "", headers: request.headers, body });
      return reply(200, { text: "Success", code: 0, ackId: nextAck++ });
    });
  });
  await new Promise<void>((resolve) => hec.server.listen(0, "127.0.0.1", resolve));
  hec.url = `http://127.0.0.1:${(hec.server.address() as { port: number }).port}`;
  return hec;
}

function batchOf(texts: readonly string[]): DeliveryBatch {
  return { batchId: "b", deliveryStreamName: "audit", deliveryStreamVersion: 1, firstArrivalMs: arrivalMs, records: texts.map((text, n) => ({ recordId: `rec-${n}`, data: Buffer.from(text), approximateArrivalTimestampMs: arrivalMs })) };
}

async function drive(clock: ManualClock, delivering: Promise<DeliveryOutcome>): Promise<{ outcome: DeliveryOutcome; movedMs: number }> {
  let settled = false;
  void delivering.finally(() => (settled = true));
  let movedMs = 0;
  while (!settled && movedMs < 7_200_000) {
    await new Promise((resolve) => setTimeout(resolve, 3));
    if (settled) break;
    clock.advance(1000);
    movedMs += 1000;
  }
  return { outcome: await delivering, movedMs };
}

describe("firehose > destinations > splunk", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((server) => server.close()));
  const objects = localObjectClient({ store: createMemoryEngine(new SeededRandom(5)).objects, clock: systemClock, region: "us-east-1" });
  const deps = (clock = new ManualClock(arrivalMs)) => ({ objectClient: objects, clock, random: new SeededRandom(4), logger: silentLogger, accountId, region: "us-east-1", deliveryStreamName: "audit" });
  const config = (hec: Hec, extra: Partial<SplunkDestinationConfiguration> = {}): SplunkDestinationConfiguration => ({
    HECEndpoint: hec.url,
    HECEndpointType: "Event",
    HECToken: token,
    S3Configuration: { BucketARN: "arn:aws:s3:::splunk-backup" },
    ...extra,
  });

  it("posts the batch to the event endpoint and waits for the indexer acknowledgement on its channel", async () => {
    const hec = await fakeHec({ ackAfterPolls: 2 });
    servers.push(hec.server);
    const clock = new ManualClock(arrivalMs);
    const destination = createSplunkDestination(config(hec), deps(clock));
    const { outcome } = await drive(clock, destination.deliver(batchOf(['{"event":"a"}', '{"event":{"b":1},"sourcetype":"x"}'])));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(hec.events.length, 1);
    assert.equal(hec.events[0]!.path, "/services/collector/event");
    assert.equal(hec.events[0]!.body, '{"event":"a"}{"event":{"b":1},"sourcetype":"x"}');
    assert.equal(hec.ackPolls.length, 3);
    assert.ok(hec.ackPolls.every((poll) => poll.channel === hec.events[0]!.headers["x-splunk-request-channel"] && poll.acks[0] === 0));
    assert.match(String(hec.events[0]!.headers["x-splunk-request-channel"]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await destination.close();
  });

  it("Raw goes to /services/collector/raw", async () => {
    const hec = await fakeHec();
    servers.push(hec.server);
    const destination = createSplunkDestination(config(hec, { HECEndpointType: "Raw" }), deps());
    assert.deepEqual(await destination.deliver(batchOf(["line 1\n", "line 2\n"])), { ok: true });
    assert.equal(hec.events[0]!.path, "/services/collector/raw");
    assert.equal(hec.events[0]!.body, "line 1\nline 2\n");
    await destination.close();
  });

  it("an acknowledgement that never comes is Splunk.AckTimeout after HECAcknowledgmentTimeoutInSeconds, and the batch is sent again", async () => {
    const hec = await fakeHec({ ackAfterPolls: Infinity });
    servers.push(hec.server);
    const clock = new ManualClock(arrivalMs);
    const destination = createSplunkDestination(config(hec, { HECAcknowledgmentTimeoutInSeconds: 180, RetryOptions: { DurationInSeconds: 30 }, S3Configuration: { BucketARN: "arn:aws:s3:::splunk-failed", Prefix: "s/" } }), deps(clock));
    const { outcome, movedMs } = await drive(clock, destination.deliver(batchOf(['{"event":1}'])));
    assert.deepEqual(outcome, { ok: true });
    assert.ok(hec.events.length >= 2, `sent ${hec.events.length} times`);
    assert.ok(movedMs >= 180_000 * 2, `${movedMs}`);
    const listed = await objects.listObjects({ Bucket: "splunk-failed" });
    assert.ok(listed.ok);
    assert.equal(listed.objects.length, 1);
    assert.match(listed.objects[0]!.Key, /^s\/splunk-failed\/2024\/01\/02\/03\/audit-1-2024-01-02-03-04-05-/);
    const got = await objects.getObject({ Bucket: "splunk-failed", Key: listed.objects[0]!.Key });
    assert.ok(got.ok);
    let text = "";
    for await (const chunk of got.body) text += chunk.toString();
    const record = JSON.parse(text.trim()) as Record<string, unknown>;
    assert.equal(record.errorCode, "Splunk.AckTimeout");
    assert.equal(record.EventId, "rec-0");
    assert.equal(record.attemptsMade, hec.events.length);
    await destination.close();
  });

  it("a refused token is Splunk.InvalidToken; configuration checks", async () => {
    const hec = await fakeHec({ rejectToken: true });
    servers.push(hec.server);
    const destination = createSplunkDestination(config(hec), deps());
    const outcome = await destination.attempt(batchOf(["x"]));
    assert.equal(outcome.ok ? "" : outcome.errorCode, "Splunk.InvalidToken");
    assert.equal(destination.retryDurationSeconds, 300);
    assert.equal(validateSplunkConfiguration(config(hec)), undefined);
    assert.match(validateSplunkConfiguration(config(hec, { HECEndpoint: "not a url" }))?.message ?? "", /HECEndpoint/);
    await destination.close();
  });
});
