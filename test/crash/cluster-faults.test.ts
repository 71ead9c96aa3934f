/**
 * Cluster mode under faults (issue 20, docs/cluster.md): a real 3-server NATS JetStream cluster on
 * loopback and two `tributary server --storage nats` nodes (test/helpers/cluster.ts). Writers
 * send PutRecords continuously through both nodes — several partition keys each, every key's
 * records numbered by its writer — while, one scenario after the other:
 *   (a) the NATS server leading the Kinesis stream's JetStream stream is killed with SIGKILL, and
 *       later started again on its store;
 *   (b) a Tributary node's process group is killed with SIGKILL, and later started again;
 *   (c) the NATS server leading the catalog's bucket is restarted (SIGKILL, then started at once).
 * After each, the writers stop and the whole stream is read through a node, every shard from
 * TRIM_HORIZON in lineage order: every record ever acknowledged is there exactly once, on the
 * shard and at the sequence number it was acknowledged with, each key's acknowledged records in
 * the key's order; nothing is read that was never sent. (A record whose call failed may be stored
 * anyway: it is an unacknowledged copy, which Kinesis's at-least-once contract allows.) An
 * acknowledged record that a killed leader took with it would be missing here: JetStream
 * acknowledges a publish once a quorum of the stream's replicas holds it.
 *
 * Each scenario waits for progress by counts (records acknowledged), never by time; the waits are
 * bounded guards against hanging.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { KeyedWriter, readStreamWithLineage, recordProblems, startCluster, type TributaryCluster } from "../helpers/cluster.js";
import { exampleCredentials } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";

const region = "us-east-1";
const streamName = "cluster-faults";
const shardCount = 4;
/** The engine's default prefix: JetStream names start `tributary-` (docs/formats/nats.md). */
const prefix = "tributary";
/** Records acknowledged before a fault, after it, and after the repair, in each scenario. */
const progressEach = 150;

let cluster: TributaryCluster;
let clients: KinesisClient[] = [];
let writer: KeyedWriter;

before(async () => {
  cluster = await startCluster({ nodes: 2 });
  clients = cluster.nodes.map((node) => new KinesisClient({ endpoint: node.url, region, credentials: exampleCredentials, maxAttempts: 2 }));
  await clients[0]!.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  for (const client of clients) await waitUntilActive(client, streamName);
  writer = new KeyedWriter({ clients, streamName, writers: 4, keysPerWriter: 5, retryPauseMs: 100, explain: () => cluster.describe() });
});

after(async () => {
  await writer?.stop();
  for (const client of clients) client.destroy();
  await cluster?.stop();
});

/**
 * The JetStream stream holding the Kinesis stream's shards: the one log stream of this cluster
 * (`<prefix>-log-<stream id>`, docs/formats/nats.md); the test makes one Kinesis stream only.
 */
async function logStreamName(): Promise<string> {
  const jsm = await (await cluster.nats.connection()).jetstreamManager();
  const names: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(`${prefix}-log-`)) names.push(name);
  assert.equal(names.length, 1, `one JetStream log stream expected, found: ${names.join(", ")}`);
  return names[0]!;
}

/**
 * Stops the writers and checks every record read through node `through`. A node learns of other
 * nodes' appends through its watch, a moment later (docs/cluster.md): a record acknowledged by
 * the other node may be missing from a read made at once, so a read that misses records is
 * repeated a few times before the check fails; any other problem fails at once.
 */
async function checkRecords(phase: string, through = 0): Promise<void> {
  await writer.stop();
  assert.ok(writer.acknowledged.size > 0, `${phase}: nothing was acknowledged`);
  let problems: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    problems = recordProblems(await readStreamWithLineage(clients[through]!, streamName), writer);
    if (problems.length === 0 || !problems.every((problem) => / read 0 times$/.test(problem))) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.deepEqual(problems.slice(0, 20), [], `${phase}: ${problems.length} problems among ${writer.acknowledged.size} acknowledged records; writer failures: ${writer.describeFailures()}${cluster.describe()}`);
}

describe("crash > cluster > faults under continuous writes through both nodes", () => {
  it("(a) kill -9 of the NATS server leading the stream: every acknowledged record survives, once, in key order", { timeout: 90_000 }, async () => {
    writer.start();
    await writer.progress(progressEach, "writes before the kill");
    const leader = await cluster.nats.streamLeader(await logStreamName());
    await cluster.nats.kill(leader);
    await writer.progress(progressEach, `writes with ${cluster.nats.servers[leader]!.name} (the stream's leader) killed`);
    await cluster.nats.restart(leader);
    await writer.progress(progressEach, `writes after ${cluster.nats.servers[leader]!.name} came back`);
    await checkRecords("(a)");
  });

  it("(b) kill -9 of a Tributary node: the other node goes on, the node comes back, nothing acknowledged is lost", { timeout: 90_000 }, async () => {
    writer.start();
    await writer.progress(progressEach, "writes before the node's kill");
    await cluster.killNode(1);
    await writer.progress(progressEach, "writes through node A alone");
    await cluster.restartNode(1);
    await writer.progress(progressEach, "writes through both nodes again");
    // Read through the node that was killed: what it serves after its restart is the cluster's.
    await checkRecords("(b)", 1);
  });

  it("(c) restart of the NATS server leading the catalog: writes go on, nothing acknowledged is lost", { timeout: 90_000 }, async () => {
    writer.start();
    await writer.progress(progressEach, "writes before the restart");
    const leader = await cluster.nats.streamLeader(`KV_${prefix}-catalog`);
    await cluster.nats.restart(leader);
    await writer.progress(progressEach, `writes after ${cluster.nats.servers[leader]!.name} (the catalog's leader) restarted`);
    await checkRecords("(c)");
  });
});
