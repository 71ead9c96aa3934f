/**
 * firehose > destinations > opensearch: a `_bulk` receiver in the test rejects some documents; only
 * those are sent again, and those that never get in become error records with their index and id.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createMemoryEngine } from "../../src/storage/index.js";
import { localObjectClient, type ObjectClient } from "../../src/storage/object-client/index.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { DeliveryBatch, DeliveryOutcome } from "../../src/firehose/delivery/contracts.js";
import { createOpenSearchDestination, validateOpenSearchConfiguration, type OpenSearchDestinationConfiguration } from "../../src/firehose/destinations/opensearch/index.js";
import { isoWeek, rotatedIndexName } from "../../src/firehose/destinations/opensearch/index-name.js";

const accountId = "123456789012";
const arrivalMs = Date.UTC(2016, 1, 25, 13, 0, 0);

interface BulkRequest {
  path: string;
  contentType: string | undefined;
  actions: { index: { _index: string; _type?: string; _id?: string } }[];
  documents: unknown[];
}

/** A `_bulk` receiver: `reject(document, attempt)` says whether to fail one item (400 mapper_parsing_exception). */
async function bulkReceiver(reject: (document: { n: number }, requestIndex: number) => boolean): Promise<{ url: string; requests: BulkRequest[]; server: Server }> {
  const requests: BulkRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const lines = Buffer.concat(chunks).toString().split("\n").filter((line) => line !== "");
      const entry: BulkRequest = { path: request.url ?? "", contentType: request.headers["content-type"], actions: [], documents: [] };
      for (let at = 0; at < lines.length; at += 2) {
        entry.actions.push(JSON.parse(lines[at]!));
        entry.documents.push(JSON.parse(lines[at + 1]!));
      }
      requests.push(entry);
      const items = entry.documents.map((document, at) =>
        reject(document as { n: number }, requests.length - 1)
          ? { index: { _index: entry.actions[at]!.index._index, status: 400, error: { type: "mapper_parsing_exception", reason: "failed to parse field [n]" } } }
          : { index: { _index: entry.actions[at]!.index._index, _id: entry.actions[at]!.index._id ?? "generated", status: 201, result: "created" } },
      );
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ took: 3, errors: items.some((item) => item.index.status >= 300), items }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests, server };
}

function batchOf(count: number): DeliveryBatch {
  return {
    batchId: "batch-os",
    deliveryStreamName: "logs",
    deliveryStreamVersion: 1,
    firstArrivalMs: arrivalMs,
    records: Array.from({ length: count }, (_, n) => ({ recordId: `49546986683135544286507457936321625675700192471156785154.${n}`, data: Buffer.from(JSON.stringify({ n }) + "\n"), approximateArrivalTimestampMs: arrivalMs + n * 3_600_000 })),
  };
}

async function drive(clock: ManualClock, delivering: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
  let settled = false;
  void delivering.finally(() => (settled = true));
  for (let movedMs = 0; !settled && movedMs < 3_600_000; movedMs += 1000) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!settled) clock.advance(1000);
  }
  return delivering;
}

async function objectLines(client: ObjectClient, bucket: string): Promise<{ key: string; lines: Record<string, unknown>[] }[]> {
  const listed = await client.listObjects({ Bucket: bucket });
  assert.ok(listed.ok);
  const out = [];
  for (const object of listed.objects) {
    const got = await client.getObject({ Bucket: bucket, Key: object.Key });
    assert.ok(got.ok);
    let text = "";
    for await (const chunk of got.body) text += chunk.toString();
    out.push({ key: object.Key, lines: text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>) });
  }
  return out;
}

