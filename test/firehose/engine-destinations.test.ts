/**
 * The engine delivers to every non-S3 kind the destination registry wires through
 * destinationFactories: delivery streams created through @aws-sdk/client-firehose, fed with
 * PutRecordBatch, and receivers in the test — `_bulk` for AmazonopensearchService, Elasticsearch
 * and AmazonOpenSearchServerless, Firehose's HTTP endpoint protocol for HttpEndpoint, HEC with
 * acknowledgements for Splunk. Firehose's model makes OpenSearch and HTTP endpoints https, so those
 * receivers serve a self-signed certificate and this process skips certificate checks while it runs
 * (the engine has no option for trusted certificates yet). Also: each factory's check answers
 * InvalidArgumentException at CreateDeliveryStream and at UpdateDestination.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand, UpdateDestinationCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { createSelfSignedCertificate, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import type { TestServer } from "../helpers/server.js";
import { errorOf, firehoseClient, roleArn, startFirehoseServer, waitActive } from "./fixtures.js";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

interface Receiver {
  url: string;
  received: Received[];
  stop(): Promise<void>;
}

let tls: TlsMaterial;
let server: TestServer;
let client: FirehoseClient;
const rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

before(async () => {
  tls = createSelfSignedCertificate({ commonName: "receivers", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs: systemClock.nowMs(), validityMs: 3600_000, random: systemRandom });
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  server = await startFirehoseServer();
  client = firehoseClient(server);
});
after(async () => {
  await server?.stop();
  if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
});

async function receiver(secure: boolean, answer: (received: Received, response: ServerResponse) => void): Promise<Receiver> {
  const received: Received[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      answer(entry, response);
    });
  };
  const listening = secure ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const port = (listening.address() as AddressInfo).port;
  return {
    url: `${secure ? "https" : "http"}://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      }),
  };
}

async function eventually(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(done(), "condition never met");
}

const backup = (bucket: string) => ({ RoleARN: roleArn, BucketARN: `arn:aws:s3:::${bucket}` });
const records = (name: string) => [0, 1, 2].map((n) => ({ Data: Buffer.from(JSON.stringify({ stream: name, n })) }));

/** A `_bulk` endpoint accepting every document: the documents it received, in order. */
function bulkAnswer(received: Received, response: ServerResponse): void {
  const lines = received.body.toString().trim().split("\n");
  const items = [];
  for (let i = 0; i < lines.length; i += 2) {
    const action = JSON.parse(lines[i]!) as { index: { _index: string; _id?: string } };
    items.push({ index: { _index: action.index._index, _id: action.index._id ?? `generated-${i}`, status: 201, result: "created" } });
  }
  response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ took: 1, errors: false, items }));
}

function bulkDocuments(received: readonly Received[]): { action: Record<string, Record<string, string>>; document: unknown }[] {
  const out = [];
  for (const request of received) {
    const lines = request.body.toString().trim().split("\n");
    for (let i = 0; i < lines.length; i += 2) out.push({ action: JSON.parse(lines[i]!), document: JSON.parse(lines[i + 1]!) });
  }
  return out;
}

describe("OpenSearch kinds deliver over _bulk", () => {
  const kinds = [
    { name: "to-opensearch", member: "AmazonopensearchServiceDestinationConfiguration", endpoint: "ClusterEndpoint", withId: true },
    { name: "to-elasticsearch", member: "ElasticsearchDestinationConfiguration", endpoint: "ClusterEndpoint", withId: true },
    { name: "to-serverless", member: "AmazonOpenSearchServerlessDestinationConfiguration", endpoint: "CollectionEndpoint", withId: false },
  ] as const;
  for (const kind of kinds) {
    it(`${kind.member}: every record is a document of the index`, async () => {
      const bulk = await receiver(true, bulkAnswer);
      try {
        const configuration = {
          RoleARN: roleArn,
          [kind.endpoint]: bulk.url,
          IndexName: "events",
          ...(kind.endpoint === "ClusterEndpoint" && { IndexRotationPeriod: "NoRotation" }),
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
          S3Configuration: backup(`${kind.name}-backup`),
        };
        // The SDK's member is spelled AmazonopensearchserviceDestinationConfiguration on the wire.
        const member = kind.member === "AmazonopensearchServiceDestinationConfiguration" ? "AmazonopensearchserviceDestinationConfiguration" : kind.member;
        await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: kind.name, [member]: configuration } as never));
        await waitActive(client, kind.name);
        await client.send(new PutRecordBatchCommand({ DeliveryStreamName: kind.name, Records: records(kind.name) }));
        await eventually(() => bulkDocuments(bulk.received).length === 3);
        const documents = bulkDocuments(bulk.received);
        assert.deepEqual(
          documents.map((entry) => entry.document),
          [0, 1, 2].map((n) => ({ stream: kind.name, n })),
        );
        for (const { action } of documents) {
          assert.equal(action.index!._index, "events");
          assert.equal(action.index!._id !== undefined, kind.withId, "FIREHOSE_DEFAULT ids, none for serverless");
        }
        assert.match(String(bulk.received[0]!.headers["content-type"]), /application\/(x-ndjson|json)/);
      } finally {
        await bulk.stop();
      }
    });
  }
});

