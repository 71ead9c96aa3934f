/**
 * A second process's handle on the embedded engine's data: a child process holds the engine (and
 * the data directory's lock) and appends; this process follows the same files with a read-only
 * log follower (src/storage/embedded/log/log-follower.ts), whose watch must hear each append and
 * whose reads must return the records the writer wrote — across segment rolls, and after the
 * writer is killed.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openLogFollower } from "../../src/storage/embedded/log/log-follower.js";
import { nodeFs } from "../../src/storage/embedded/fs-port.js";
import { systemClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { waitFor } from "../helpers/wait.js";

const writerScript = fileURLToPath(new URL("./log-writer-process.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const streamId = "f011000000000000000000000000000a";
const t0 = 1_700_000_000_000;
/** Generous: the writer compiles through tsx on a shared, busy machine. */
const writerTimeoutMs = 30_000;

const scratch = mkdtempSync(join(tmpdir(), "tributary-follower-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("storage > embedded > a log follower in another process than the writer", () => {
  it("hears every append the writer process makes and reads its records, across rolls and after the writer dies", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", writerScript, scratch, streamId], { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"] });
    const lines: string[] = [];
    let partial = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    });
    const follower = openLogFollower({ dataDir: scratch, fs: nodeFs, clock: systemClock, logger: silentLogger, pollIntervalMs: 5 });
    try {
      const appendInChild = async (count: number, arrivalMs: number, end: number) => {
        child.stdin!.write(`append ${count} ${arrivalMs}\n`);
        await waitFor(`the writer appends up to ${end}`, () => lines.includes(`appended ${end}`), writerTimeoutMs);
      };
      const log = follower.shard(streamId, 0);
      const heard: number[] = [];
      const watch = log.watch((endOffset) => heard.push(endOffset));
      await appendInChild(2, t0, 2);
      await waitFor("the follower hears the first append", () => heard.at(-1) === 2);
      // 300-byte records in 4 KiB segments: these roll the writer's segment several times.
      for (let batch = 0; batch < 10; batch++) await appendInChild(5, t0 + 1 + batch, 2 + 5 * (batch + 1));
      await waitFor("the follower hears every append", () => heard.at(-1) === 52);
      assert.deepEqual([...heard].sort((a, b) => a - b), heard, "announced ends only grow");
      assert.equal(log.endOffset(), 52);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const records = [];
      for (let offset = 0; offset < 52; ) {
        const page = await log.read(offset, { recordsMax: 9, bytesMax: 1_000_000 });
        records.push(...page.records);
        offset = page.nextOffset;
      }
      assert.deepEqual(records.map((record) => record.offset), Array.from({ length: 52 }, (_, i) => i));
      assert.deepEqual(records.map((record) => record.data.toString().replace(/#+$/, "")), Array.from({ length: 52 }, (_, i) => `record ${i} `));
      assert.equal(await log.offsetAtTime(t0 + 3), 12);
      assert.deepEqual(await log.append([{ partitionKey: "x", data: Buffer.from("x") }], t0), { ok: false, failure: { kind: "closed", message: "a log follower is read-only" } });
      watch.stop();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await follower.close();
    }
  });
});
