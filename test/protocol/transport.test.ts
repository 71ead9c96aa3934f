/**
 * One port, two protocols: HTTP/1.1 with keep-alive and HTTP/2 with prior knowledge (h2c), and
 * the AWS SDK's default Kinesis client, which speaks HTTP/2.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect, type ClientHttp2Session } from "node:http2";
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { jsonCall } from "../helpers/raw.js";

let server: TestServer;
let kinesis: KinesisClient;
let streamName: string;

before(async () => {
  server = await startTestServer();
  kinesis = kinesisClient(server);
  streamName = randomStreamName("transport");
  const created = await jsonCall(server.url, "CreateStream", { StreamName: streamName, ShardCount: 1 });
  assert.equal(created.statusCode, 200, created.raw.toString());
});

after(async () => {
  kinesis.destroy();
  await server.stop();
});

interface Http1Outcome {
  statusCode: number;
  body: any;
  reusedSocket: boolean;
  localPort: number;
}

function http1Call(agent: Agent, action: string, body: unknown): Promise<Http1Outcome> {
  const target = new URL(server.url);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        path: "/",
        agent,
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `Kinesis_20131202.${action}`,
          "content-length": payload.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            statusCode: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            reusedSocket: req.reusedSocket,
            localPort: req.socket!.localPort!,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

function http2Call(session: ClientHttp2Session, action: string, body: unknown): Promise<{ status: number; body: any; contentType: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": "/",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `Kinesis_20131202.${action}`,
    });
    let status = 0;
    let contentType = "";
    const chunks: Buffer[] = [];
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
      contentType = String(headers["content-type"]);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status, contentType, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
    stream.on("error", reject);
    stream.end(JSON.stringify(body));
  });
}

describe("protocol > transport", () => {
  it("protocol > transport > HTTP/1.1 keep-alive serves two requests on one socket", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await http1Call(agent, "DescribeStreamSummary", { StreamName: streamName });
      const second = await http1Call(agent, "DescribeStreamSummary", { StreamName: streamName });
      assert.equal(first.statusCode, 200);
      assert.equal(second.statusCode, 200);
      assert.equal(first.body.StreamDescriptionSummary.StreamName, streamName);
      assert.equal(second.body.StreamDescriptionSummary.StreamName, streamName);
      assert.equal(first.reusedSocket, false);
      assert.equal(second.reusedSocket, true);
      assert.equal(second.localPort, first.localPort);
    } finally {
      agent.destroy();
    }
  });

  it("protocol > transport > HTTP/2 with prior knowledge multiplexes requests on one session", async () => {
    const session = connect(server.url);
    try {
      const [first, second] = await Promise.all([
        http2Call(session, "DescribeStreamSummary", { StreamName: streamName }),
        http2Call(session, "DescribeStreamSummary", { StreamName: "no-such-stream" }),
      ]);
      assert.equal(first.status, 200);
      assert.equal(first.contentType, "application/x-amz-json-1.1");
      assert.equal(first.body.StreamDescriptionSummary.StreamName, streamName);
      assert.equal(second.status, 400);
      assert.deepEqual(second.body, {
        __type: "ResourceNotFoundException",
        message: `Stream no-such-stream under account ${server.accountId} not found.`,
      });
    } finally {
      session.close();
    }
  });

  it("protocol > transport > HTTP/1.1 and HTTP/2 share the port at the same time", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const session = connect(server.url);
    try {
      const [overHttp1, overHttp2] = await Promise.all([
        http1Call(agent, "DescribeStreamSummary", { StreamName: streamName }),
        http2Call(session, "DescribeStreamSummary", { StreamName: streamName }),
      ]);
      assert.deepEqual(overHttp2.body, overHttp1.body);
    } finally {
      agent.destroy();
      session.close();
    }
  });

  it("protocol > transport > the SDK's default client (HTTP/2) works with only the endpoint changed", async () => {
    // The handler class is all that says which protocol the client speaks; it is not re-exported.
    assert.equal((kinesis.config.requestHandler as object).constructor.name, "NodeHttp2Handler");
    const name = randomStreamName("sdk");
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    const description = summary.StreamDescriptionSummary!;
    assert.equal(description.StreamName, name);
    assert.equal(description.StreamARN, `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`);
    assert.equal(description.OpenShardCount, 2);
    assert.ok(description.StreamCreationTimestamp instanceof Date);
    await assert.rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${name}-missing` })), {
      name: "ResourceNotFoundException",
      message: `Stream ${name}-missing under account ${server.accountId} not found.`,
    });
  });
});
