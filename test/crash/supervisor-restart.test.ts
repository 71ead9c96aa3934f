/**
 * Restarting the way a supervisor does after a crash: `kill -9` of the server's whole process
 * group, then the same command again on the same data directory and port within 50 ms — many times
 * in a row, through `npx tributary server` (npm → sh → node) and directly through bin/tributary,
 * while writers keep sending PutRecords (fsync always). Every restart must come up (the lock of the
 * dead server never refuses it, whether it is a zombie or its PID was reused), and at the end every
 * acknowledged record is read back exactly once, at the sequence number it was acknowledged with.
 *
 * Needs the build (bin/tributary runs dist/bundle): `npm run build`. The kill moments come from
 * a seed printed on failure; replay with TRIBUTARY_SUPERVISOR_SEED=<seed>.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonCall } from "../helpers/raw.js";
import { ok } from "../helpers/wire-assert.js";
import { freePort, groupMembers, killGroup, startGroupServer, type GroupServer, type LaunchPath } from "../cli/process-group.js";
import { sleep, waitFor } from "../helpers/wait.js";
import { seeded } from "../helpers/seeded.js";

/** The issue asks for 50 through npx; the direct path starts in a third of the time, so fewer suffice there. */
const cyclesByPath: [LaunchPath, number][] = [
  ["npx", 50],
  ["bin/tributary", 20],
];
const restartWithinMs = 50;
const writers = 3;
const recordsPerBatch = 10;
const shardCount = 2;
const streamName = "supervised";
/** Each life of the server lasts until this many batches were acknowledged in it (or the cap). */
const batchesPerLife = 3;
const lifeMsMax = 3_000;

