// bench/cluster/contention.ts — what two nodes writing one shard cost (issue 20, docs/formats/nats.md
// "Shard logs"): 4 writers append 125 records of 100 B at a time (a PutRecords x500 spread over 4
// shards) to ONE shard for --seconds, first all through one node, then 2 through each of two nodes
// (two connections, two LogStores). Appends of one node that wait behind its publish in flight go out
// as one message; two nodes race for the shard's next sequence and the loser reads the tail and
// publishes again. Prints one JSON line per variant: records/s, JetStream messages stored, conflicts.
//   node --import tsx bench/cluster/contention.ts --servers nats://…,… [--replicas 3] [--seconds 10]
import { parseArgs } from "node:util";
import { connect } from "nats";
import { openNatsLogs, type NatsLogStore } from "../../src/storage/nats/nats-logs.js";
import type { AppendRecord } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const { values: A } = parseArgs({ options: { servers: { type: "string" }, replicas: { type: "string", default: "3" }, seconds: { type: "string", default: "10" } } });
const servers = (A.servers ?? "").split(",");
const seconds = Number(A.seconds);
const streamId = "c0ffee00c0ffee00c0ffee00c0ffee00";
const records: AppendRecord[] = Array.from({ length: 125 }, (_, i) => ({ partitionKey: `key-${i}`, data: Buffer.alloc(100, 0x61 + (i % 26)) }));

async function node(prefix: string, index: number) {
  const nc = await connect({ servers });
  const ctx = { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager(), replicas: Number(A.replicas), prefix, nodeId: `bench-${index}`, clock: systemClock, random: systemRandom, logger: silentLogger };
  return { nc, logs: await openNatsLogs(ctx) };
}

async function variant(name: string, nodeCount: number) {
  const prefix = `contention-${nodeCount}-${systemRandom.bytes(4).toString("hex")}`;
  const nodes = await Promise.all(Array.from({ length: nodeCount }, (_, i) => node(prefix, i)));
  // The stream exists before the clock starts.
  await nodes[0]!.logs.shard(streamId, 0).append(records.slice(0, 1), systemClock.nowMs());
  await new Promise((resolve) => setTimeout(resolve, 200));
  let acked = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const writer = async (logs: NatsLogStore) => {
    const log = logs.shard(streamId, 0);
    while (performance.now() < deadline) {
      const outcome = await log.append(records, systemClock.nowMs());
      if (outcome.ok) acked += records.length;
      else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 4 }, (_, i) => writer(nodes[i % nodeCount]!.logs)));
  const elapsedS = (performance.now() - started) / 1000;
  const counters = nodes.map((open) => open.logs.counters());
  const publishes = counters.reduce((sum, c) => sum + c.publishes, 0) - 1;
  const conflicts = counters.reduce((sum, c) => sum + c.conflicts, 0);
  // Every node's view of the end, once their followers caught up: the first record plus every acknowledged one.
  const ends = () => nodes.map((open) => open.logs.shard(streamId, 0).endOffset());
  for (let waited = 0; waited < 2000 && new Set(ends()).size > 1; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  const end = Math.max(...ends());
  await nodes[0]!.logs.dropStream(streamId);
  for (const open of nodes) {
    await open.logs.close();
    await open.nc.close();
  }
  console.log(JSON.stringify({ tool: "contention", variant: name, nodes: nodeCount, writers: 4, recordsPerAppend: records.length, recordsPerSec: Math.round(acked / elapsedS), appendsPerSec: Math.round(acked / records.length / elapsedS), messagesStored: publishes, recordsPerMessage: Math.round((acked / Math.max(publishes, 1)) * 10) / 10, conflicts, conflictsPerMessage: Math.round((conflicts / Math.max(publishes, 1)) * 100) / 100, failed, dense: end === acked + 1 }));
}

await variant("one node", 1);
await variant("two nodes", 2);
