/**
 * The NATS engine's tables and objects parts (src/storage/nats/nats-tables.ts, nats-objects.ts)
 * as two Tributary nodes see them: two connections to one real JetStream server (test/helpers/nats.ts),
 * each with the parts opened on it under one prefix. What the shared case suites
 * (test/e2e/storage-nats.test.ts) cannot show with one handle: compare-and-sets that meet across
 * nodes, another node's acknowledged writes reaching a node's reads within a bounded wait
 * (`crossNodeWaitMs`, docs/formats/nats.md "Tables"), drops seen everywhere, awkward item keys
 * kept exactly and in order, a 64 MiB object streamed in and read back in ranges, and the blob
 * grace period and sweep on an injected clock.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { waitFor } from "../helpers/wait.js";
import type { NatsContext } from "../../src/storage/nats/nats-context.js";
import { openNatsTables } from "../../src/storage/nats/nats-tables.js";
import { markerTtlMs } from "../../src/storage/nats/nats-tables-kv.js";
import { openNatsObjects, orphanGraceMs, releaseGraceMs } from "../../src/storage/nats/nats-objects.js";
import { blobChunkBytes, blobsStreamName } from "../../src/storage/nats/nats-objects-blobs.js";
import { itemKeyBytesMax } from "../../src/storage/nats/nats-tables-keys.js";
import type { BlobRef, ObjectStore, TableMeta, TableStore } from "../../src/storage/types.js";
import { ManualClock, systemClock, type Clock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

/** How long a node may take to see another node's acknowledged write (a guard; on loopback it takes milliseconds). */
const crossNodeWaitMs = 5_000;
const account = "111122223333";
const t0 = 1_700_000_000_000;

let nats: NatsCluster;
const connections: NatsConnection[] = [];
let prefixCount = 0;
let seed = 0;

before(async () => {
  nats = await startNats();
});
after(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await nats.stop();
});

/** A node: a connection of its own and the context its parts share. */
async function node(prefix: string, clock: Clock = systemClock): Promise<NatsContext> {
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  const random = new SeededRandom(++seed);
  return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager(), replicas: 1, prefix, nodeId: `node${seed}`, clock, random, logger: silentLogger };
}

function freshPrefix(): string {
  return `to${process.pid}-${++prefixCount}`;
}

function tableMeta(name: string, tableId: string, accountId = account): TableMeta {
  return { tableId, accountId, TableName: name, createdAtMs: t0, definition: { service: "test" } };
}

async function twoTableNodes(): Promise<[TableStore & { close(): Promise<void> }, TableStore & { close(): Promise<void> }]> {
  const prefix = freshPrefix();
  const a = await openNatsTables(await node(prefix));
  const b = await openNatsTables(await node(prefix));
  return [a, b];
}

