/**
 * Cluster mode under faults (issue 20, docs/cluster.md): a real 3-server NATS JetStream cluster on
 * loopback and two `tributary server --storage nats` nodes (test/helpers/cluster.ts). Writers
 * send PutRecords continuously through both nodes — several partition keys each, every key's
 * records numbered by its writer — while, one scenario after the other:
 *   (a) the NATS server leading the Kinesis stream's JetStream stream is killed with SIGKILL, and
 *       later started again on its store; then one of the two servers that stayed up is killed,
 *       so what was acknowledged during the first outage must be on the server that came back;
 *   (b) a Tributary node's process group is killed with SIGKILL, and later started again;
 *   (c) the NATS server leading the catalog's bucket is restarted (SIGKILL, then started at once);
 *   (d) node A is asked to split a shard and killed with SIGKILL right after it answers: node B
 *       alone serves the writes (the split completes; nothing is acknowledged on the parent past
 *       its end), then node A is started again.
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
import { CreateStreamCommand, KinesisClient, ListShardsCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { activeThrough, KeyedWriter, readAndCheck, startCluster, type TributaryCluster } from "../helpers/cluster.js";
import { exampleCredentials } from "../helpers/server.js";

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
  for (const client of clients) await activeThrough(client, streamName);
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

function serverName(index: number): string {
  return cluster.nats.servers[index]!.name;
}

/** How much was written so far and what failed on the way (a failed call is retried through the other node). */
function summary(): string {
  return `${writer.acknowledged.size} records acknowledged (${writer.sent.size} sent); failed calls and entries: ${writer.describeFailures()}`;
}

/**
 * Stops the writers and checks every record read through node `through` (readAndCheck: a read
 * that misses only the newest records is repeated for a few seconds, as a node learns of the
 * other node's appends a moment later); on a failure, says what the other node reads.
 */
async function checkRecords(phase: string, through = 0): Promise<void> {
  await writer.stop();
  assert.ok(writer.acknowledged.size > 0, `${phase}: nothing was acknowledged`);
  const { problems } = await readAndCheck(clients[through]!, streamName, writer);
  if (problems.length > 0) {
    // Say whether the other node sees the same: a node's stale view, or the cluster's loss.
    const other = (await readAndCheck(clients[1 - through]!, streamName, writer)).problems;
    problems.push(`through node ${"AB"[1 - through]}: ${other.length} problems${other.length > 0 ? `, the first: ${other.slice(0, 3).join("; ")}` : ""}`);
  }
  assert.deepEqual(problems.slice(-21), [], `${phase}: ${problems.length} problems among ${writer.acknowledged.size} acknowledged records; writer failures: ${writer.describeFailures()}${cluster.describe()}`);
}

