/**
 * The on-demand scaler across two nodes (src/streams/limits/cluster-rates.ts,
 * on-demand-scaler.ts): two servers over one memory engine (test/cluster/cluster-helpers.ts), joined
 * by an in-process peer hub, on one ManualClock. Each node takes 450 records a second on shard 0 —
 * 45% of its limit, never enough alone — and each node's meters count both nodes' writes, so both
 * scalers see 90% and decide to split. Their ticks run at once, and one split takes effect: the
 * other's change meets the stream already resharded (its compare-and-set on the catalog entry
 * conflicts, or its copy already shows the new shards) and does nothing.
 * Without the reports, each scaler sees 45% and nothing splits.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryEngine } from "../../src/storage/index.js";
import { createPeerHub } from "../../src/storage/peer-bus.js";
import { ManualClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import type { OnDemandScaler } from "../../src/streams/limits/index.js";
import { randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { ok } from "../helpers/wire-assert.js";
import { nodeEngine } from "../cluster/cluster-helpers.js";

const shardId = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const quarter = 1n << 126n;

describe("limits > on-demand scaling across two nodes", () => {
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const shared = createMemoryEngine(systemRandom);
  const hub = createPeerHub();
  const streamName = randomStreamName("cluster-on-demand");
  let servers: TestServer[];
  let scalers: OnDemandScaler[];

  before(async () => {
    servers = [];
    for (const nodeId of ["a", "b"]) {
      const engine = { ...nodeEngine(shared).engine, peers: hub.join(nodeId) };
      servers.push(await startTestServer({ clock, limits: "aws", storage: engine }));
    }
    scalers = servers.map((server) => server.app!.streams.onDemandScaler!);
    // The test ticks the scalers itself, both at once.
    for (const scaler of scalers) await scaler.stop();
    await ok(servers[0]!, "CreateStream", { StreamName: streamName, StreamModeDetails: { StreamMode: "ON_DEMAND" } });
    await clock.advanceAsync(1000);
  });
  after(async () => {
    for (const server of servers) await server.stop();
  });

  async function writeOneSecond(second: number): Promise<void> {
    await Promise.all(
      servers.map(async (server, node) => {
        const records = Array.from({ length: 450 }, (_, offset) => ({
          PartitionKey: "k",
          ExplicitHashKey: ((BigInt(node * 450 + offset) * quarter) / 900n).toString(),
          Data: Buffer.from(`${second}-${node}-${offset}`).toString("base64"),
        }));
        const body = await ok(server, "PutRecords", { StreamName: streamName, Records: records });
        assert.equal(body.FailedRecordCount, 0, "writes at 90% of the limit in total are never throttled");
      }),
    );
  }

  async function shardsOf(server: TestServer): Promise<{ ShardId: string; SequenceNumberRange: { EndingSequenceNumber?: string } }[]> {
    return (await ok(server, "ListShards", { StreamName: streamName })).Shards;
  }

  it("splits a shard both nodes write at 45% of its limit, once", async () => {
    for (let second = 0; second < 32; second++) {
      await writeOneSecond(second);
      // The reports go out every 50 ms of the clock; the hub delivers them on the next turn.
      await clock.advanceAsync(1000);
      await Promise.all(scalers.map((scaler) => scaler.tick()));
    }
    await clock.advanceAsync(1000);
    for (const server of servers) {
      const shards = await shardsOf(server);
      const open = shards.filter((shard) => shard.SequenceNumberRange.EndingSequenceNumber === undefined).map((shard) => shard.ShardId);
      assert.deepEqual(open, [1, 2, 3, 4, 5].map(shardId), "shard 0 split in two, once");
      assert.deepEqual(shards.map((shard) => shard.ShardId), [0, 1, 2, 3, 4, 5].map(shardId));
    }
  });
});
