/**
 * Crash safety through the real server: `tributary server --storage embedded` (fsync=always) is
 * written to continuously by several clients and killed with SIGKILL at random moments, several
 * times, restarting on the same data directory each time. At the end every acknowledged record
 * must be readable exactly once, in order, intact, at the sequence number it was acknowledged with.
 *
 * The kill moments come from a seed printed on failure; replay with TRIBUTARY_CRASH_SEED=<seed>.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliServer, type CliServer } from "../cli/cli-process.js";
import { ok } from "../helpers/wire-assert.js";
import { sleep } from "../helpers/wait.js";
import { seeded } from "../helpers/seeded.js";

const kills = 4;
const writers = 3;
const shardCount = 4;
const streamName = "crash-test";

/** Record payloads are a pure function of their id, so a reader can tell an intact one. */
function payload(id: string): string {
  let text = `${id}|`;
  let x = 0;
  for (const char of id) x = (Math.imul(x, 31) + char.charCodeAt(0)) >>> 0;
  while (text.length < 64 + (x % 200)) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    text += String.fromCharCode(97 + (x % 26));
  }
  return text;
}

interface Acknowledged {
  shardId: string;
  sequenceNumber: string;
}

async function startServer(dataDir: string): Promise<CliServer> {
  return startCliServer({
    dataDir,
    // Limits off: the writers send far more than a shard's 1,000 records/s, and throttling is not under test here.
    args: ["--port", "0", "--storage", "embedded", "--fsync", "always", "--create-stream-ms", "0", "--limits", "off"],
    env: { TRIBUTARY_LOG_LEVEL: "warn" },
  });
}

/** Writes until the server dies; every record the server acknowledges goes into `acknowledged`. */
async function writeUntilDead(server: CliServer, writer: number, round: number, random: (bound: number) => number, acknowledged: Map<string, Acknowledged>, sent: Set<string>): Promise<void> {
  for (let batch = 0; ; batch++) {
    const count = 1 + random(40);
    const ids = Array.from({ length: count }, (_, i) => `w${writer}r${round}b${batch}i${i}`);
    for (const id of ids) sent.add(id);
    const records = ids.map((id) => ({ Data: Buffer.from(payload(id)).toString("base64"), PartitionKey: `${id}-${random(1000)}` }));
    let body: { Records: { ShardId?: string; SequenceNumber?: string; ErrorCode?: string }[] };
    try {
      body = await ok(server, "PutRecords", { StreamName: streamName, Records: records });
    } catch {
      return;
    }
    body.Records.forEach((entry, i) => {
      if (entry.SequenceNumber && entry.ShardId) acknowledged.set(ids[i]!, { shardId: entry.ShardId, sequenceNumber: entry.SequenceNumber });
    });
  }
}

async function readShard(server: CliServer, shardId: string): Promise<{ id: string; data: string; sequenceNumber: string }[]> {
  const out: { id: string; data: string; sequenceNumber: string }[] = [];
  let iterator = (await ok(server, "GetShardIterator", { StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" })).ShardIterator as string;
  for (let empty = 0; empty < 2; ) {
    const body = await ok(server, "GetRecords", { ShardIterator: iterator, Limit: 10_000 });
    for (const record of body.Records as { Data: string; SequenceNumber: string }[]) {
      const data = Buffer.from(record.Data, "base64").toString("utf8");
      out.push({ id: data.slice(0, data.indexOf("|")), data, sequenceNumber: record.SequenceNumber });
    }
    if (body.Records.length === 0 && body.MillisBehindLatest === 0) empty++;
    iterator = body.NextShardIterator;
  }
  return out;
}

describe("crash > kill -9 under continuous writes", () => {
  it("keeps every acknowledged record exactly once, in order, intact", { timeout: 120_000 }, async () => {
    const seed = Number(process.env.TRIBUTARY_CRASH_SEED ?? Math.floor(performance.now() * 1000) % 2 ** 31);
    const random = seeded(seed);
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-crash-"));
    const acknowledged = new Map<string, Acknowledged>();
    const sent = new Set<string>();
    let server = await startServer(dataDir);
    try {
      await ok(server, "CreateStream", { StreamName: streamName, ShardCount: shardCount });
      for (let round = 0; round < kills; round++) {
        const writing = Array.from({ length: writers }, (_, writer) => writeUntilDead(server, writer, round, random, acknowledged, sent));
        await sleep(300 + random(1200));
        server.child.kill("SIGKILL");
        await server.exited;
        await Promise.all(writing);
        server = await startServer(dataDir);
      }
      const shards = (await ok(server, "ListShards", { StreamName: streamName })).Shards as { ShardId: string }[];
      assert.equal(shards.length, shardCount);
      const seen = new Map<string, number>();
      for (const { ShardId } of shards) {
        const records = await readShard(server, ShardId);
        let previous = -1n;
        for (const record of records) {
          assert.ok(sent.has(record.id), `read a record that was never sent: ${record.id}`);
          assert.equal(record.data, payload(record.id), `record ${record.id} is damaged`);
          const sequence = BigInt(record.sequenceNumber);
          assert.ok(sequence > previous, `shard ${ShardId}: sequence numbers out of order at ${record.id}`);
          previous = sequence;
          seen.set(record.id, (seen.get(record.id) ?? 0) + 1);
          const ack = acknowledged.get(record.id);
          if (ack) {
            assert.equal(ack.shardId, ShardId, `record ${record.id} moved shard`);
            assert.equal(ack.sequenceNumber, record.sequenceNumber, `record ${record.id} changed sequence number`);
          }
        }
      }
      assert.ok(acknowledged.size > kills * 50, `too few acknowledged records (${acknowledged.size}) to prove anything`);
      for (const id of acknowledged.keys()) assert.equal(seen.get(id), 1, `acknowledged record ${id} read ${seen.get(id) ?? 0} times`);
      for (const [id, count] of seen) assert.equal(count, 1, `record ${id} read ${count} times`);
    } catch (error) {
      process.stderr.write(`crash test failed with seed ${seed}; replay with TRIBUTARY_CRASH_SEED=${seed}\n${server.stderr().slice(-2000)}\n`);
      throw error;
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
