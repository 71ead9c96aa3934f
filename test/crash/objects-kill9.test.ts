/**
 * Crash safety of the embedded object store under kill -9: a child process (objects-writer.ts)
 * writes blobs and commits objects from several concurrent writers, reporting each acknowledged
 * commit; its process group is killed with SIGKILL at a random moment, the data directory is
 * reopened here, and then: every acknowledged object reads back byte-exact (or the in-flight write
 * that followed it on the same key, whole), nothing half-written is visible, and the blob files on
 * disk are exactly those the records name that are not inline — open removed every orphan. A
 * third of the objects are small (inline blobs, carried by their journal frames, spilled to files
 * past a low budget). Several rounds on one data directory.
 *
 * The kill moments come from a seed printed on failure; replay with TRIBUTARY_CRASH_SEED=<seed>.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmbeddedEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { sleep, waitFor } from "../helpers/wait.js";
import { objectPayload, objectsInlineBudgetBytes } from "./objects-payload.js";
import { EmbeddedObjectStore } from "../../src/storage/embedded/objects/embedded-objects.js";

const writerScript = fileURLToPath(new URL("./objects-writer.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const rounds = 4;
/** Generous: the writer compiles through tsx on a shared, busy machine. */
const startTimeoutMs = 60_000;

/** What a key may hold: its last acknowledged state, and the write in flight after it (if any). */
interface KeyState {
  acknowledged: { id: string; sizeBytes: number } | undefined;
  inFlight: { id: string; sizeBytes: number } | undefined | "delete";
}

function apply(states: Map<string, KeyState>, line: string): void {
  const [verb, op, key, id, size] = line.split(" ");
  if (key === undefined || (verb !== "try" && verb !== "ack")) return;
  const state = states.get(key) ?? { acknowledged: undefined, inFlight: undefined };
  states.set(key, state);
  const value = op === "put" ? { id: id!, sizeBytes: Number(size) } : undefined;
  if (verb === "try") state.inFlight = value ?? "delete";
  else {
    state.acknowledged = value;
    state.inFlight = undefined;
  }
}

async function runAndKill(dataDir: string, round: number, killAfterMs: number): Promise<{ lines: string[]; acks: number }> {
  // detached: the child leads a process group of its own, which is what we kill.
  const child = spawn(process.execPath, ["--import", "tsx", writerScript, dataDir, String(round)], { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    await waitFor("the writer opens the engine", () => lines.includes("ready"), startTimeoutMs);
    await sleep(killAfterMs);
    await waitFor("the writer acknowledges some writes", () => lines.some((line) => line.startsWith("ack ")), startTimeoutMs);
  } finally {
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  }
  // A line the kill cut short was never acknowledged.
  return { lines, acks: lines.filter((line) => line.startsWith("ack ")).length };
}

async function verify(engine: StorageEngine, dataDir: string, states: Map<string, KeyState>): Promise<{ inline: number; files: number; spilled: number }> {
  const listed = await engine.objects.listObjects("crash", { limit: 100_000 });
  const found = new Map(listed.map((entry) => [entry.key, entry]));
  for (const [key, state] of states) {
    const entry = found.get(key);
    const allowed = [state.acknowledged, ...(state.inFlight === undefined ? [] : [state.inFlight === "delete" ? undefined : state.inFlight])];
    if (entry === undefined) {
      assert.ok(allowed.includes(undefined), `${key} is gone, though acknowledged as ${state.acknowledged?.id}`);
      state.acknowledged = undefined;
      state.inFlight = undefined;
      continue;
    }
    const id = String(entry.record.meta.id);
    const expected = allowed.find((value) => value?.id === id);
    assert.ok(expected !== undefined, `${key} holds ${id}, which is neither its acknowledged ${state.acknowledged?.id} nor its in-flight write`);
    const chunks: Buffer[] = [];
    for (const blob of entry.record.blobs) for await (const chunk of engine.objects.readBlob(blob)) chunks.push(chunk);
    assert.ok(Buffer.concat(chunks).equals(objectPayload(id, expected.sizeBytes)), `${key} (${id}) does not read back byte-exact`);
    state.acknowledged = expected;
    state.inFlight = undefined;
  }
  for (const key of found.keys()) assert.ok(states.has(key), `${key} was never written`);
  assert.ok(engine.objects instanceof EmbeddedObjectStore);
  const inline = engine.objects.inlineBlobIds();
  const named = listed.flatMap((entry) => entry.record.blobs.map((blob) => blob.blobId));
  const namedFiles = new Set(named.filter((blobId) => !inline.has(blobId)));
  const blobsDir = join(dataDir, "objects/blobs");
  const onDisk = readdirSync(blobsDir).flatMap((shard) => readdirSync(join(blobsDir, shard)));
  assert.deepEqual(onDisk.sort(), [...namedFiles].sort(), "the blob files are exactly the named blobs that are not inline: no orphan survived the open");
  assert.deepEqual(readdirSync(join(dataDir, "objects/tmp")), []);
  // Small blob files were inline once: spilled by a compaction past the budget.
  const spilled = listed.flatMap((entry) => entry.record.blobs).filter((blob) => namedFiles.has(blob.blobId) && blob.sizeBytes <= 64 * 1024).length;
  return { inline: named.length - namedFiles.size, files: namedFiles.size, spilled };
}

describe("crash > objects > kill -9 during concurrent writes", () => {
  it("keeps every acknowledged object byte-exact, shows nothing half-written and leaves no orphan blob", { timeout: 300_000 }, async () => {
    const seed = Number(process.env.TRIBUTARY_CRASH_SEED ?? systemRandom.bytes(4).readUInt32LE(0));
    const random = new SeededRandom(seed);
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-objects-kill9-"));
    const states = new Map<string, KeyState>();
    try {
      for (let round = 0; round < rounds; round++) {
        const { lines, acks } = await runAndKill(dataDir, round, 200 + random.int(1500));
        for (const line of lines) apply(states, line);
        const engine = await createEmbeddedEngine({
          dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(round), logger: silentLogger, accountId: "111122223333", objectInlineBudgetBytes: objectsInlineBudgetBytes,
        });
        let blobs: { inline: number; files: number; spilled: number };
        try {
          blobs = await verify(engine, dataDir, states);
        } finally {
          await engine.close();
        }
        assert.ok(acks > 0);
        process.stdout.write(`# round ${round}: ${acks} writes acknowledged before the kill, ${states.size} keys checked (${blobs.inline} inline blobs, ${blobs.files} blob files of which ${blobs.spilled} small ones spilled)\n`);
      }
    } catch (error) {
      process.stderr.write(`objects kill -9 seed ${seed} failed; replay with TRIBUTARY_CRASH_SEED=${seed}\n`);
      throw error;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