describe("crash > cluster > faults under continuous writes through both nodes", () => {
  it("(a) kill -9 of the NATS server leading the stream: every acknowledged record survives, once, in key order", { timeout: 90_000 }, async (t) => {
    writer.start();
    await writer.progress(progressEach, "writes before the kill");
    const logStream = await logStreamName();
    // Three replicas (--nats-replicas auto on three servers): an acknowledgement means two of them hold the records.
    const jsm = await (await cluster.nats.connection()).jetstreamManager();
    assert.equal((await jsm.streams.info(logStream)).config.num_replicas, 3);
    const leader = await cluster.nats.streamLeader(logStream);
    await cluster.nats.kill(leader);
    await writer.progress(progressEach, `writes with ${serverName(leader)} (the stream's leader) killed`);
    await cluster.nats.restart(leader);
    await writer.progress(progressEach, `writes after ${serverName(leader)} came back`);
    await checkRecords("(a) after the leader's kill and return");
    // What was acknowledged while the old leader was down is on the two others; one of them now
    // goes: the records must be on the returned server as well (it caught up), a quorum with the third.
    const newLeader = await cluster.nats.streamLeader(logStream);
    const stayedUp = newLeader !== leader ? newLeader : [0, 1, 2].find((index) => index !== leader)!;
    await cluster.nats.kill(stayedUp);
    writer.start();
    await writer.progress(progressEach, `writes with ${serverName(stayedUp)} killed`);
    await checkRecords(`(a) with ${serverName(stayedUp)}, which stayed up through the first kill, killed`);
    await cluster.nats.restart(stayedUp);
    t.diagnostic(summary());
  });

  it("(b) kill -9 of a Tributary node: the other node goes on, the node comes back, nothing acknowledged is lost", { timeout: 90_000 }, async (t) => {
    writer.start();
    await writer.progress(progressEach, "writes before the node's kill");
    await cluster.killNode(1);
    await writer.progress(progressEach, "writes through node A alone");
    await cluster.restartNode(1);
    await writer.progress(progressEach, "writes through both nodes again");
    // Read through the node that was killed: what it serves after its restart is the cluster's.
    await checkRecords("(b)", 1);
    t.diagnostic(summary());
  });

  it("(c) restart of the NATS server leading the catalog: writes go on, nothing acknowledged is lost", { timeout: 90_000 }, async (t) => {
    writer.start();
    await writer.progress(progressEach, "writes before the restart");
    const leader = await cluster.nats.streamLeader(`KV_${prefix}-catalog`);
    await cluster.nats.restart(leader);
    await writer.progress(progressEach, `writes after ${cluster.nats.servers[leader]!.name} (the catalog's leader) restarted`);
    await checkRecords("(c)");
    t.diagnostic(summary());
  });

  it("(d) kill -9 of the node that was just asked to split a shard: the split completes, the parent is fenced, nothing acknowledged is lost", { timeout: 90_000 }, async (t) => {
    writer.start();
    await writer.progress(progressEach, "writes before the split");
    const parent = (await clients[1]!.send(new ListShardsCommand({ StreamName: streamName }))).Shards!.find((shard) => shard.ShardId === "shardId-000000000001")!;
    const { StartingHashKey, EndingHashKey } = parent.HashKeyRange!;
    const middle = (BigInt(StartingHashKey!) + BigInt(EndingHashKey!) + 1n) / 2n;
    await clients[0]!.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: parent.ShardId!, NewStartingHashKey: middle.toString() }));
    await cluster.killNode(0);
    // The other node finishes what the dead one started (or it was finished before the kill).
    await activeThrough(clients[1]!, streamName);
    await writer.progress(progressEach, "writes through node B alone after the split");
    await cluster.restartNode(0);
    await writer.progress(progressEach, "writes through both nodes after node A's restart");
    await checkRecords("(d)");
    const shards = (await clients[0]!.send(new ListShardsCommand({ StreamName: streamName }))).Shards!;
    const children = shards.filter((shard) => shard.ParentShardId === parent.ShardId).map((shard) => shard.ShardId!);
    assert.equal(children.length, 2, `the split's children: ${JSON.stringify(shards)}`);
    const closed = shards.find((shard) => shard.ShardId === parent.ShardId)!;
    assert.ok(closed.SequenceNumberRange?.EndingSequenceNumber !== undefined, "the parent is closed");
    // No record acknowledged on the parent after its end: the fence held (checkRecords read each one within the parent's range).
    const parentEnd = BigInt(closed.SequenceNumberRange!.EndingSequenceNumber!);
    const late = [...writer.acknowledged.values()].filter((record) => record.shardId === parent.ShardId && BigInt(record.sequenceNumber) > parentEnd);
    assert.deepEqual(late.map((record) => `${KeyedWriter.id(record.key, record.n)} ${record.sequenceNumber}`), [], "acknowledged on the parent after its end");
    assert.ok([...writer.acknowledged.values()].some((record) => children.includes(record.shardId)), "records were written to the children");
    t.diagnostic(summary());
  });
});