describe("firehose > destinations > opensearch", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((server) => server.close()));
  const objects = localObjectClient({ store: createMemoryEngine(new SeededRandom(5)).objects, clock: systemClock, region: "us-east-1" });
  const deps = (clock = new ManualClock(arrivalMs)) => ({ objectClient: objects, clock, random: new SeededRandom(2), logger: silentLogger, accountId, region: "us-east-1", deliveryStreamName: "logs" });
  const config = (endpoint: string, extra: Partial<OpenSearchDestinationConfiguration> = {}): OpenSearchDestinationConfiguration => ({
    RoleARN: `arn:aws:iam::${accountId}:role/firehose`,
    ClusterEndpoint: endpoint,
    IndexName: "logs",
    IndexRotationPeriod: "OneHour",
    RetryOptions: { DurationInSeconds: 60 },
    S3Configuration: { BucketARN: "arn:aws:s3:::os-backup" },
    ...extra,
  });

  it("index rotation suffixes follow AWS's example (myindex at 2016-02-25T13:00:00Z)", () => {
    assert.equal(rotatedIndexName("myindex", "NoRotation", arrivalMs), "myindex");
    assert.equal(rotatedIndexName("myindex", "OneHour", arrivalMs), "myindex-2016-02-25-13");
    assert.equal(rotatedIndexName("myindex", "OneDay", arrivalMs), "myindex-2016-02-25");
    assert.equal(rotatedIndexName("myindex", "OneWeek", arrivalMs), "myindex-2016-w08");
    assert.equal(rotatedIndexName("myindex", "OneMonth", arrivalMs), "myindex-2016-02");
    assert.equal(rotatedIndexName("myindex", undefined, arrivalMs), "myindex-2016-02-25");
    assert.equal(isoWeek(Date.UTC(2021, 0, 3)), 53);
  });

  it("only the documents the _bulk answer rejected are sent again, with the same ids", async () => {
    // Documents 1 and 3 fail on the first request; 3 fails once more; then all are in.
    const receiver = await bulkReceiver((document, requestIndex) => (requestIndex === 0 && (document.n === 1 || document.n === 3)) || (requestIndex === 1 && document.n === 3));
    servers.push(receiver.server);
    const clock = new ManualClock(arrivalMs);
    const destination = createOpenSearchDestination("Elasticsearch", config(receiver.url, { TypeName: "_doc" }), deps(clock));
    assert.deepEqual(await drive(clock, destination.deliver(batchOf(5))), { ok: true });
    assert.deepEqual(receiver.requests.map((request) => request.documents.map((document) => (document as { n: number }).n)), [[0, 1, 2, 3, 4], [1, 3], [3]]);
    const first = receiver.requests[0]!;
    assert.equal(first.path, "/_bulk");
    assert.equal(first.contentType, "application/x-ndjson");
    assert.deepEqual(first.actions[1], { index: { _index: "logs-2016-02-25-14", _type: "_doc", _id: "49546986683135544286507457936321625675700192471156785154.1" } });
    assert.deepEqual(receiver.requests[1]!.actions[0], first.actions[1]);
    await destination.close();
  });

  it("attempt() reports the failed records for an engine that schedules its own retries", async () => {
    const receiver = await bulkReceiver((document) => document.n % 2 === 0);
    servers.push(receiver.server);
    const destination = createOpenSearchDestination("AmazonopensearchService", config(receiver.url), deps());
    const outcome = await destination.attempt(batchOf(4));
    assert.equal(outcome.ok, false);
    assert.deepEqual(outcome.ok ? [] : outcome.failedRecordIds, ["49546986683135544286507457936321625675700192471156785154.0", "49546986683135544286507457936321625675700192471156785154.2"]);
    assert.equal(outcome.ok ? undefined : outcome.retriable, true);
    await destination.close();
  });

  it("documents still failing after the retry duration become error records; NO_DOCUMENT_ID sends no _id", async () => {
    const receiver = await bulkReceiver((document) => document.n === 2);
    servers.push(receiver.server);
    const clock = new ManualClock(arrivalMs);
    const destination = createOpenSearchDestination(
      "AmazonopensearchService",
      config(receiver.url, { RetryOptions: { DurationInSeconds: 10 }, DocumentIdOptions: { DefaultDocumentIdFormat: "NO_DOCUMENT_ID" }, IndexRotationPeriod: "OneWeek", S3Configuration: { BucketARN: "arn:aws:s3:::os-failed", Prefix: "os/" } }),
      deps(clock),
    );
    assert.deepEqual(await drive(clock, destination.deliver(batchOf(3))), { ok: true });
    assert.ok(receiver.requests.length >= 3);
    assert.ok(receiver.requests.slice(1).every((request) => request.documents.length === 1));
    assert.equal(receiver.requests[0]!.actions[0]!.index._id, undefined);
    const written = await objectLines(objects, "os-failed");
    assert.equal(written.length, 1);
    assert.match(written[0]!.key, /^os\/AmazonOpenSearchService-failed\/2016\/02\/25\/13\/logs-1-2016-02-25-13-00-00-/);
    const record = written[0]!.lines[0]!;
    assert.equal(record.errorCode, "400");
    assert.match(String(record.errorMessage), /mapper_parsing_exception/);
    assert.equal(record.esIndexName, "logs-2016-w08");
    assert.equal(record.esDocumentId, null);
    assert.equal(Buffer.from(String(record.rawData), "base64").toString(), '{"n":2}\n');
    assert.equal(record.attemptsMade, receiver.requests.length);
    await destination.close();
  });

  it("serverless: CollectionEndpoint, no rotation, no ids; DomainARN through the resolver; configuration checks", async () => {
    const receiver = await bulkReceiver(() => false);
    servers.push(receiver.server);
    const serverless = createOpenSearchDestination("AmazonOpenSearchServerless", { IndexName: "coll", CollectionEndpoint: receiver.url, S3Configuration: { BucketARN: "arn:aws:s3:::os-backup" } }, deps());
    assert.deepEqual(await serverless.deliver(batchOf(1)), { ok: true });
    assert.deepEqual(receiver.requests[0]!.actions[0], { index: { _index: "coll" } });
    const domainArn = `arn:aws:es:us-east-1:${accountId}:domain/search`;
    const byArn = createOpenSearchDestination("AmazonopensearchService", { IndexName: "d", DomainARN: domainArn, IndexRotationPeriod: "NoRotation", S3Configuration: { BucketARN: "arn:aws:s3:::os-backup" } }, { ...deps(), resolveDomainEndpoint: (arn) => (arn === domainArn ? receiver.url : undefined) });
    assert.deepEqual(await byArn.deliver(batchOf(1)), { ok: true });
    assert.equal(receiver.requests[1]!.actions[0]!.index._index, "d");
    assert.match(validateOpenSearchConfiguration("Elasticsearch", config("https://x", { DomainARN: domainArn }))?.message ?? "", /Exactly one of DomainARN or ClusterEndpoint/);
    await serverless.close();
    await byArn.close();
  });
});
