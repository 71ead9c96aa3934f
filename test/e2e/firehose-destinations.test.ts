/**
 * The non-S3 destinations end to end, each against a real receiver the test starts, configured
 * and fed only through @aws-sdk/client-firehose:
 * - Redshift → a throwaway PostgreSQL (Debian's `postgresql`, test/helpers/postgres.ts) through
 *   the intermediate object and COPY: every row in the table with its types.
 * - HttpEndpoint → a node:https server that checks every header of Firehose's HTTP endpoint
 *   delivery specification and fails the first attempts: the retries carry the same
 *   X-Amz-Firehose-Request-Id, and the records arrive once the endpoint accepts.
 * - AmazonopensearchService → a `_bulk` receiver that rejects some documents: only those are sent
 *   again, under the same `_id`, and every document ends up indexed.
 * HTTP endpoints must be https:// (Firehose's model), so the receivers serve a self-signed
 * certificate. The delivery engine gives destinations no trusted certificates of their own yet
 * (DestinationDeps.tls is not wired to any option), so this file turns Node's certificate check
 * off for its own process while it runs (NODE_TLS_REJECT_UNAUTHORIZED, restored after).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import type { TestServer } from "../helpers/server.js";
import { startPostgres, type PostgresCluster } from "../helpers/postgres.js";
import { waitFor } from "../helpers/wait.js";
import { createSelfSignedCertificate, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { errorOf } from "../firehose/fixtures.js";
import { firehoseClient, roleArn, startFirehoseServer, waitActive } from "./firehose-e2e-fixture.js";

let server: TestServer;
let client: FirehoseClient;
let tls: TlsMaterial;
const rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
before(async () => {
  tls = createSelfSignedCertificate({ commonName: "firehose receivers", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs: systemClock.nowMs(), validityMs: 24 * 3600 * 1000, random: systemRandom });
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  server = await startFirehoseServer({ firehose: { createDelayMs: 0 } });
  client = firehoseClient(server);
});
after(async () => {
  await server?.stop();
  if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
});

const backup = (bucket: string) => ({ RoleARN: roleArn, BucketARN: `arn:aws:s3:::${bucket}`, BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } });

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

async function httpsReceiver(handle: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const receiver: HttpsServer = createHttpsServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    readBody(request).then((body) => handle(request, body, response), (error) => response.destroy(error));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://localhost:${(receiver.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => receiver.close(() => resolve())),
  };
}

describe("Redshift destination served by PostgreSQL", () => {
  let postgres: PostgresCluster;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres?.stop());

  it("refuses a ClusterJDBCURL that is not a Redshift host name, as Firehose's model does", async () => {
    const error = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "to-pg-by-ip",
          RedshiftDestinationConfiguration: { RoleARN: roleArn, ClusterJDBCURL: `jdbc:postgresql://127.0.0.1:${postgres.port}/postgres`, CopyCommand: { DataTableName: "t" }, Username: "postgres", Password: "x", S3Configuration: backup("pg-stage") },
        }),
      ),
    );
    assert.equal(error.name, "ValidationException");
    assert.match(error.message, /at 'redshiftDestinationConfiguration\.clusterJDBCURL' failed to satisfy constraint: Member must satisfy regular expression pattern: jdbc:\(redshift\|postgresql\)/);
  });

  it("loads every record into the table with COPY (JSON 'auto'), through the intermediate bucket", async () => {
    postgres.psql("CREATE TABLE orders (id integer PRIMARY KEY, customer varchar(20), total numeric(10,2), shipped boolean, placed timestamp);");
    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "to-pg",
        RedshiftDestinationConfiguration: {
          RoleARN: roleArn,
          // A name under .localhost resolves to this machine and matches the model's pattern.
          ClusterJDBCURL: `jdbc:postgresql://warehouse.e2e.us-east-1.redshift.localhost:${postgres.port}/postgres`,
          // The intermediate objects are GZIP, so COPY is told so (as Firehose requires).
          CopyCommand: { DataTableName: "orders", DataTableColumns: "id,customer,total,shipped,placed", CopyOptions: "json 'auto' gzip timeformat 'auto'" },
          Username: "postgres",
          Password: "trust-authentication-ignores-it",
          RetryOptions: { DurationInSeconds: 60 },
          S3Configuration: { ...backup("pg-stage"), Prefix: "stage/", CompressionFormat: "GZIP" },
        },
      }),
    );
    await waitActive(client, "to-pg");
    const orders = Array.from({ length: 120 }, (_, n) => ({ id: n, customer: `c${n % 7}`, total: n * 1.25, shipped: n % 2 === 0, placed: `2024-05-17 13:${String(n % 60).padStart(2, "0")}:00` }));
    for (let from = 0; from < orders.length; from += 40) {
      const put = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-pg", Records: orders.slice(from, from + 40).map((order) => ({ Data: Buffer.from(`${JSON.stringify(order)}\n`) })) }));
      assert.equal(put.FailedPutCount, 0);
    }
    await waitFor("120 rows in orders", () => Number(postgres.psql("SELECT count(*) FROM orders;").trim()) >= orders.length, 30_000, 200);
    const rows = postgres.psql("SELECT id, customer, total, shipped, placed FROM orders ORDER BY id;").trim().split("\n");
    assert.deepEqual(
      rows,
      orders.map((order) => `${order.id}|${order.customer}|${order.total.toFixed(2)}|${order.shipped ? "t" : "f"}|${order.placed}`),
    );
  });
});

describe("HttpEndpoint destination", () => {
  it("retries a failing endpoint with the same request id and every header, then delivers every record once accepted", async () => {
    const attempts: { requestId: string; records: string[] }[] = [];
    const problems: string[] = [];
    const failFirst = 2;
    const receiver = await httpsReceiver((request, raw, response) => {
      const headers = request.headers;
      const expect = (name: string, value: string | RegExp) => {
        const actual = headers[name];
        if (typeof actual !== "string" || (typeof value === "string" ? actual !== value : !value.test(actual))) problems.push(`${name}: ${String(actual)}`);
      };
      expect("content-type", "application/json");
      expect("content-encoding", "gzip");
      expect("x-amz-firehose-protocol-version", "1.0");
      expect("x-amz-firehose-access-key", "the-access-key");
      expect("x-amz-firehose-source-arn", `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/to-http`);
      expect("x-amz-firehose-request-id", /^[0-9a-f-]{36}$/);
      expect("user-agent", /^Amazon Kinesis Data Firehose Agent\/1\.0/);
      const common = JSON.parse(headers["x-amz-firehose-common-attributes"] as string);
      if (JSON.stringify(common) !== JSON.stringify({ commonAttributes: { team: "data", env: "e2e" } })) problems.push(`common attributes ${JSON.stringify(common)}`);
      const body = JSON.parse(gunzipSync(raw).toString());
      const requestId = headers["x-amz-firehose-request-id"] as string;
      if (body.requestId !== requestId) problems.push(`body requestId ${body.requestId} vs header ${requestId}`);
      if (typeof body.timestamp !== "number") problems.push(`timestamp ${body.timestamp}`);
      attempts.push({ requestId, records: body.records.map((record: { data: string }) => Buffer.from(record.data, "base64").toString()) });
      const sameRequest = attempts.filter((attempt) => attempt.requestId === requestId).length;
      if (sameRequest <= failFirst) {
        response.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ requestId, timestamp: Date.now(), errorMessage: "warming up" }));
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ requestId, timestamp: Date.now() }));
    });
    try {
      await client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "to-http",
          HttpEndpointDestinationConfiguration: {
            EndpointConfiguration: { Url: `${receiver.url}/ingest`, Name: "e2e receiver", AccessKey: "the-access-key" },
            RequestConfiguration: { ContentEncoding: "GZIP", CommonAttributes: [{ AttributeName: "team", AttributeValue: "data" }, { AttributeName: "env", AttributeValue: "e2e" }] },
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
            RetryOptions: { DurationInSeconds: 60 },
            RoleARN: roleArn,
            S3BackupMode: "FailedDataOnly",
            S3Configuration: backup("http-backup"),
          },
        }),
      );
      await waitActive(client, "to-http");
      const records = Array.from({ length: 25 }, (_, n) => `event-${n}`);
      const put = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-http", Records: records.map((record) => ({ Data: Buffer.from(record) })) }));
      assert.equal(put.FailedPutCount, 0);
      // Backoff is 1 s, then 2 s: two failures and the success within ~4 s.
      await waitFor("every record accepted", () => new Set(acceptedRecords(attempts, failFirst)).size === records.length, 30_000, 50);
      assert.deepEqual(problems, []);
      const byRequest = new Map<string, typeof attempts>();
      for (const attempt of attempts) byRequest.set(attempt.requestId, [...(byRequest.get(attempt.requestId) ?? []), attempt]);
      for (const [requestId, tries] of byRequest) {
        assert.equal(tries.length, failFirst + 1, `request ${requestId}: ${tries.length} attempts`);
        for (const attempt of tries) assert.deepEqual(attempt.records, tries[0]!.records, "a retry carries the same records");
      }
      assert.deepEqual(acceptedRecords(attempts, failFirst).sort(), [...records].sort());
    } finally {
      await receiver.stop();
    }
  });
});

/** The records of the attempts the endpoint accepted (each request's attempt after `failFirst`). */
function acceptedRecords(attempts: readonly { requestId: string; records: string[] }[], failFirst: number): string[] {
  const seen = new Map<string, number>();
  const accepted: string[] = [];
  for (const attempt of attempts) {
    const count = (seen.get(attempt.requestId) ?? 0) + 1;
    seen.set(attempt.requestId, count);
    if (count === failFirst + 1) accepted.push(...attempt.records);
  }
  return accepted;
}

