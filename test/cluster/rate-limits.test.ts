/**
 * AWS's per-shard write rate across a real two-node cluster (`--storage nats`, `--limits aws`;
 * src/streams/limits/cluster-rates.ts): PutRecords through both nodes, each offered 1,200 records
 * a second on one shard — 2,400 together, over twice the shard's 1,000 — for about 5 seconds. The
 * nodes tell each other what they admitted over the peer bus, so together they admit about 1,000
 * a second: at most 1,000 × T, plus each node's full bucket at the start (1,000 each), plus what
 * the other node admits while a report is on its way (allowed: half a second at the full rate,
 * far more than the 50 ms interval and a loopback NATS hop, for a loaded 2-core machine). Without
 * the reports each node admits its own 1,000 a second: about 2,000 together (12,000 in 5 s).
 *
 * The DescribeStream rate (10 calls a second per account) is shared the same way: 60 calls through
 * the two nodes at once get at most about 10 + 10 + a few through.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, DescribeStreamCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { startCluster, activeThrough, type TributaryCluster } from "../helpers/cluster.js";
import { exampleCredentials, randomStreamName } from "../helpers/server.js";
import { sleep } from "../helpers/wait.js";

const region = "us-east-1";
const recordsPerBatch = 300;
const batchIntervalMs = 250;
const runMs = 5000;
/** A report's lag allowed for: what one node may admit before the other hears of it. */
const lagAllowanceMs = 500;

describe("cluster > rate limits across two nodes", () => {
  let cluster: TributaryCluster;
  let clients: KinesisClient[];
  before(async () => {
    cluster = await startCluster({ nodes: 2, natsServers: 1, args: ["--limits", "aws"] });
    // One attempt: a throttled call is counted, not retried.
    clients = cluster.nodes.map((node) => new KinesisClient({ endpoint: node.url, region, credentials: exampleCredentials, maxAttempts: 1 }));
  });
  after(async () => {
    for (const client of clients ?? []) client.destroy();
    await cluster?.stop();
  });

  it("admits about a shard's 1,000 records a second in total through both nodes", async () => {
    const streamName = randomStreamName("cluster-rates");
    await clients[0]!.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    for (const client of clients) await activeThrough(client, streamName);

    let offered = 0;
    let admitted = 0;
    const startMs = Date.now();
    const writer = async (client: KinesisClient, node: number): Promise<void> => {
      for (let batch = 0; Date.now() - startMs < runMs; batch++) {
        const dueMs = startMs + batch * batchIntervalMs;
        if (dueMs > Date.now()) await sleep(dueMs - Date.now());
        const records = Array.from({ length: recordsPerBatch }, (_, index) => ({ PartitionKey: `k${node}-${index}`, Data: Buffer.from(`${node}-${batch}-${index}`) }));
        offered += records.length;
        const answer = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
        for (const entry of answer.Records ?? []) {
          if (entry.ErrorCode === undefined) admitted++;
          else assert.equal(entry.ErrorCode, "ProvisionedThroughputExceededException", entry.ErrorMessage);
        }
      }
    };
    await Promise.all(clients.map((client, node) => writer(client, node)));
    const seconds = (Date.now() - startMs) / 1000;

    const max = Math.ceil(1000 * seconds + 2 * 1000 + 2 * 1000 * (lagAllowanceMs / 1000));
    const context = `${admitted} of ${offered} records admitted in ${seconds.toFixed(2)} s through two nodes`;
    assert.ok(offered >= 1.6 * 1000 * seconds, `offered too little to test the limit: ${context}${cluster.describe()}`);
    assert.ok(admitted <= max, `${context}; at most ${max} for one shard`);
    assert.ok(admitted >= 0.7 * 1000 * seconds, `${context}: the shard's own rate was not admitted`);
  });

  it("shares DescribeStream's ten calls a second per account between the nodes", async () => {
    const streamName = randomStreamName("cluster-describe");
    await clients[0]!.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    for (const client of clients) await activeThrough(client, streamName);
    // Let the buckets refill from activeThrough's calls and the reports settle.
    await sleep(1500);
    // 30 calls through each node, one node after the other: the second starts once the first's report has arrived.
    const through = async (client: KinesisClient): Promise<number> => {
      const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => client.send(new DescribeStreamCommand({ StreamName: streamName }))));
      for (const outcome of outcomes) if (outcome.status === "rejected") assert.equal((outcome.reason as Error).name, "LimitExceededException");
      return outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    };
    const startMs = Date.now();
    const first = await through(clients[0]!);
    await sleep(300);
    const second = await through(clients[1]!);
    const seconds = (Date.now() - startMs) / 1000;
    // One bucket of 10, refilled at 10 a second while the calls ran; without sharing the second node has a full bucket of its own.
    const max = Math.ceil(10 + 10 * seconds) + 3;
    assert.ok(first + second <= max, `${first} + ${second} DescribeStream calls admitted in ${seconds.toFixed(2)} s; at most ${max}`);
    assert.ok(second < 10, `the second node admitted ${second}: a full bucket of its own`);
  });
});