describe("HttpEndpoint", () => {
  it("delivers the records in Firehose's request body with its headers, answered with the request id", async () => {
    const endpoint = await receiver(true, (received, response) => {
      const requestId = String(received.headers["x-amz-firehose-request-id"]);
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ requestId, timestamp: Date.now() }));
    });
    try {
      await client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "to-http",
          HttpEndpointDestinationConfiguration: {
            EndpointConfiguration: { Url: `${endpoint.url}/ingest`, Name: "sink", AccessKey: "secret-key" },
            RequestConfiguration: { ContentEncoding: "NONE", CommonAttributes: [{ AttributeName: "team", AttributeValue: "data" }] },
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
            S3Configuration: backup("http-backup"),
          },
        }),
      );
      await waitActive(client, "to-http");
      await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-http", Records: records("to-http") }));
      await eventually(() => endpoint.received.length >= 1);
      const request = endpoint.received[0]!;
      assert.equal(request.path, "/ingest");
      assert.equal(request.headers["x-amz-firehose-access-key"], "secret-key");
      assert.deepEqual(JSON.parse(String(request.headers["x-amz-firehose-common-attributes"])), { commonAttributes: { team: "data" } });
      const body = JSON.parse(request.body.toString()) as { requestId: string; records: { data: string }[] };
      assert.equal(body.requestId, request.headers["x-amz-firehose-request-id"]);
      assert.deepEqual(
        body.records.map((record) => JSON.parse(Buffer.from(record.data, "base64").toString())),
        [0, 1, 2].map((n) => ({ stream: "to-http", n })),
      );
    } finally {
      await endpoint.stop();
    }
  });
});

describe("Splunk", () => {
  it("posts the events to HEC with the token and waits for the acknowledgement", async () => {
    let acked = 0;
    const hec = await receiver(false, (received, response) => {
      if (received.path === "/services/collector/ack") {
        acked++;
        const { acks } = JSON.parse(received.body.toString()) as { acks: number[] };
        response.writeHead(200).end(JSON.stringify({ acks: Object.fromEntries(acks.map((id) => [String(id), true])) }));
        return;
      }
      response.writeHead(200).end(JSON.stringify({ text: "Success", code: 0, ackId: 7 }));
    });
    try {
      await client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "to-splunk",
          SplunkDestinationConfiguration: {
            HECEndpoint: hec.url,
            HECEndpointType: "Event",
            HECToken: "hec-token",
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
            S3Configuration: backup("splunk-backup"),
          },
        }),
      );
      await waitActive(client, "to-splunk");
      const events = [0, 1, 2].map((n) => ({ Data: Buffer.from(JSON.stringify({ event: { n } })) }));
      await client.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-splunk", Records: events }));
      await eventually(() => acked >= 1);
      const post = hec.received.find((request) => request.path === "/services/collector/event")!;
      assert.equal(post.headers.authorization, "Splunk hec-token");
      assert.ok(post.headers["x-splunk-request-channel"]);
      assert.equal(post.body.toString(), events.map((event) => event.Data.toString()).join(""));
    } finally {
      await hec.stop();
    }
  });
});

describe("each factory's check at CreateDeliveryStream and UpdateDestination", () => {
  it("answers InvalidArgumentException with the factory's message", async () => {
    const both = await errorOf(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "bad-opensearch",
          AmazonopensearchserviceDestinationConfiguration: { RoleARN: roleArn, IndexName: "i", S3Configuration: backup("b") },
        }),
      ),
    );
    assert.deepEqual([both.name, both.message], ["InvalidArgumentException", "Exactly one of DomainARN or ClusterEndpoint must be specified."]);
    const splunk = await errorOf(
      client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "bad-splunk", SplunkDestinationConfiguration: { HECEndpoint: "hec.example:8088", HECEndpointType: "Raw", HECToken: "t", S3Configuration: backup("b") } })),
    );
    assert.deepEqual([splunk.name, splunk.message], ["InvalidArgumentException", "HECEndpoint hec.example:8088 is not an http(s) URL."]);

    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "http-to-update",
        HttpEndpointDestinationConfiguration: { EndpointConfiguration: { Url: "https://sink.example/in" }, S3Configuration: backup("b") },
      }),
    );
    await waitActive(client, "http-to-update");
    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "http-to-update" }));
    const duplicate = await errorOf(
      client.send(
        new UpdateDestinationCommand({
          DeliveryStreamName: "http-to-update",
          CurrentDeliveryStreamVersionId: described.DeliveryStreamDescription!.VersionId!,
          DestinationId: described.DeliveryStreamDescription!.Destinations![0]!.DestinationId!,
          HttpEndpointDestinationUpdate: {
            RequestConfiguration: {
              CommonAttributes: [
                { AttributeName: "a", AttributeValue: "1" },
                { AttributeName: "a", AttributeValue: "2" },
              ],
            },
          },
        }),
      ),
    );
    assert.deepEqual([duplicate.name, duplicate.message], ["InvalidArgumentException", "Common attribute names must be unique: a is given twice."]);
  });
});
