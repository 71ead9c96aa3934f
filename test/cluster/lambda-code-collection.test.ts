/**
 * Lambda's code collection across nodes sharing one engine: a node's pins are in its memory, so a
 * zip pinned through node A (stored, its function record not committed yet) must survive a
 * collection through node B that finds no record naming it. Each node is an ObjectCodeStore of its
 * own over one shared object store, with one manual clock and a reference scan the test answers.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { codeBucketName, codePinGraceMs, ObjectCodeStore } from "../../src/lambda/code-store.js";
import { createMemoryEngine } from "../../src/storage/memory/memory-engine.js";
import type { CasOutcome, Expectation, ObjectStore, WriteOutcome } from "../../src/storage/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { systemRandom } from "../../src/util/random.js";
import { zipOf } from "../helpers/zip.js";

const accountId = "000000000000";
const zip = (marker: string) => zipOf({ "index.mjs": `export const handler = async () => ${JSON.stringify(marker)};\n` });

async function twoNodes() {
  const objects = createMemoryEngine(systemRandom).objects;
  const clock = new ManualClock(1_700_000_000_000);
  /** The keys the account's records name: what a committed function record adds. */
  const named = new Set<string>();
  let holdDelete: Promise<void> | undefined;
  let deletesHeld = 0;
  // Node B's deletions may be held, to let node A act between B's judgement and its deletion.
  const objectsOfB: ObjectStore = Object.create(objects, {
    deleteObject: {
      value: async (bucket: string, key: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> => {
        if (holdDelete !== undefined) {
          deletesHeld++;
          await holdDelete;
        }
        return expect === undefined ? objects.deleteObject(bucket, key) : objects.deleteObject(bucket, key, expect);
      },
    },
  });
  const references = async () => new Set(named);
  const a = new ObjectCodeStore(objects, clock, "us-east-1", references, silentLogger, "node-a");
  const b = new ObjectCodeStore(objectsOfB, clock, "us-east-1", references, silentLogger, "node-b");
  await a.open();
  await b.open();
  const exists = async (key: string) => (await objects.getObject(codeBucketName, key)) !== undefined;
  return {
    a,
    b,
    clock,
    named,
    exists,
    deletesHeld: () => deletesHeld,
    holdDeletes() {
      let release!: () => void;
      holdDelete = new Promise((resolve) => (release = resolve));
      return () => {
        holdDelete = undefined;
        release();
      };
    },
  };
}

describe("cluster > lambda code collection", () => {
  it("a zip node A stored for a function not committed yet survives node B's collection", async () => {
    const { a, b, named, exists } = await twoNodes();
    const lease = a.lease(accountId);
    const code = await a.putZip(lease, zip("in flight"));
    await b.collect(accountId, [code.objectKey]);
    assert.ok(await exists(code.objectKey), "node B deleted a zip node A holds");
    named.add(code.objectKey);
    lease.release();
    await b.collect(accountId, [code.objectKey]);
    assert.ok(await exists(code.objectKey));
  });

  it("a zip stored long ago, found again by node A's creation, survives node B's collection", async () => {
    const { a, b, clock, exists } = await twoNodes();
    const first = b.lease(accountId);
    const code = await b.putZip(first, zip("old"));
    first.release();
    clock.advance(codePinGraceMs * 2);
    const second = a.lease(accountId);
    await a.putZip(second, zip("old"));
    await b.collect(accountId, [code.objectKey]);
    assert.ok(await exists(code.objectKey));
    second.release();
  });

  it("node A marking the zip between node B's judgement and its deletion makes the deletion a conflict", async () => {
    const { a, b, clock, exists, holdDeletes, deletesHeld } = await twoNodes();
    const first = a.lease(accountId);
    const code = await a.putZip(first, zip("raced"));
    first.release();
    clock.advance(codePinGraceMs * 2);
    // B finds the zip unreferenced and its mark old, and is about to delete it…
    const release = holdDeletes();
    const collecting = b.collect(accountId, [code.objectKey]);
    await waitForValue(async () => deletesHeld() === 1);
    // …when a creation through A finds it stored and marks it.
    const second = a.lease(accountId);
    await a.putZip(second, zip("raced"));
    release();
    await collecting;
    assert.ok(await exists(code.objectKey));
    second.release();
  });

  it("an unreferenced zip another node marked is collected once its mark is older than the grace period", async () => {
    const { a, b, clock, exists } = await twoNodes();
    const lease = a.lease(accountId);
    const code = await a.putZip(lease, zip("abandoned"));
    lease.release();
    await b.collect(accountId, [code.objectKey]);
    assert.ok(await exists(code.objectKey), "too young to collect through node B");
    await clock.advanceAsync(codePinGraceMs + 1_000);
    await waitForValue(async () => !(await exists(code.objectKey)));
  });

  it("one node alone collects its own zips at once", async () => {
    const { a, exists } = await twoNodes();
    const lease = a.lease(accountId);
    const code = await a.putZip(lease, zip("alone"));
    lease.release();
    await a.collect(accountId, [code.objectKey]);
    assert.equal(await exists(code.objectKey), false);
  });
});

async function waitForValue(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail("the condition did not hold");
}
