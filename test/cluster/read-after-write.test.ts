/**
 * DynamoDB's consistent reads and S3's strong consistency on two Tributary nodes over one NATS
 * engine (a real nats-server, one NatsEngine per node on the same prefix, so each node reads its
 * own watch-fed copy of the tables and objects buckets). Before each write through A, node B's
 * watches are stopped (`pauseWatches`): they restart 500 ms later (watchRestartDelayMs) and only
 * then deliver A's write, so B's copy lags as a node on a slow link would. B still answers with
 * A's write because its reads sync first (TableStore.sync, ObjectStore.sync; src/dynamodb/
 * consistent-reads.ts, src/s3/read-after-write.ts); without the sync every case here fails.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createNatsEngine, type NatsEngine } from "../../src/storage/nats/nats-engine.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { rawRequest, type RawResponse } from "../helpers/raw.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/** Stops the watches of B's tables and objects buckets (private: WatchedBucket's `watcher`); each restarts by itself. */
function pauseWatches(engine: NatsEngine): void {
  for (const part of [engine.tables, engine.objects] as unknown as { bucket: { watcher?: { stop(): void } } }[]) part.bucket.watcher?.stop();
}

function dynamo(node: TestServer, action: string, body: unknown): Promise<RawResponse> {
  return rawRequest(node.url, JSON.stringify(body), { target: `DynamoDB_20120810.${action}`, contentType: "application/x-amz-json-1.0" });
}

function s3(node: TestServer, method: string, path: string, body = ""): Promise<RawResponse> {
  return rawRequest(node.url, body, { method, path });
}

describe("cluster > read-after-write over two nodes on one NATS engine", () => {
  let nats: NatsCluster;
  const engines: NatsEngine[] = [];
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    nats = await startNats();
    const nodes: TestServer[] = [];
    for (const seed of [1, 2]) {
      const engine = await createNatsEngine({ servers: nats.urls, prefix: "raw" }, { clock: systemClock, random: new SeededRandom(seed), logger: silentLogger });
      engines.push(engine);
      nodes.push(await startTestServer({ storage: engine, random: new SeededRandom(10 + seed) }));
    }
    [a, b] = nodes as [TestServer, TestServer];
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    for (const engine of engines) await engine.close();
    await nats?.stop();
  });
  const pauseB = () => pauseWatches(engines[1]!);

  const table = {
    TableName: "leases",
    AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };

  it("DynamoDB: a table created through A is described through B", async () => {
    pauseB();
    assert.equal((await dynamo(a, "CreateTable", table)).statusCode, 200);
    const described = await dynamo(b, "DescribeTable", { TableName: "leases" });
    assert.equal(described.statusCode, 200, JSON.stringify(described.body));
    assert.equal(described.body.Table.TableName, "leases");
  });

  it("DynamoDB: an item put through A is read through B with ConsistentRead", async () => {
    pauseB();
    assert.equal((await dynamo(a, "PutItem", { TableName: "leases", Item: { k: { S: "one" }, v: { N: "1" } } })).statusCode, 200);
    const read = await dynamo(b, "GetItem", { TableName: "leases", Key: { k: { S: "one" } }, ConsistentRead: true });
    assert.equal(read.statusCode, 200, JSON.stringify(read.body));
    assert.deepEqual(read.body.Item, { k: { S: "one" }, v: { N: "1" } });
  });

  it("S3: a bucket created through A takes an object through B", async () => {
    pauseB();
    assert.equal((await s3(a, "PUT", "/raw-bucket")).statusCode, 200);
    const put = await s3(b, "PUT", "/raw-bucket/from-b", "b");
    assert.equal(put.statusCode, 200, String(put.body));
  });

  it("S3: an object put through A is got, headed and listed through B", async () => {
    pauseB();
    assert.equal((await s3(a, "PUT", "/raw-bucket/from-a", "hello")).statusCode, 200);
    const got = await s3(b, "GET", "/raw-bucket/from-a");
    assert.equal(got.statusCode, 200, String(got.body));
    assert.equal(got.raw.toString("utf8"), "hello");
    pauseB();
    assert.equal((await s3(a, "PUT", "/raw-bucket/from-a", "hello again")).statusCode, 200);
    const headed = await s3(b, "HEAD", "/raw-bucket/from-a");
    assert.equal(headed.statusCode, 200);
    assert.equal(headed.headers["content-length"], String("hello again".length));
    pauseB();
    assert.equal((await s3(a, "PUT", "/raw-bucket/listed", "x")).statusCode, 200);
    const listed = await s3(b, "GET", "/raw-bucket?list-type=2");
    assert.equal(listed.statusCode, 200);
    assert.match(String(listed.body), /<Key>listed<\/Key>/);
  });

  it("S3: an object deleted through A is NoSuchKey through B", async () => {
    assert.equal((await s3(b, "GET", "/raw-bucket/from-a")).statusCode, 200);
    pauseB();
    assert.equal((await s3(a, "DELETE", "/raw-bucket/from-a")).statusCode, 204);
    const got = await s3(b, "GET", "/raw-bucket/from-a");
    assert.equal(got.statusCode, 404);
    assert.match(String(got.body), /<Code>NoSuchKey<\/Code>/);
  });
});