describe("AmazonopensearchService destination over _bulk", () => {
  it("sends again only the documents the _bulk answer rejected, under the same _id, until all are indexed", async () => {
    const requests: { action: { index: { _index: string; _id?: string } }; document: any }[][] = [];
    const indexed = new Map<string, any>();
    const rejectedOnce = new Set<string>();
    const receiver = await httpsReceiver((request, body, response) => {
      if (request.method !== "POST" || !request.url!.endsWith("/_bulk")) {
        response.writeHead(404).end();
        return;
      }
      const lines = body.toString().split("\n").filter((line) => line !== "");
      const pairs = [];
      for (let i = 0; i < lines.length; i += 2) pairs.push({ action: JSON.parse(lines[i]!), document: JSON.parse(lines[i + 1]!) });
      requests.push(pairs);
      // Documents with an odd n are rejected the first time they come (429, a retriable item error).
      const items = pairs.map(({ action, document }) => {
        const id = action.index._id!;
        if (document.n % 2 === 1 && !rejectedOnce.has(id)) {
          rejectedOnce.add(id);
          return { index: { _index: action.index._index, _id: id, status: 429, error: { type: "es_rejected_execution_exception", reason: "queue full" } } };
        }
        indexed.set(id, document);
        return { index: { _index: action.index._index, _id: id, _version: 1, result: "created", status: 201 } };
      });
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ took: 1, errors: items.some((item) => item.index.status >= 300), items }));
    });
    try {
      await client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "to-bulk",
          AmazonopensearchserviceDestinationConfiguration: {
            RoleARN: roleArn,
            ClusterEndpoint: receiver.url,
            IndexName: "events",
            IndexRotationPeriod: "NoRotation",
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
            RetryOptions: { DurationInSeconds: 60 },
            S3BackupMode: "FailedDocumentsOnly",
            S3Configuration: backup("bulk-backup"),
          },
        }),
      );
      await waitActive(client, "to-bulk");
      const documents = Array.from({ length: 20 }, (_, n) => ({ n, text: `document ${n}` }));
      const put = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-bulk", Records: documents.map((document) => ({ Data: Buffer.from(JSON.stringify(document)) })) }));
      assert.equal(put.FailedPutCount, 0);
      await waitFor("every document indexed", () => indexed.size === documents.length, 30_000, 50);
      assert.deepEqual([...indexed.values()].map((document) => document.n).sort((a, b) => a - b), documents.map((document) => document.n));
      for (const pairs of requests) for (const { action } of pairs) assert.equal(action.index._index, "events");
      const first = requests[0]!;
      assert.equal(first.length, documents.length, "the first request carries the whole batch");
      // Every later request carries only documents rejected before, each once, under the _id it first had.
      const retried = requests.slice(1).flat();
      assert.deepEqual(retried.map((pair) => pair.action.index._id).sort(), [...rejectedOnce].sort());
      assert.deepEqual(retried.map((pair) => pair.document.n).sort((a, b) => a - b), documents.filter((document) => document.n % 2 === 1).map((document) => document.n));
      const firstIds = new Map(first.map((pair) => [pair.document.n, pair.action.index._id]));
      for (const pair of retried) assert.equal(pair.action.index._id, firstIds.get(pair.document.n));
    } finally {
      await receiver.stop();
    }
  });
});