const seed = Number(process.env.TRIBUTARY_SUPERVISOR_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Acknowledged {
  shardId: string;
  sequenceNumber: string;
}

const dataDir = mkdtempSync(join(tmpdir(), "tributary-supervisor-"));
const groups: GroupServer[] = [];
after(() => {
  for (const group of groups) killGroup(group.pgid);
  rmSync(dataDir, { recursive: true, force: true });
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe("crash > supervisor restart", () => {
  it(`crash > supervisor restart > kill -9 of the process group and restart within ${restartWithinMs} ms, ${cyclesByPath.map(([path, cycles]) => `${cycles}× through ${path}`).join(" and ")}, with writers running: every restart comes up, every acknowledged record is read back once (seed ${seed})`, async () => {
    const random = seeded(seed);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serverArgs = ["--port", String(port), "--data-dir", dataDir, "--fsync", "always", "--limits", "off", "--log-level", "warn", "--create-stream-ms", "0"];
    const start = (path: LaunchPath) => {
      const group = startGroupServer(path, serverArgs);
      groups.push(group);
      return group;
    };

    let current = start("bin/tributary");
    await current.ready;
    await ok({ url }, "CreateStream", { StreamName: streamName, ShardCount: shardCount });
    await waitFor("the stream is ACTIVE", async () => (await ok({ url }, "DescribeStreamSummary", { StreamName: streamName })).StreamDescriptionSummary.StreamStatus === "ACTIVE");

    const acknowledged = new Map<string, Acknowledged>();
    const attempted = new Set<string>();
    let batchesThisLife = 0;
    let stopping = false;
    const writer = async (id: number) => {
      for (let n = 0; !stopping; n++) {
        const records = Array.from({ length: recordsPerBatch }, (_, i) => `w${id}-${n}-${i}`);
        for (const record of records) attempted.add(record);
        try {
          const response = await jsonCall(url, "PutRecords", {
            StreamName: streamName,
            Records: records.map((record) => ({ PartitionKey: record, Data: Buffer.from(record).toString("base64") })),
          });
          if (response.statusCode !== 200) continue; // A 500 while storage stops: nothing acknowledged.
          const results = response.body.Records as { SequenceNumber?: string; ShardId?: string; ErrorCode?: string }[];
          results.forEach((result, i) => {
            if (result.ErrorCode === undefined) acknowledged.set(records[i]!, { shardId: result.ShardId!, sequenceNumber: result.SequenceNumber! });
          });
          batchesThisLife++;
        } catch {
          // Refused or reset: the server is down or dying. Try again shortly, as a client would.
          await sleep(10);
        }
      }
    };
    const writing = Promise.all(Array.from({ length: writers }, (_, id) => writer(id)));

    /** Kill to the restart being issued (what a supervisor controls), and to the new process existing. */
    const restartDelaysMs: number[] = [];
    const spawnedDelaysMs: number[] = [];
    const startedMs = performance.now();
    try {
      for (const [path, cycles] of cyclesByPath) {
        for (let cycle = 0; cycle < cycles; cycle++) {
          batchesThisLife = 0;
          const lifeStartedMs = performance.now();
          await waitFor(`writes acknowledged by the server (${path}, cycle ${cycle})`, () => batchesThisLife >= batchesPerLife || performance.now() - lifeStartedMs > lifeMsMax, lifeMsMax + 5_000);
          // Somewhere inside the next writes, not just after one finished.
          await sleep(random(20));
          const killedMs = performance.now();
          killGroup(current.pgid);
          restartDelaysMs.push(performance.now() - killedMs);
          current = start(path);
          // fork+exec of the new command itself: reported, not asserted (the machine's load, not ours).
          spawnedDelaysMs.push(performance.now() - killedMs);
          try {
            await current.ready;
          } catch (error) {
            throw new Error(`restart ${cycle + 1} through ${path} failed (seed ${seed}): ${(error as Error).message}`);
          }
        }
      }
    } finally {
      stopping = true;
      await writing;
    }
    const cyclesMs = performance.now() - startedMs;
    assert.ok(Math.max(...restartDelaysMs) < restartWithinMs, `restarts took up to ${Math.max(...restartDelaysMs).toFixed(1)} ms after the kill`);

    // Read everything back from the last server.
    const seen = new Map<string, Acknowledged[]>();
    for (let shard = 0; shard < shardCount; shard++) {
      const shardId = `shardId-${String(shard).padStart(12, "0")}`;
      let iterator = (await ok({ url }, "GetShardIterator", { StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" })).ShardIterator as string;
      for (;;) {
        const page = await ok({ url }, "GetRecords", { ShardIterator: iterator, Limit: 10_000 });
        for (const record of page.Records as { Data: string; SequenceNumber: string }[]) {
          const id = Buffer.from(record.Data, "base64").toString("utf8");
          seen.set(id, [...(seen.get(id) ?? []), { shardId, sequenceNumber: record.SequenceNumber }]);
        }
        if (page.Records.length === 0 && page.MillisBehindLatest === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    killGroup(current.pgid);
    await current.exited;

    const totalCycles = cyclesByPath.reduce((sum, [, cycles]) => sum + cycles, 0);
    process.stderr.write(
      `supervisor restart: ${totalCycles} kill -9 / restart cycles in ${(cyclesMs / 1000).toFixed(1)} s, new process spawned ${median(spawnedDelaysMs).toFixed(1)} ms (median; max ${Math.max(...spawnedDelaysMs).toFixed(1)}) after the kill; ` +
        `${acknowledged.size} records acknowledged, ${seen.size} read back, ${attempted.size - acknowledged.size} unacknowledged (seed ${seed})\n`,
    );
    assert.ok(acknowledged.size >= totalCycles * batchesPerLife, `only ${acknowledged.size} records acknowledged`);
    for (const [id, copies] of seen) {
      assert.ok(attempted.has(id), `read a record nobody wrote: ${id}`);
      assert.equal(copies.length, 1, `${id} read ${copies.length} times (seed ${seed})`);
    }
    for (const [id, ack] of acknowledged) {
      assert.deepEqual(seen.get(id), [ack], `acknowledged ${id} at ${ack.shardId} ${ack.sequenceNumber} (seed ${seed})`);
    }
    for (const group of groups) assert.deepEqual(groupMembers(group.pgid), [], `nothing left of process group ${group.pgid}`);
  });
});