async function* chunksOf(bytes: Buffer, chunkBytes: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

async function readAll(store: ObjectStore, blob: BlobRef, start?: number, end?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of store.readBlob(blob, start, end)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The bytes of a 64 MiB-scale object made on the fly: position-dependent, so a wrong range shows. */
async function* patternedSource(sizeBytes: number, pieceBytes: number, pulled: { bytes: number }): AsyncIterable<Uint8Array> {
  for (let at = 0; at < sizeBytes; at += pieceBytes) {
    const piece = Buffer.alloc(Math.min(pieceBytes, sizeBytes - at));
    for (let offset = 0; offset + 4 <= piece.length; offset += 4) piece.writeUInt32BE((at + offset) >>> 0, offset);
    pulled.bytes += piece.length;
    yield piece;
  }
}

function patternedRange(start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start);
  for (let at = start - (start % 4); at < end; at += 4) {
    const word = Buffer.alloc(4);
    word.writeUInt32BE(at >>> 0);
    for (let byte = 0; byte < 4; byte++) if (at + byte >= start && at + byte < end) out[at + byte - start] = word[byte]!;
  }
  return out;
}

describe("nats tables > two nodes", () => {
  it("a table and an item written through one node reach the other's reads once acknowledged", async () => {
    const [a, b] = await twoTableNodes();
    try {
      assert.deepEqual(await a.create(tableMeta("shared", "00000000-0000-4000-8000-000000000001")), { ok: true });
      await waitFor("node B sees the table", async () => (await b.get(account, "shared")) !== undefined, crossNodeWaitMs);
      assert.deepEqual(await b.list(account), [tableMeta("shared", "00000000-0000-4000-8000-000000000001")]);
      const id = "00000000-0000-4000-8000-000000000001";
      assert.deepEqual(await a.putItem(id, { key: "k1", value: "from A" }), { ok: true });
      // Node A reads its own acknowledged write at once; node B within the bound.
      assert.deepEqual(await a.scan(id, undefined, 10), [{ key: "k1", value: "from A" }]);
      await waitFor("node B's scan sees node A's item", async () => (await b.scan(id, undefined, 10)).length === 1, crossNodeWaitMs);
      assert.deepEqual(await b.scan(id, undefined, 10), [{ key: "k1", value: "from A" }]);
      assert.deepEqual(await b.stats(id), { itemCount: 1, sizeBytes: 2 + "from A".length });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("of two nodes' compare-and-sets from one revision exactly one wins; the loser's conflict names the winner's revision and its next read is current", async () => {
    const [a, b] = await twoTableNodes();
    try {
      const id = "00000000-0000-4000-8000-000000000002";
      await a.create(tableMeta("cas", id));
      const created = await a.putItem(id, { key: "k", value: "v0" }, { expectedRevision: "absent" });
      assert.ok(created.ok && "revision" in created);
      await waitFor("node B sees the item", async () => (await b.getVersionedItem(id, "k"))?.revision === created.revision, crossNodeWaitMs);
      const [fromA, fromB] = await Promise.all([
        a.putItem(id, { key: "k", value: "A" }, { expectedRevision: created.revision }),
        b.putItem(id, { key: "k", value: "B" }, { expectedRevision: created.revision }),
      ]);
      const outcomes = [fromA, fromB];
      const winner = outcomes.findIndex((outcome) => outcome.ok);
      assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
      const won = outcomes[winner]!;
      assert.ok(won.ok && "revision" in won);
      assert.deepEqual(outcomes[1 - winner], { ok: false, conflict: { revision: won.revision } });
      // The loser's copy was brought up to the winner's write by the conflict: no waiting.
      const loser = winner === 0 ? b : a;
      assert.deepEqual(await loser.getVersionedItem(id, "k"), { value: winner === 0 ? "A" : "B", revision: won.revision });
      // Creations expecting absence from both nodes: one wins.
      const races = await Promise.all([a.putItem(id, { key: "new", value: "A" }, { expectedRevision: "absent" }), b.putItem(id, { key: "new", value: "B" }, { expectedRevision: "absent" })]);
      assert.equal(races.filter((outcome) => outcome.ok).length, 1);
      assert.ok(races.some((outcome) => !outcome.ok && "conflict" in outcome));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("racing read-modify-writes through both nodes each land once", async () => {
    const [a, b] = await twoTableNodes();
    try {
      const id = "00000000-0000-4000-8000-000000000003";
      await a.create(tableMeta("counter", id));
      await a.putItem(id, { key: "n", value: "0" });
      await waitFor("node B sees the counter", async () => (await b.getItem(id, "n")) === "0", crossNodeWaitMs);
      let conflicts = 0;
      const increment = async (tables: TableStore) => {
        for (;;) {
          const read = (await tables.getVersionedItem(id, "n"))!;
          const outcome = await tables.putItem(id, { key: "n", value: String(Number(read.value) + 1) }, { expectedRevision: read.revision });
          if (outcome.ok) return;
          assert.ok("conflict" in outcome, "a conflict, not a failure");
          conflicts++;
        }
      };
      await Promise.all([...Array.from({ length: 10 }, () => increment(a)), ...Array.from({ length: 10 }, () => increment(b))]);
      await waitFor("both nodes read 20", async () => (await a.getItem(id, "n")) === "20" && (await b.getItem(id, "n")) === "20", crossNodeWaitMs);
      assert.ok(conflicts > 0, "the writers raced");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("of racing creations of one table name through both nodes, one wins; a drop through one node empties the table for both and purges its items", async () => {
    const prefix = freshPrefix();
    const contextA = await node(prefix);
    const a = await openNatsTables(contextA);
    const b = await openNatsTables(await node(prefix));
    try {
      const outcomes = await Promise.all([a.create(tableMeta("race", "00000000-0000-4000-8000-00000000000a")), b.create(tableMeta("race", "00000000-0000-4000-8000-00000000000b"))]);
      assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
      assert.deepEqual(outcomes.find((outcome) => !outcome.ok), { ok: false, exists: true });
      await waitFor("both nodes see the table", async () => (await a.get(account, "race")) !== undefined && (await b.get(account, "race")) !== undefined, crossNodeWaitMs);
      const id = (await a.get(account, "race"))!.tableId;
      assert.equal((await b.get(account, "race"))!.tableId, id);
      for (const key of ["x", "y", "z"]) await b.putItem(id, { key, value: key });
      await waitFor("node A sees the items", async () => (await a.stats(id)).itemCount === 3, crossNodeWaitMs);
      assert.deepEqual(await a.drop(account, "race"), { ok: true });
      assert.equal(await a.get(account, "race"), undefined);
      assert.deepEqual(await a.scan(id, undefined, 10), []);
      await waitFor("node B sees the drop", async () => (await b.get(account, "race")) === undefined, crossNodeWaitMs);
      assert.deepEqual(await b.scan(id, undefined, 10), []);
      assert.deepEqual(await b.stats(id), { itemCount: 0, sizeBytes: 0 });
      const info = await contextA.jsm.streams.info(`KV_${prefix}-tables`, { subjects_filter: `$KV.${prefix}-tables.i.>` });
      assert.deepEqual(info.state.subjects ?? {}, {}, "the dropped table's items are purged from the bucket");
      // A write to the dropped table through a node that saw the drop is refused, as a value.
      const late = await b.putItem(id, { key: "late", value: "v" });
      assert.ok(!late.ok && "failure" in late && late.failure.kind === "gone");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps any string key exactly and in UTF-16 order — long ones, lone surrogates, dots and wildcards — through both nodes and a new one", async () => {
    const prefix = freshPrefix();
    const a = await openNatsTables(await node(prefix));
    const b = await openNatsTables(await node(prefix));
    try {
      const id = "00000000-0000-4000-8000-000000000004";
      await a.create(tableMeta("keys", id));
      const keys = ["", "a.b", "*", ">", "a b", "x".repeat(itemKeyBytesMax), "y".repeat(itemKeyBytesMax + 1), "ключ", "\uD800", "\uD800x", "\uE000", "\u{10000}", "é".repeat(2048)];
      for (const key of keys) assert.deepEqual(await a.putItem(id, { key, value: `v:${key}\uDC00` }), { ok: true });
      const sorted = [...keys].sort();
      const expected = sorted.map((key) => ({ key, value: `v:${key}\uDC00` }));
      assert.deepEqual(await a.scan(id, undefined, 100), expected);
      await waitFor("node B holds every key", async () => (await b.stats(id)).itemCount === keys.length, crossNodeWaitMs);
      assert.deepEqual(await b.scan(id, undefined, 100), expected);
      assert.deepEqual(await b.scan(id, "\uD800", 2), expected.slice(sorted.indexOf("\uD800") + 1, sorted.indexOf("\uD800") + 3));
      // Deleting a hashed key through the other node.
      assert.deepEqual(await b.deleteItem(id, "y".repeat(itemKeyBytesMax + 1)), { ok: true });
      await waitFor("node A sees the deletion", async () => (await a.getItem(id, "y".repeat(itemKeyBytesMax + 1))) === undefined, crossNodeWaitMs);
      const c = await openNatsTables(await node(prefix));
      try {
        assert.deepEqual(await c.scan(id, undefined, 100), expected.filter((entry) => entry.key !== "y".repeat(itemKeyBytesMax + 1)));
      } finally {
        await c.close();
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("nats tables > delete markers and resynchronisation", () => {
  it("removes a delete marker once markerTtlMs old, and never a value written after it", async () => {
    const prefix = freshPrefix();
    const clock = new ManualClock(Date.now());
    const context = await node(prefix, clock);
    const tables = await openNatsTables(context);
    const subjects = async () => (await context.jsm.streams.info(`KV_${prefix}-tables`, { subjects_filter: `$KV.${prefix}-tables.i.>` })).state.subjects ?? {};
    try {
      const id = "00000000-0000-4000-8000-000000000007";
      await tables.create(tableMeta("markers", id));
      for (const key of ["gone", "back"]) {
        await tables.putItem(id, { key, value: "v1" });
        await tables.deleteItem(id, key);
      }
      // Written again after its marker: the sweep must leave it.
      const back = await tables.putItem(id, { key: "back", value: "v2" }, { expectedRevision: "absent" });
      assert.ok(back.ok);
      assert.equal(Object.keys(await subjects()).length, 2, "a marker for gone, the value of back");
      await clock.advanceAsync(markerTtlMs + 60 * 60 * 1000);
      await waitFor("the old marker is removed", async () => Object.keys(await subjects()).length === 1, crossNodeWaitMs);
      assert.deepEqual(await tables.scan(id, undefined, 10), [{ key: "back", value: "v2" }]);
      // A creation of the swept key still succeeds (no message at all now).
      assert.ok((await tables.putItem(id, { key: "gone", value: "v3" }, { expectedRevision: "absent" })).ok);
    } finally {
      await tables.close();
    }
  });

  it("after a reconnect a node resynchronises its copy, dropping what was purged while it was not watching", async () => {
    const prefix = freshPrefix();
    const a = await openNatsTables(await node(prefix));
    const contextB = await node(prefix);
    const b = await openNatsTables(contextB);
    try {
      const id = "00000000-0000-4000-8000-000000000008";
      await a.create(tableMeta("resync", id));
      await a.putItem(id, { key: "purged", value: "v" });
      await a.putItem(id, { key: "kept", value: "v" });
      await waitFor("node B holds both items", async () => (await b.stats(id)).itemCount === 2, crossNodeWaitMs);
      // A purge no watch announces (as a marker swept while node B's watch was down).
      const purgedSubject = `$KV.${prefix}-tables.i.${id}.u${Buffer.from("purged").toString("base64url")}`;
      await contextB.jsm.streams.purge(`KV_${prefix}-tables`, { filter: purgedSubject });
      assert.equal(await b.getItem(id, "purged"), "v", "the copy cannot know yet");
      await contextB.nc.reconnect();
      await waitFor("node B's copy drops the purged item", async () => (await b.getItem(id, "purged")) === undefined, crossNodeWaitMs);
      assert.deepEqual(await b.scan(id, undefined, 10), [{ key: "kept", value: "v" }]);
      // And follows on.
      await a.putItem(id, { key: "later", value: "v" });
      await waitFor("node B sees a later write", async () => (await b.getItem(id, "later")) === "v", crossNodeWaitMs);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("nats objects > two nodes", () => {
  it("of racing bucket creations through both nodes one wins, the loser names the owner; objects put through one node are read through the other", async () => {
    const prefix = freshPrefix();
    const a = await openNatsObjects(await node(prefix));
    const b = await openNatsObjects(await node(prefix));
    try {
      const bucket = (accountId: string) => ({ Name: "shared", accountId, region: "us-east-1", createdAtMs: t0, settings: {} });
      const outcomes = await Promise.all([a.createBucket(bucket(account)), b.createBucket(bucket("444455556666"))]);
      assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
      const owner = outcomes[0]!.ok ? account : "444455556666";
      assert.deepEqual(outcomes.find((outcome) => !outcome.ok), { ok: false, exists: true, accountId: owner });
      await waitFor("both nodes see the bucket", async () => (await a.getBucket("shared")) !== undefined && (await b.getBucket("shared")) !== undefined, crossNodeWaitMs);
      const written = await a.writeBlob(chunksOf(Buffer.from("hello from A"), 3));
      assert.ok(written.ok);
      assert.deepEqual(await a.putObject("shared", "k", { blobs: [written.blob], sizeBytes: 12, lastModifiedMs: t0, meta: { ETag: '"x"' } }), { ok: true });
      await waitFor("node B sees the object", async () => (await b.getObject("shared", "k")) !== undefined, crossNodeWaitMs);
      const seen = (await b.getObject("shared", "k"))!;
      assert.equal((await readAll(b, seen.record.blobs[0]!)).toString(), "hello from A");
      assert.equal((await readAll(b, seen.record.blobs[0]!, 6, 10)).toString(), "from");
      // A compare-and-set from both nodes on the object's revision: one wins.
      const again = await b.writeBlob(chunksOf(Buffer.from("B"), 1));
      const againA = await a.writeBlob(chunksOf(Buffer.from("A"), 1));
      assert.ok(again.ok && againA.ok);
      const cas = await Promise.all([
        a.putObject("shared", "k", { blobs: [againA.blob], sizeBytes: 1, lastModifiedMs: t0, meta: {} }, { expectedRevision: seen.revision }),
        b.putObject("shared", "k", { blobs: [again.blob], sizeBytes: 1, lastModifiedMs: t0, meta: {} }, { expectedRevision: seen.revision }),
      ]);
      assert.equal(cas.filter((outcome) => outcome.ok).length, 1);
      const loserIndex = cas.findIndex((outcome) => !outcome.ok);
      assert.ok(!cas[loserIndex]!.ok && "conflict" in cas[loserIndex]!);
      await [a, b][loserIndex]!.discardBlob([againA, again][loserIndex]!.blob);
      // A drop through node B: node A sees the bucket gone and refuses writes into it.
      assert.deepEqual(await b.dropBucket("shared"), { ok: true });
      await waitFor("node A sees the drop", async () => (await a.getBucket("shared")) === undefined, crossNodeWaitMs);
      assert.deepEqual(await a.listObjects("shared", { limit: 10 }), []);
      const late = await a.writeBlob(chunksOf(Buffer.from("late"), 4));
      assert.ok(late.ok);
      const refused = await a.putObject("shared", "k", { blobs: [late.blob], sizeBytes: 4, lastModifiedMs: t0, meta: {} });
      assert.ok(!refused.ok && "failure" in refused && refused.failure.gone === "bucket");
      await a.discardBlob(late.blob);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("streams a 64 MiB object in and reads it back whole and in ranges, fetching only the chunks a range needs", async () => {
    const prefix = freshPrefix();
    const context = await node(prefix);
    const objects = await openNatsObjects(context);
    try {
      const sizeBytes = 64 * 1024 * 1024;
      const pulled = { bytes: 0 };
      const written = await objects.writeBlob(patternedSource(sizeBytes, 64 * 1024, pulled));
      assert.ok(written.ok);
      assert.deepEqual(written.blob.sizeBytes, sizeBytes);
      assert.equal(pulled.bytes, sizeBytes);
      const info = await context.jsm.streams.info(blobsStreamName(prefix), { subjects_filter: `${prefix}.blob.${written.blob.blobId}.>` });
      assert.equal(Object.keys(info.state.subjects ?? {}).length, sizeBytes / blobChunkBytes + 1, "one subject per chunk, and the end marker");
      // The last bytes, across the last chunk boundary, and a range inside one chunk.
      const tail = sizeBytes - blobChunkBytes - 10;
      assert.deepEqual(await readAll(objects, written.blob, tail, sizeBytes), patternedRange(tail, sizeBytes));
      assert.deepEqual(await readAll(objects, written.blob, 5, 77), patternedRange(5, 77));
      // Whole, chunk by chunk, never more than one chunk per piece.
      const hash = createHash("sha256");
      let largestPiece = 0;
      for await (const piece of objects.readBlob(written.blob)) {
        hash.update(piece);
        largestPiece = Math.max(largestPiece, piece.length);
      }
      const expected = createHash("sha256");
      for await (const piece of patternedSource(sizeBytes, 1024 * 1024, { bytes: 0 })) expected.update(piece);
      assert.equal(hash.digest("hex"), expected.digest("hex"));
      assert.ok(largestPiece <= blobChunkBytes);
      await objects.discardBlob(written.blob);
      await waitFor("the discarded blob's chunks are purged", async () => Object.keys((await context.jsm.streams.info(blobsStreamName(prefix), { subjects_filter: `${prefix}.blob.>` })).state.subjects ?? {}).length === 0, crossNodeWaitMs);
    } finally {
      await objects.close();
    }
  });

  it("a blob whose source fails mid-way is removed, and the source's error is the caller's", async () => {
    const prefix = freshPrefix();
    const context = await node(prefix);
    const objects = await openNatsObjects(context);
    try {
      async function* failing(): AsyncIterable<Uint8Array> {
        yield Buffer.alloc(blobChunkBytes * 2 + 5, 1);
        throw new Error("client went away");
      }
      await assert.rejects(objects.writeBlob(failing()), /client went away/);
      const info = await context.jsm.streams.info(blobsStreamName(prefix), { subjects_filter: `${prefix}.blob.>` });
      assert.deepEqual(info.state.subjects ?? {}, {}, "no chunk of the failed blob is left");
    } finally {
      await objects.close();
    }
  });

  it("removes a released blob after its grace period, keeps one still named, and sweeps an orphan once past its grace", async () => {
    const prefix = freshPrefix();
    const clock = new ManualClock(Date.now());
    const context = await node(prefix, clock);
    const objects = await openNatsObjects(context);
    const blobSubjects = async () => Object.keys((await context.jsm.streams.info(blobsStreamName(prefix), { subjects_filter: `${prefix}.blob.*.end` })).state.subjects ?? {}).map((subject) => subject.split(".")[2]!);
    try {
      await objects.createBucket({ Name: "b", accountId: account, region: "us-east-1", createdAtMs: t0, settings: {} });
      const put = async (key: string, text: string) => {
        const written = await objects.writeBlob(chunksOf(Buffer.from(text), 4));
        assert.ok(written.ok);
        assert.deepEqual(await objects.putObject("b", key, { blobs: [written.blob], sizeBytes: text.length, lastModifiedMs: t0, meta: {} }), { ok: true });
        return written.blob;
      };
      const replaced = await put("k", "first");
      const kept = await put("k", "second");
      // In its grace period the replaced blob is still readable (a GET that read the old record), but no record may name it.
      assert.equal((await readAll(objects, replaced)).toString(), "first");
      const renamed = await objects.putObject("b", "other", { blobs: [replaced], sizeBytes: 5, lastModifiedMs: t0, meta: {} });
      assert.ok(!renamed.ok && "failure" in renamed && renamed.failure.gone === "blob");
      await clock.advanceAsync(releaseGraceMs);
      await waitFor("the replaced blob is removed", async () => !(await blobSubjects()).includes(replaced.blobId), crossNodeWaitMs);
      await assert.rejects(readAll(objects, replaced), /gone/);
      assert.equal((await readAll(objects, kept)).toString(), "second");
      // An orphan: written, never named, its writer gone (closed without discarding it).
      const orphan = await objects.writeBlob(chunksOf(Buffer.from("orphan"), 6));
      assert.ok(orphan.ok);
      await objects.close();
      // A node opening within the orphan's grace keeps it (its commit may be on the way through another node)…
      const early = await openNatsObjects(await node(prefix, new ManualClock(Date.now())));
      await early.close();
      assert.ok((await blobSubjects()).includes(orphan.blob.blobId));
      // …one opening after it removes it, and nothing named.
      const late = await openNatsObjects(await node(prefix, new ManualClock(Date.now() + orphanGraceMs + 60_000)));
      try {
        await waitFor("the sweep removes the orphan", async () => !(await blobSubjects()).includes(orphan.blob.blobId), crossNodeWaitMs);
        assert.deepEqual(await blobSubjects(), [kept.blobId]);
        assert.equal((await readAll(late, (await late.getObject("b", "k"))!.record.blobs[0]!)).toString(), "second");
      } finally {
        await late.close();
      }
    } finally {
      await objects.close();
    }
  });
});

describe("nats tables > a server restart", () => {
  it("a node's copy keeps following another node's writes after the server restarts", async () => {
    const own = await startNats();
    const opened: NatsConnection[] = [];
    const nodeOn = async (prefix: string): Promise<NatsContext> => {
      const nc = await connect({ servers: own.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      opened.push(nc);
      return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager(), replicas: 1, prefix, nodeId: `restart${++seed}`, clock: systemClock, random: new SeededRandom(seed), logger: silentLogger };
    };
    const prefix = freshPrefix();
    const a = await openNatsTables(await nodeOn(prefix));
    const b = await openNatsTables(await nodeOn(prefix));
    try {
      const id = "00000000-0000-4000-8000-000000000005";
      await a.create(tableMeta("restart", id));
      await a.putItem(id, { key: "k", value: "before" });
      await waitFor("node B sees the first write", async () => (await b.getItem(id, "k")) === "before", crossNodeWaitMs);
      await own.kill(0);
      await own.restart(0);
      // Writes fail while the client reconnects; the first one acknowledged after it must reach node B.
      await waitFor("node A writes again", async () => (await a.putItem(id, { key: "k", value: "after" })).ok, 30_000, 100);
      await waitFor("node B sees the write made after the restart", async () => (await b.getItem(id, "k")) === "after", crossNodeWaitMs);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all(opened.map((nc) => nc.close()));
      await own.stop();
    }
  });
});

describe("nats tables and objects > a 3-server cluster", () => {
  it("nodes on different servers (R3) meet in compare-and-sets, see each other's writes, and read each other's blobs at once after the commit", async () => {
    const cluster = await startNats({ servers: 3 });
    const opened: NatsConnection[] = [];
    const nodeOn = async (server: number, prefix: string): Promise<NatsContext> => {
      // Each node connects to one server only, so their requests go through different servers.
      const nc = await connect({ servers: cluster.urls[server]!, noRandomize: true, ignoreClusterUpdates: true });
      opened.push(nc);
      return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager(), replicas: 3, prefix, nodeId: `cluster${++seed}`, clock: systemClock, random: new SeededRandom(seed), logger: silentLogger };
    };
    const prefix = freshPrefix();
    const [contextA, contextB] = [await nodeOn(0, prefix), await nodeOn(2, prefix)];
    const [tablesA, tablesB] = [await openNatsTables(contextA), await openNatsTables(contextB)];
    const [objectsA, objectsB] = [await openNatsObjects(contextA), await openNatsObjects(contextB)];
    try {
      const id = "00000000-0000-4000-8000-000000000006";
      await tablesA.create(tableMeta("r3", id));
      const created = await tablesA.putItem(id, { key: "k", value: "A" }, { expectedRevision: "absent" });
      assert.ok(created.ok && "revision" in created);
      // Node B has not necessarily seen it: its creation meets node A's item in NATS all the same.
      assert.deepEqual(await tablesB.putItem(id, { key: "k", value: "B" }, { expectedRevision: "absent" }), { ok: false, conflict: { revision: created.revision } });
      await waitFor("node B's scan sees node A's item", async () => (await tablesB.scan(id, undefined, 10)).length === 1, crossNodeWaitMs);
      assert.deepEqual(await tablesB.scan(id, undefined, 10), [{ key: "k", value: "A" }]);
      await objectsA.createBucket({ Name: "r3", accountId: account, region: "us-east-1", createdAtMs: t0, settings: {} });
      const bytes = Buffer.from(patternedRange(0, blobChunkBytes * 3 + 17));
      const written = await objectsA.writeBlob(chunksOf(bytes, 65_536));
      assert.ok(written.ok);
      assert.deepEqual(await objectsA.putObject("r3", "k", { blobs: [written.blob], sizeBytes: bytes.length, lastModifiedMs: t0, meta: {} }), { ok: true });
      // Right after the commit, through the other server: a replica that lags is answered for by the leader.
      assert.deepEqual(await readAll(objectsB, written.blob), bytes);
      assert.deepEqual(await readAll(objectsB, written.blob, blobChunkBytes * 3, bytes.length), bytes.subarray(blobChunkBytes * 3));
      await waitFor("node B lists node A's object", async () => (await objectsB.listObjects("r3", { limit: 10 })).length === 1, crossNodeWaitMs);
    } finally {
      await Promise.all([tablesA.close(), tablesB.close(), objectsA.close(), objectsB.close()]);
      await Promise.all(opened.map((nc) => nc.close()));
      await cluster.stop();
    }
  });
});
