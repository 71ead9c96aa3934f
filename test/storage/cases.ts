/**
 * The storage case suite: every engine passes these, through the interfaces in
 * src/storage/types.ts only (as every hono router passes one common case file).
 *
 *   runStorageCases("memory", async () => ({ engine, cleanup }));
 *
 * `reopen` (engines that persist) closes the engine cleanly and opens a new one on the same data;
 * the cases that need it are skipped, with that reason, for engines without it.
 */
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { AppendRecord, BlobRef, BucketRecord, CatalogChange, LogStore, StorageEngine, StoredRecord, TableMeta, VersionedObject } from "../../src/storage/types.js";
import type { AccountSettings, StreamMeta } from "../../src/streams/model.js";
import { evenHashKeyRanges } from "../../src/core/hash-key.js";
import { putStream, putStreamAt, streamsCatalog } from "../../src/streams/stream-catalog.js";
import { CatalogCache } from "../../src/storage/catalog-cache.js";
import { keyAfterPrefix } from "../../src/storage/objects/object-state.js";
import { waitFor } from "../helpers/wait.js";

export interface StorageHarness {
  engine: StorageEngine;
  /** Closes the engine and opens a new one on the same data; absent for engines that keep nothing. */
  reopen?: () => Promise<StorageEngine>;
  /** Closes whatever engine is open and removes its data. */
  cleanup: () => Promise<void>;
  /**
   * A second LogStore on the open engine's data, made as independently as the engine allows (what a
   * second process would hold: docs/architecture.md "Storage interfaces"); absent if it has none.
   */
  secondLogs?: () => LogStore;
  /**
   * A handle on the open engine's data opened as a second process would open it (embedded: a
   * read-only follower of the files, taking no lock); absent if the engine has none.
   */
  follower?: () => Promise<{ logs: LogStore; close(): Promise<void> }>;
}

const t0 = 1_700_000_000_000;
/** The account streamMeta puts streams in; `otherAccount` for the isolation cases. */
export const account = "111122223333";
const otherAccount = "444455556666";
const streamA = "0123456789abcdef0123456789abcdef";
const streamB = "fedcba9876543210fedcba9876543210";

export function streamMeta(name: string, overrides: Partial<StreamMeta> = {}): StreamMeta {
  const ranges = evenHashKeyRanges(2);
  return {
    streamId: Buffer.from(name).toString("hex").padEnd(32, "0").slice(0, 32),
    accountId: account,
    StreamName: name,
    createdAtMs: t0,
    StreamStatus: "ACTIVE",
    statusDueAtMs: t0,
    RetentionPeriodHours: 24,
    StreamMode: "PROVISIONED",
    EncryptionType: "NONE",
    Tags: {},
    shards: ranges.map((range, index) => ({
      ShardId: `shardId-00000000000${index}`,
      shardIndex: index,
      HashKeyRange: range,
      createdAtMs: t0,
    })),
    nextShardIndex: 2,
    ShardLevelMetrics: [],
    ...overrides,
  };
}

export function record(partitionKey: string, data: string | Buffer, explicitHashKey?: string): AppendRecord {
  const out: AppendRecord = { partitionKey, data: typeof data === "string" ? Buffer.from(data) : data };
  if (explicitHashKey !== undefined) out.explicitHashKey = explicitHashKey;
  return out;
}

/** Appends and asserts success; returns the first offset. */
async function appendOk(engine: StorageEngine, streamId: string, shard: number, records: AppendRecord[], arrivalMs: number) {
  const outcome = await engine.logs.shard(streamId, shard).append(records, arrivalMs);
  assert.ok(outcome.ok, `append failed: ${outcome.ok ? "" : outcome.failure.message}`);
  return outcome;
}

async function readAll(engine: StorageEngine, streamId: string, shard: number, from = 0): Promise<StoredRecord[]> {
  const log = engine.logs.shard(streamId, shard);
  const out: StoredRecord[] = [];
  let offset = from;
  for (;;) {
    const result = await log.read(offset, { recordsMax: 1000, bytesMax: 10 * 1024 * 1024 });
    out.push(...result.records);
    if (result.records.length === 0) return out;
    offset = result.nextOffset;
  }
}

function plain(records: readonly StoredRecord[]) {
  return records.map((stored) => {
    const out: Record<string, unknown> = { offset: stored.offset, arrivalMs: stored.arrivalMs, partitionKey: stored.partitionKey, data: stored.data.toString("base64") };
    if (stored.explicitHashKey !== undefined) out.explicitHashKey = stored.explicitHashKey;
    return out;
  });
}

export function runStorageCases(name: string, create: () => Promise<StorageHarness>): void {
  /** Runs a case on a fresh engine; `current()` follows reopens. */
  const withEngine = (run: (current: () => StorageEngine, harness: StorageHarness & { reopenNow(): Promise<StorageEngine>; t: TestContext }) => Promise<void>, needsReopen = false) => async (t: TestContext) => {
    const harness = await create();
    if (needsReopen && !harness.reopen) {
      await harness.cleanup();
      t.skip(`${name} keeps nothing to reopen`);
      return;
    }
    let engine = harness.engine;
    const extended = {
      ...harness,
      t,
      async reopenNow() {
        engine = await harness.reopen!();
        return engine;
      },
    };
    try {
      await run(() => engine, extended);
    } finally {
      await harness.cleanup();
    }
  };

  describe(`storage > ${name}`, () => {
    describe("catalog", () => {
      it("starts empty with a 32-byte secret", withEngine(async (engine) => {
        assert.deepEqual((await streamsCatalog(engine()).list()), []);
        assert.equal((await streamsCatalog(engine()).get(account, "nope")), undefined);
        assert.equal(engine().catalog.secret().length, 32);
      }));

      it("stores a copy of a stream and hands out values no caller can change", withEngine(async (engine) => {
        const meta = streamMeta("alpha");
        assert.deepEqual(await putStream(streamsCatalog(engine()), meta), { ok: true });
        meta.Tags.changed = "after put";
        const got = (await streamsCatalog(engine()).get(account, "alpha"))!;
        assert.deepEqual(got, streamMeta("alpha"));
        assert.throws(() => (got.StreamStatus = "DELETING"), TypeError);
        assert.throws(() => got.shards.pop(), TypeError);
        const listed = await streamsCatalog(engine()).list();
        assert.throws(() => (listed[0]!.Tags.changed = "through list"), TypeError);
        assert.deepEqual((await streamsCatalog(engine()).get(account, "alpha")), streamMeta("alpha"));
      }));

      it("round-trips every field, including awkward tag keys", withEngine(async (engine) => {
        const meta = streamMeta("fields", {
          StreamStatus: "UPDATING",
          StreamMode: "ON_DEMAND",
          EncryptionType: "KMS",
          KeyId: "alias/aws/kinesis",
          Tags: { "__proto__": "x", constructor: "y", "ключ": "значение 🎉", "": "" },
          ShardLevelMetrics: ["IncomingBytes"],
          nextShardIndex: 5,
          RecordDistributionStrategy: "AUTO",
        });
        meta.shards[0]!.endingOffset = 42;
        meta.shards[0]!.closedAtMs = t0 + 5;
        meta.shards.push({ ShardId: "shardId-000000000004", shardIndex: 4, ParentShardId: "shardId-000000000000", AdjacentParentShardId: "shardId-000000000001", HashKeyRange: { StartingHashKey: "0", EndingHashKey: "1" }, createdAtMs: t0 + 6 });
        await putStream(streamsCatalog(engine()), meta);
        const got = (await streamsCatalog(engine()).get(account, "fields"))!;
        assert.deepEqual(got, meta);
        assert.deepEqual(Object.keys(got.Tags), Object.keys(meta.Tags));
        assert.equal(Object.getPrototypeOf(got.Tags), Object.prototype);
      }));

      it("lists streams sorted by name", withEngine(async (engine) => {
        for (const streamName of ["b", "B", "a-1", "a", "A_2", "a.0"]) await putStream(streamsCatalog(engine()), streamMeta(streamName));
        assert.deepEqual((await streamsCatalog(engine()).list()).map((meta) => meta.StreamName), ["A_2", "B", "a", "a-1", "a.0", "b"]);
      }));

      it("replaces and removes streams", withEngine(async (engine) => {
        await putStream(streamsCatalog(engine()), streamMeta("s"));
        await putStream(streamsCatalog(engine()), streamMeta("s", { RetentionPeriodHours: 48 }));
        assert.equal((await streamsCatalog(engine()).get(account, "s"))!.RetentionPeriodHours, 48);
        assert.equal((await streamsCatalog(engine()).list()).length, 1);
        assert.deepEqual(await engine().catalog.remove(account, "s"), { ok: true });
        assert.deepEqual(await engine().catalog.remove(account, "never-existed"), { ok: true });
        assert.equal((await streamsCatalog(engine()).get(account, "s")), undefined);
        assert.deepEqual((await streamsCatalog(engine()).list()), []);
      }));

      it("applies concurrent changes in call order", withEngine(async (engine) => {
        const outcomes = await Promise.all([
          ...Array.from({ length: 20 }, (_, i) => putStream(streamsCatalog(engine()), streamMeta(`c${String(i).padStart(2, "0")}`))),
          engine().catalog.remove(account, "c03"),
          putStream(streamsCatalog(engine()), streamMeta("c05", { RetentionPeriodHours: 100 })),
        ]);
        assert.ok(outcomes.every((outcome) => outcome.ok));
        assert.equal((await streamsCatalog(engine()).list()).length, 19);
        assert.equal((await streamsCatalog(engine()).get(account, "c03")), undefined);
        assert.equal((await streamsCatalog(engine()).get(account, "c05"))!.RetentionPeriodHours, 100);
      }));

      it("starts without account settings, then stores a copy whole and hands out values no caller can change", withEngine(async (engine) => {
        assert.equal((await streamsCatalog(engine()).accountSettings(account)), undefined);
        const settings: AccountSettings = { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 86_400_000 } };
        assert.deepEqual(await engine().catalog.putAccountSettings(account, settings), { ok: true });
        settings.billingCommitment!.endsAtMs = t0 + 1;
        const got = (await streamsCatalog(engine()).accountSettings(account))!;
        assert.deepEqual(got, { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 86_400_000 } });
        assert.throws(() => (got.billingCommitment!.startedAtMs = 0), TypeError);
        assert.equal((await streamsCatalog(engine()).accountSettings(account))!.billingCommitment!.startedAtMs, t0);
        await engine().catalog.putAccountSettings(account, {});
        assert.deepEqual((await streamsCatalog(engine()).accountSettings(account)), {});
      }));

      it("changes account settings and streams independently, in call order", withEngine(async (engine) => {
        const outcomes = await Promise.all([
          putStream(streamsCatalog(engine()), streamMeta("first")),
          engine().catalog.putAccountSettings(account, { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 1 } }),
          putStream(streamsCatalog(engine()), streamMeta("second")),
          engine().catalog.putAccountSettings(account, { billingCommitment: { startedAtMs: t0 + 5, earliestAllowedEndAtMs: t0 + 6, endsAtMs: t0 + 6 } }),
        ]);
        assert.ok(outcomes.every((outcome) => outcome.ok));
        assert.deepEqual((await streamsCatalog(engine()).list()).map((meta) => meta.StreamName), ["first", "second"]);
        assert.deepEqual((await streamsCatalog(engine()).accountSettings(account)), { billingCommitment: { startedAtMs: t0 + 5, earliestAllowedEndAtMs: t0 + 6, endsAtMs: t0 + 6 } });
      }));

      it("keeps account settings across a reopen", withEngine(async (engine, harness) => {
        await putStream(streamsCatalog(engine()), streamMeta("kept"));
        await harness.reopenNow();
        assert.equal((await streamsCatalog(engine()).accountSettings(account)), undefined);
        const settings: AccountSettings = { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 86_400_000, endsAtMs: t0 + 86_400_000 } };
        await engine().catalog.putAccountSettings(account, settings);
        await engine().catalog.remove(account, "kept");
        await harness.reopenNow();
        assert.deepEqual((await streamsCatalog(engine()).accountSettings(account)), settings);
        assert.deepEqual((await streamsCatalog(engine()).list()), []);
      }, true));

      it("keeps streams and the secret across a reopen", withEngine(async (engine, harness) => {
        await putStream(streamsCatalog(engine()), streamMeta("kept", { Tags: { k: "v" } }));
        await putStream(streamsCatalog(engine()), streamMeta("gone"));
        await engine().catalog.remove(account, "gone");
        const secret = Buffer.from(engine().catalog.secret());
        await harness.reopenNow();
        assert.deepEqual((await streamsCatalog(engine()).list()).map((meta) => meta.StreamName), ["kept"]);
        assert.deepEqual((await streamsCatalog(engine()).get(account, "kept")), streamMeta("kept", { Tags: { k: "v" } }));
        assert.deepEqual(engine().catalog.secret(), secret);
      }, true));
    });

    describe("catalog > revisions", () => {
      it("a compare-and-set writes only at the revision it expects; a conflict is an outcome that names the revision there is", withEngine(async (engine) => {
        const catalog = streamsCatalog(engine());
        const created = await putStreamAt(catalog, streamMeta("cas"), "absent");
        assert.ok(created.ok && "revision" in created);
        assert.deepEqual(await putStreamAt(catalog, streamMeta("cas", { RetentionPeriodHours: 48 }), "absent"), { ok: false, conflict: { revision: created.revision } });
        const updated = await putStreamAt(catalog, streamMeta("cas", { RetentionPeriodHours: 72 }), created.revision);
        assert.ok(updated.ok && "revision" in updated);
        assert.ok(updated.revision > created.revision);
        // A writer that read before the update loses, and changes nothing.
        assert.deepEqual(await putStreamAt(catalog, streamMeta("cas", { RetentionPeriodHours: 96 }), created.revision), { ok: false, conflict: { revision: updated.revision } });
        assert.equal((await catalog.get(account, "cas"))!.RetentionPeriodHours, 72);
        assert.deepEqual(await catalog.remove(account, "cas", { expectedRevision: created.revision }), { ok: false, conflict: { revision: updated.revision } });
        assert.equal((await catalog.get(account, "cas"))!.RetentionPeriodHours, 72);
        const removed = await catalog.remove(account, "cas", { expectedRevision: updated.revision });
        assert.ok(removed.ok);
        assert.equal(await catalog.get(account, "cas"), undefined);
        assert.deepEqual(await putStreamAt(catalog, streamMeta("cas"), updated.revision), { ok: false, conflict: { revision: "absent" } });
        // A name created again never reuses a revision its earlier entry had.
        const again = await putStreamAt(catalog, streamMeta("cas"), "absent");
        assert.ok(again.ok && "revision" in again && again.revision > updated.revision);
      }));

      it("of two writers that read the same revision, exactly one wins", withEngine(async (engine) => {
        const catalog = streamsCatalog(engine());
        const created = await putStreamAt(catalog, streamMeta("race"), "absent");
        assert.ok(created.ok && "revision" in created);
        const outcomes = await Promise.all([1, 2, 3].map((n) => putStreamAt(catalog, streamMeta("race", { Tags: { writer: String(n) } }), created.revision)));
        const winners = outcomes.filter((outcome) => outcome.ok);
        assert.equal(winners.length, 1);
        const winner = outcomes.indexOf(winners[0]!) + 1;
        assert.deepEqual((await catalog.get(account, "race"))!.Tags, { writer: String(winner) });
        for (const outcome of outcomes) if (!outcome.ok) assert.ok("conflict" in outcome);
      }));
    });

    describe("catalog > watch", () => {
      it("announces what there is, then every change in order, each entry's revisions increasing", withEngine(async (engine) => {
        const catalog = streamsCatalog(engine());
        await putStream(catalog, streamMeta("before"));
        await catalog.putAccountSettings(account, { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 1 } });
        const seen: CatalogChange<StreamMeta, AccountSettings>[] = [];
        const watch = catalog.watch((change) => seen.push(change));
        await watch.ready;
        assert.deepEqual(seen.map(describeChange), ["entry 111122223333/before RetentionPeriodHours=24", "settings 111122223333"]);
        seen.length = 0;
        const first = await putStreamAt(catalog, streamMeta("after"), "absent");
        await putStream(catalog, streamMeta("before", { RetentionPeriodHours: 48 }));
        await catalog.remove(account, "before");
        await putStreamAt(catalog, streamMeta("after"), "absent"); // a conflict: nothing to announce
        watch.stop();
        await putStream(catalog, streamMeta("unseen"));
        assert.deepEqual(seen.map(describeChange), [
          "entry 111122223333/after RetentionPeriodHours=24",
          "entry 111122223333/before RetentionPeriodHours=48",
          "entry 111122223333/before removed",
        ]);
        assert.ok(first.ok && "revision" in first);
        assert.equal(seen[0]!.kind === "entry" && seen[0]!.revision, first.revision);
        const revisions = seen.map((change) => (change.kind === "entry" ? change.revision : 0));
        assert.deepEqual([...revisions].sort((a, b) => a - b), revisions);
      }));

      it("a cache that follows the watch answers as the catalog does after every write", withEngine(async (engine) => {
        const catalog = streamsCatalog(engine());
        await putStream(catalog, streamMeta("one"));
        const cache = new CatalogCache(catalog);
        await cache.ready;
        await putStream(catalog, streamMeta("two", { Tags: { a: "b" } }));
        await catalog.putAccountSettings(otherAccount, {});
        await catalog.remove(account, "one");
        assert.deepEqual(cache.list(), await catalog.list());
        assert.deepEqual(cache.get(account, "two"), await catalog.get(account, "two"));
        assert.deepEqual(cache.accountSettings(otherAccount), {});
        assert.equal(cache.revisionOf(account, "one"), "absent");
        // The cached revision is the one a compare-and-set must expect.
        const outcome = await putStreamAt(catalog, streamMeta("two"), cache.revisionOf(account, "two"));
        assert.ok(outcome.ok);
        assert.deepEqual(cache.get(account, "two"), streamMeta("two"));
        cache.stop();
      }));

      it("after a reopen, announces the stored state", withEngine(async (engine, harness) => {
        await putStream(streamsCatalog(engine()), streamMeta("kept"));
        await harness.reopenNow();
        const seen: string[] = [];
        const watch = streamsCatalog(engine()).watch((change) => seen.push(describeChange(change)));
        await watch.ready;
        watch.stop();
        assert.deepEqual(seen, ["entry 111122223333/kept RetentionPeriodHours=24"]);
      }, true));
    });

    describe("catalog > accounts", () => {
      it("keeps two accounts' streams of one name apart", withEngine(async (engine) => {
        const mine = streamMeta("orders", { RetentionPeriodHours: 48 });
        const theirs = streamMeta("orders", { accountId: otherAccount, streamId: streamB, RetentionPeriodHours: 72 });
        assert.deepEqual(await putStream(streamsCatalog(engine()), mine), { ok: true });
        assert.deepEqual(await putStream(streamsCatalog(engine()), theirs), { ok: true });
        assert.deepEqual((await streamsCatalog(engine()).get(account, "orders")), mine);
        assert.deepEqual((await streamsCatalog(engine()).get(otherAccount, "orders")), theirs);
        assert.equal((await streamsCatalog(engine()).get("999999999999", "orders")), undefined);
        assert.deepEqual(await engine().catalog.remove(account, "orders"), { ok: true });
        assert.equal((await streamsCatalog(engine()).get(account, "orders")), undefined);
        assert.deepEqual((await streamsCatalog(engine()).get(otherAccount, "orders")), theirs);
      }));

      it("lists one account's streams by name, or all by account then name", withEngine(async (engine) => {
        for (const [accountId, name] of [[otherAccount, "a"], [account, "b"], [otherAccount, "c"], [account, "a"]] as const) {
          await putStream(streamsCatalog(engine()), streamMeta(name, { accountId, streamId: Buffer.from(accountId + name).toString("hex").slice(0, 32) }));
        }
        assert.deepEqual((await streamsCatalog(engine()).list(account)).map((meta) => meta.StreamName), ["a", "b"]);
        assert.deepEqual((await streamsCatalog(engine()).list(otherAccount)).map((meta) => meta.StreamName), ["a", "c"]);
        assert.deepEqual((await streamsCatalog(engine()).list("999999999999")), []);
        assert.deepEqual((await streamsCatalog(engine()).list()).map((meta) => `${meta.accountId}/${meta.StreamName}`), [
          `${account}/a`, `${account}/b`, `${otherAccount}/a`, `${otherAccount}/c`,
        ]);
      }));

      it("keeps each account's settings apart", withEngine(async (engine) => {
        const settings: AccountSettings = { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 86_400_000 } };
        await engine().catalog.putAccountSettings(otherAccount, settings);
        assert.equal((await streamsCatalog(engine()).accountSettings(account)), undefined);
        assert.deepEqual((await streamsCatalog(engine()).accountSettings(otherAccount)), settings);
      }));

      it("keeps accounts apart across a reopen", withEngine(async (engine, harness) => {
        await putStream(streamsCatalog(engine()), streamMeta("orders"));
        await putStream(streamsCatalog(engine()), streamMeta("orders", { accountId: otherAccount, streamId: streamB, Tags: { owner: "other" } }));
        const settings: AccountSettings = { billingCommitment: { startedAtMs: t0, earliestAllowedEndAtMs: t0 + 1 } };
        await engine().catalog.putAccountSettings(otherAccount, settings);
        await harness.reopenNow();
        assert.deepEqual((await streamsCatalog(engine()).get(account, "orders")), streamMeta("orders"));
        assert.deepEqual((await streamsCatalog(engine()).get(otherAccount, "orders")), streamMeta("orders", { accountId: otherAccount, streamId: streamB, Tags: { owner: "other" } }));
        assert.equal((await streamsCatalog(engine()).accountSettings(account)), undefined);
        assert.deepEqual((await streamsCatalog(engine()).accountSettings(otherAccount)), settings);
      }, true));
    });

    describe("logs", () => {
      it("starts a shard empty", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        assert.equal(log.startOffset(), 0);
        assert.equal(log.endOffset(), 0);
        assert.deepEqual(await log.read(0, { recordsMax: 10, bytesMax: 1000 }), { records: [], nextOffset: 0 });
        assert.equal(await log.offsetAtTime(t0), 0);
      }));

      it("assigns consecutive offsets and reports the arrival time", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        assert.deepEqual(await log.append([record("a", "1"), record("b", "2")], t0), { ok: true, firstOffset: 0, arrivalMs: t0 });
        assert.deepEqual(await log.append([record("c", "3")], t0 + 1), { ok: true, firstOffset: 2, arrivalMs: t0 + 1 });
        assert.equal(log.endOffset(), 3);
        assert.equal(log.startOffset(), 0);
      }));

      it("never lets arrival time go backwards", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        await appendOk(engine(), streamA, 0, [record("a", "1")], t0 + 100);
        const outcome = await log.append([record("b", "2")], t0);
        assert.deepEqual(outcome, { ok: true, firstOffset: 1, arrivalMs: t0 + 100 });
        assert.deepEqual((await readAll(engine(), streamA, 0)).map((stored) => stored.arrivalMs), [t0 + 100, t0 + 100]);
      }));

      it("returns records intact", withEngine(async (engine) => {
        const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const large = Buffer.alloc(1024 * 1024, 0xab);
        large[12345] = 1;
        const records = [
          record("plain", "hello"),
          record("ünïcødé 🎉 ключ", binary),
          record("k".repeat(256), Buffer.alloc(0)),
          record("with-hash", "x", "340282366920938463463374607431768211455"),
          record("zero-hash", "y", "0"),
          record("big", large),
        ];
        await appendOk(engine(), streamA, 0, records, t0);
        const stored = await readAll(engine(), streamA, 0);
        assert.deepEqual(plain(stored), plain(records.map((input, offset) => ({ ...input, offset, arrivalMs: t0 }))));
        assert.ok(Buffer.isBuffer(stored[0]!.data));
      }));

      it("keeps an empty partition key (a record written without one) across a reopen", withEngine(async (engine, harness) => {
        await registerStreams(engine());
        const records = [record("", "no key"), record("k", "keyed"), record("", Buffer.alloc(0))];
        await appendOk(engine(), streamA, 0, records, t0);
        const expected = plain(records.map((input, offset) => ({ ...input, offset, arrivalMs: t0 })));
        assert.deepEqual(plain(await readAll(engine(), streamA, 0)), expected);
        await harness.reopenNow();
        assert.deepEqual(plain(await readAll(engine(), streamA, 0)), expected);
      }, true));

      it("keeps its own copy of appended data and gives readers theirs", withEngine(async (engine) => {
        const data = Buffer.from("original");
        await appendOk(engine(), streamA, 0, [record("k", data)], t0);
        data.write("mutated!");
        const first = (await readAll(engine(), streamA, 0))[0]!;
        assert.equal(first.data.toString(), "original");
        first.data.write("changed!");
        first.partitionKey = "changed";
        const again = (await readAll(engine(), streamA, 0))[0]!;
        assert.equal(again.data.toString(), "original");
        assert.equal(again.partitionKey, "k");
      }));

      it("honours recordsMax and bytesMax, always returning at least one record", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        await appendOk(engine(), streamA, 0, [record("a", "12345"), record("b", "1234567890"), record("c", "1")], t0);
        await appendOk(engine(), streamA, 0, [record("d", "1")], t0 + 7);
        let result = await log.read(0, { recordsMax: 2, bytesMax: 1000 });
        assert.deepEqual(result.records.map((stored) => stored.partitionKey), ["a", "b"]);
        assert.equal(result.nextOffset, 2);
        assert.equal(result.nextArrivalMs, t0);
        result = await log.read(0, { recordsMax: 10, bytesMax: 15 });
        assert.deepEqual(result.records.map((stored) => stored.partitionKey), ["a", "b"]);
        result = await log.read(0, { recordsMax: 10, bytesMax: 14 });
        assert.deepEqual(result.records.map((stored) => stored.partitionKey), ["a"]);
        assert.equal(result.nextOffset, 1);
        result = await log.read(1, { recordsMax: 10, bytesMax: 3 });
        assert.deepEqual(result.records.map((stored) => stored.partitionKey), ["b"]);
        result = await log.read(2, { recordsMax: 1, bytesMax: 1000 });
        assert.deepEqual(result.records.map((stored) => stored.offset), [2]);
        assert.equal(result.nextArrivalMs, t0 + 7);
        result = await log.read(3, { recordsMax: 10, bytesMax: 1000 });
        assert.deepEqual(result.records.map((stored) => stored.offset), [3]);
        assert.equal(result.nextOffset, 4);
        assert.equal(result.nextArrivalMs, undefined);
      }));

      it("reads from any offset, and past the end reads nothing", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        for (let batch = 0; batch < 10; batch++) {
          await appendOk(engine(), streamA, 0, Array.from({ length: 10 }, (_, i) => record(`k${batch}-${i}`, `d${batch * 10 + i}`)), t0 + batch);
        }
        for (const from of [0, 1, 9, 10, 11, 55, 99]) {
          const result = await log.read(from, { recordsMax: 3, bytesMax: 1000 });
          assert.deepEqual(result.records.map((stored) => stored.data.toString()), [from, from + 1, from + 2].filter((n) => n < 100).map((n) => `d${n}`));
          assert.deepEqual(result.records.map((stored) => stored.offset), [from, from + 1, from + 2].filter((n) => n < 100));
        }
        assert.deepEqual(await log.read(100, { recordsMax: 3, bytesMax: 1000 }), { records: [], nextOffset: 100 });
        assert.deepEqual(await log.read(250, { recordsMax: 3, bytesMax: 1000 }), { records: [], nextOffset: 250 });
      }));

      it("pages through many records and batches", withEngine(async (engine) => {
        const payload = (n: number) => Buffer.from(`record-${n}-`.padEnd(100, String.fromCharCode(97 + (n % 26))));
        for (let batch = 0; batch < 12; batch++) {
          await appendOk(engine(), streamA, 1, Array.from({ length: 500 }, (_, i) => record(`pk-${i % 37}`, payload(batch * 500 + i))), t0 + batch * 1000);
        }
        const log = engine().logs.shard(streamA, 1);
        assert.equal(log.endOffset(), 6000);
        let offset = 0;
        let count = 0;
        while (offset < 6000) {
          const result = await log.read(offset, { recordsMax: 777, bytesMax: 64 * 1024 });
          assert.ok(result.records.length > 0);
          for (const stored of result.records) {
            assert.equal(stored.offset, count);
            assert.deepEqual(stored.data, payload(count));
            assert.equal(stored.arrivalMs, t0 + Math.floor(count / 500) * 1000);
            count++;
          }
          offset = result.nextOffset;
        }
        assert.equal(count, 6000);
      }));

      it("finds the first record at or after a time", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        await appendOk(engine(), streamA, 0, [record("a", "0"), record("a", "1")], t0 + 10);
        await appendOk(engine(), streamA, 0, [record("a", "2")], t0 + 20);
        await appendOk(engine(), streamA, 0, [record("a", "3"), record("a", "4")], t0 + 20);
        await appendOk(engine(), streamA, 0, [record("a", "5")], t0 + 30);
        const expectations: [number, number][] = [[t0, 0], [t0 + 10, 0], [t0 + 11, 2], [t0 + 20, 2], [t0 + 21, 5], [t0 + 30, 5], [t0 + 31, 6], [t0 + 1e9, 6]];
        for (const [time, offset] of expectations) assert.equal(await log.offsetAtTime(time), offset, `at ${time - t0}`);
      }));

      it("orders concurrent appends by call order", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([record(`k${i}`, `a${i}`), record(`k${i}`, `b${i}`)], t0 + i)));
        outcomes.forEach((outcome, i) => assert.deepEqual(outcome, { ok: true, firstOffset: i * 2, arrivalMs: t0 + i }));
        const stored = await readAll(engine(), streamA, 0);
        assert.deepEqual(stored.map((item) => item.data.toString()), Array.from({ length: 50 }, (_, i) => [`a${i}`, `b${i}`]).flat());
      }));

      it("keeps shards and streams apart", withEngine(async (engine) => {
        await appendOk(engine(), streamA, 0, [record("a0", "a0")], t0);
        await appendOk(engine(), streamA, 1, [record("a1", "a1"), record("a1", "a1b")], t0);
        await appendOk(engine(), streamB, 0, [record("b0", "b0")], t0);
        assert.deepEqual((await readAll(engine(), streamA, 0)).map((stored) => stored.partitionKey), ["a0"]);
        assert.deepEqual((await readAll(engine(), streamA, 1)).map((stored) => stored.data.toString()), ["a1", "a1b"]);
        assert.deepEqual((await readAll(engine(), streamB, 0)).map((stored) => stored.partitionKey), ["b0"]);
        assert.equal(engine().logs.shard(streamB, 1).endOffset(), 0);
      }));

      it("trims records that arrived before the cutoff and keeps the rest", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        for (let batch = 0; batch < 20; batch++) {
          await appendOk(engine(), streamA, 0, Array.from({ length: 50 }, (_, i) => record("k", `${batch}-${i}-`.padEnd(200, "x"))), t0 + batch * 1000);
        }
        await log.trimBefore(t0 + 10_500);
        const start = log.startOffset();
        assert.ok(start <= 550, `kept records that arrived after the cutoff (start ${start})`);
        assert.equal(log.endOffset(), 1000);
        const kept = await readAll(engine(), streamA, 0, 0);
        assert.equal(kept[0]!.offset, start);
        assert.deepEqual(kept.map((stored) => stored.offset), Array.from({ length: 1000 - start }, (_, i) => start + i));
        assert.equal((await log.read(0, { recordsMax: 1, bytesMax: 1000 })).records[0]!.offset, start);
        assert.equal(await log.offsetAtTime(t0 + 10_500), 550);
        assert.equal(await log.offsetAtTime(t0), start);
        await appendOk(engine(), streamA, 0, [record("k", "after")], t0 + 30_000);
        assert.equal(log.endOffset(), 1001);
      }));

      it("trims everything once every record has expired, keeping the offsets", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        await appendOk(engine(), streamA, 0, [record("k", "1"), record("k", "2")], t0);
        await appendOk(engine(), streamA, 0, [record("k", "3")], t0 + 10);
        await log.trimBefore(t0 + 1000);
        assert.equal(log.endOffset(), 3);
        const left = await readAll(engine(), streamA, 0);
        assert.ok(left.every((stored) => stored.offset >= log.startOffset()));
        const outcome = await appendOk(engine(), streamA, 0, [record("k", "4")], t0 + 2000);
        assert.equal(outcome.firstOffset, 3);
        assert.equal(await log.offsetAtTime(t0 + 1000), 3);
        assert.deepEqual((await log.read(3, { recordsMax: 10, bytesMax: 100 })).records.map((stored) => stored.data.toString()), ["4"]);
      }));

      it("drops a stream's logs and nothing else", withEngine(async (engine) => {
        await appendOk(engine(), streamA, 0, [record("a", "a")], t0);
        await appendOk(engine(), streamA, 3, [record("a", "a")], t0);
        await appendOk(engine(), streamB, 0, [record("b", "b")], t0);
        await engine().logs.dropStream(streamA);
        assert.equal(engine().logs.shard(streamA, 0).endOffset(), 0);
        assert.equal(engine().logs.shard(streamA, 3).endOffset(), 0);
        assert.deepEqual(await readAll(engine(), streamA, 0), []);
        assert.deepEqual((await readAll(engine(), streamB, 0)).map((stored) => stored.data.toString()), ["b"]);
        await engine().logs.dropStream(streamA);
        await engine().logs.dropStream("00112233445566778899aabbccddeeff");
      }));

      it("refuses appends after close", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        await appendOk(engine(), streamA, 0, [record("a", "a")], t0);
        await engine().close();
        const outcome = await log.append([record("a", "b")], t0);
        assert.equal(outcome.ok, false);
        assert.equal(!outcome.ok && outcome.failure.kind, "closed");
      }));

      it("keeps records, offsets and order across a reopen", withEngine(async (engine, harness) => {
        await registerStreams(engine());
        for (let batch = 0; batch < 30; batch++) {
          await appendOk(engine(), streamA, 0, Array.from({ length: 20 }, (_, i) => record(`k${i}`, `${batch}:${i}:`.padEnd(150, "z"), i % 3 === 0 ? String(i) : undefined)), t0 + batch * 100);
        }
        await appendOk(engine(), streamA, 2, [record("other", "shard")], t0 + 5000);
        const before = plain(await readAll(engine(), streamA, 0));
        await harness.reopenNow();
        assert.equal(engine().logs.shard(streamA, 0).endOffset(), 600);
        assert.deepEqual(plain(await readAll(engine(), streamA, 0)), before);
        assert.deepEqual((await readAll(engine(), streamA, 2)).map((stored) => stored.partitionKey), ["other"]);
        const outcome = await engine().logs.shard(streamA, 0).append([record("late", "x")], t0);
        assert.deepEqual(outcome, { ok: true, firstOffset: 600, arrivalMs: t0 + 2900 });
        assert.equal(await engine().logs.shard(streamA, 0).offsetAtTime(t0 + 1450), 300);
        await harness.reopenNow();
        assert.equal(engine().logs.shard(streamA, 0).endOffset(), 601);
      }, true));

      it("keeps a trimmed start across a reopen", withEngine(async (engine, harness) => {
        await registerStreams(engine());
        for (let batch = 0; batch < 10; batch++) await appendOk(engine(), streamA, 0, [record("k", "x".repeat(3000))], t0 + batch * 1000);
        await engine().logs.shard(streamA, 0).trimBefore(t0 + 20_000);
        const start = engine().logs.shard(streamA, 0).startOffset();
        await harness.reopenNow();
        assert.equal(engine().logs.shard(streamA, 0).startOffset(), start);
        assert.equal(engine().logs.shard(streamA, 0).endOffset(), 10);
        assert.equal((await engine().logs.shard(streamA, 0).append([record("k", "y")], t0 + 30_000)).ok, true);
      }, true));

      it("does not bring a dropped stream back after a reopen", withEngine(async (engine, harness) => {
        await registerStreams(engine());
        await appendOk(engine(), streamA, 0, [record("a", "a")], t0);
        await appendOk(engine(), streamB, 0, [record("b", "b")], t0);
        await engine().logs.dropStream(streamA);
        await harness.reopenNow();
        assert.equal(engine().logs.shard(streamA, 0).endOffset(), 0);
        assert.equal(engine().logs.shard(streamB, 0).endOffset(), 1);
      }, true));
    });

    describe("logs > watch", () => {
      it("announces each append's new end offset by the time the append resolves, until stopped", withEngine(async (engine) => {
        const log = engine().logs.shard(streamA, 0);
        await appendOk(engine(), streamA, 0, [record("before", "0")], t0);
        const seen: number[] = [];
        const watch = log.watch((endOffset) => seen.push(endOffset));
        assert.deepEqual(seen, [], "what was there before the watch is not announced");
        await log.append([record("a", "1"), record("b", "2")], t0 + 1);
        assert.deepEqual(seen, [3]);
        // Concurrent appends: each announced end is readable when announced, and they only grow.
        const ends: number[] = [];
        const readable = log.watch((endOffset) => ends.push(endOffset - log.endOffset()));
        await Promise.all([1, 2, 3].map((n) => log.append([record(`k${n}`, String(n))], t0 + 2)));
        assert.equal(seen.at(-1), 6);
        assert.deepEqual([...seen].sort((a, b) => a - b), seen);
        assert.ok(ends.every((gap) => gap === 0), "the log's end had reached every announced offset");
        readable.stop();
        watch.stop();
        watch.stop();
        await log.append([record("after", "x")], t0 + 3);
        assert.equal(seen.at(-1), 6);
        assert.equal(log.endOffset(), 7);
      }));

      it("keeps shards apart and announces nothing for an empty append", withEngine(async (engine) => {
        const seen: string[] = [];
        engine().logs.shard(streamA, 0).watch((endOffset) => seen.push(`A0:${endOffset}`));
        engine().logs.shard(streamA, 1).watch((endOffset) => seen.push(`A1:${endOffset}`));
        engine().logs.shard(streamB, 0).watch((endOffset) => seen.push(`B0:${endOffset}`));
        await appendOk(engine(), streamA, 1, [record("a", "1")], t0);
        await appendOk(engine(), streamB, 0, [record("b", "1"), record("b", "2")], t0);
        await appendOk(engine(), streamA, 1, [], t0);
        assert.deepEqual(seen, ["A1:1", "B0:2"]);
      }));
    });

    describe("logs > a second handle", () => {
      const second = (harness: StorageHarness, t: TestContext): LogStore | undefined => {
        if (harness.secondLogs) return harness.secondLogs();
        t.skip(`${name} has no second handle on its data`);
        return undefined;
      };

      it("a watch through one handle hears appends made through the other, and reads them", withEngine(async (engine, harness) => {
        const other = second(harness, harness.t);
        if (!other) return;
        const mine = engine().logs.shard(streamA, 0);
        const theirs = other.shard(streamA, 0);
        const heardByMine: number[] = [];
        const heardByTheirs: number[] = [];
        const watchMine = mine.watch((endOffset) => heardByMine.push(endOffset));
        const watchTheirs = theirs.watch((endOffset) => heardByTheirs.push(endOffset));
        assert.deepEqual(await theirs.append([record("a", "1"), record("b", "2")], t0), { ok: true, firstOffset: 0, arrivalMs: t0 });
        assert.deepEqual(heardByMine, [2]);
        assert.deepEqual((await readAll(engine(), streamA, 0)).map((stored) => stored.data.toString()), ["1", "2"]);
        assert.deepEqual(await mine.append([record("c", "3")], t0 + 1), { ok: true, firstOffset: 2, arrivalMs: t0 + 1 });
        assert.deepEqual(heardByTheirs, [2, 3]);
        assert.equal(theirs.endOffset(), 3);
        assert.deepEqual((await theirs.read(2, { recordsMax: 10, bytesMax: 1000 })).records.map((stored) => stored.partitionKey), ["c"]);
        watchMine.stop();
        watchTheirs.stop();
      }));

      it("a stream dropped through one handle is gone for the other, whose new watches follow the new log", withEngine(async (engine, harness) => {
        const other = second(harness, harness.t);
        if (!other) return;
        await registerStreams(engine());
        await appendOk(engine(), streamA, 0, [record("a", "1")], t0);
        await other.dropStream(streamA);
        assert.equal(engine().logs.shard(streamA, 0).endOffset(), 0);
        const heard: number[] = [];
        other.shard(streamA, 0).watch((endOffset) => heard.push(endOffset));
        await appendOk(engine(), streamA, 0, [record("b", "2")], t0 + 1);
        assert.deepEqual(heard, [1]);
      }));
    });

    describe("logs > a follower (a second process's handle)", () => {
      it("hears appends made through the engine, across segment rolls, and reads them as the engine does", withEngine(async (engine, harness) => {
        if (!harness.follower) return harness.t.skip(`${name} has no follower`);
        await appendOk(engine(), streamA, 0, [record("before", "0")], t0);
        const follower = await harness.follower();
        try {
          const log = follower.logs.shard(streamA, 0);
          const heard: number[] = [];
          const watch = log.watch((endOffset) => heard.push(endOffset));
          const other: number[] = [];
          follower.logs.shard(streamA, 1).watch((endOffset) => other.push(endOffset));
          await appendOk(engine(), streamA, 0, [record("a", "1"), record("b", "2")], t0 + 1);
          await waitFor("the follower hears the append", () => heard.at(-1) === 3);
          assert.equal(log.endOffset(), 3);
          assert.deepEqual((await log.read(0, { recordsMax: 10, bytesMax: 1000 })).records.map((stored) => stored.data.toString()), ["0", "1", "2"]);
          assert.equal(await log.offsetAtTime(t0 + 1), 1);
          // Enough to roll small segments several times over, in appends of a few records each.
          const big = Buffer.alloc(2000, 0x61);
          for (let batch = 0; batch < 12; batch++) {
            await appendOk(engine(), streamA, 0, Array.from({ length: 3 }, (_, i) => record(`k${batch}-${i}`, big)), t0 + 2 + batch);
          }
          await waitFor("the follower hears every append", () => heard.at(-1) === 39);
          watch.stop();
          assert.deepEqual([...heard].sort((a, b) => a - b), heard, "announced ends only grow");
          const mine = await readAll(engine(), streamA, 0);
          const theirs: StoredRecord[] = [];
          for (let offset = 0; offset < 39; ) {
            const page = await log.read(offset, { recordsMax: 7, bytesMax: 1_000_000 });
            theirs.push(...page.records);
            offset = page.nextOffset;
          }
          assert.deepEqual(theirs, mine);
          assert.equal(await log.offsetAtTime(t0 + 8), 21);
          assert.deepEqual(other, [], "another shard's watch hears nothing");
        } finally {
          await follower.close();
        }
      }));
    });

    describe("tables", () => {
      const tableA = tableMeta("leases", "0f1e2d3c-0000-4000-8000-00000000000a");
      const tableB = tableMeta("other", "0f1e2d3c-0000-4000-8000-00000000000b");

      it("creates, lists by account and name, and drops tables", withEngine(async (engine) => {
        assert.deepEqual(await engine().tables.list(), []);
        assert.deepEqual(await engine().tables.create(tableB), { ok: true });
        assert.deepEqual(await engine().tables.create(tableA), { ok: true });
        assert.deepEqual(await engine().tables.create({ ...tableA, accountId: otherAccount, tableId: "0f1e2d3c-0000-4000-8000-00000000000c" }), { ok: true });
        assert.deepEqual((await engine().tables.list(account)).map((meta) => meta.TableName), ["leases", "other"]);
        assert.deepEqual((await engine().tables.list()).map((meta) => [meta.accountId, meta.TableName]), [[account, "leases"], [account, "other"], [otherAccount, "leases"]]);
        assert.deepEqual(await engine().tables.get(account, "leases"), tableA);
        assert.deepEqual(await engine().tables.drop(account, "leases"), { ok: true });
        assert.equal(await engine().tables.get(account, "leases"), undefined);
        assert.equal((await engine().tables.get(otherAccount, "leases"))?.TableName, "leases");
      }));

      it("puts, replaces, gets, deletes and scans items in key order", withEngine(async (engine) => {
        await engine().tables.create(tableA);
        const id = tableA.tableId;
        for (const key of ["c", "a", "b", "d"]) assert.deepEqual(await engine().tables.putItem(id, { key, value: `v-${key}` }), { ok: true });
        await engine().tables.putItem(id, { key: "b", value: "v-b2" });
        assert.deepEqual(await engine().tables.deleteItem(id, "d"), { ok: true });
        assert.deepEqual(await engine().tables.deleteItem(id, "never"), { ok: true });
        assert.equal(await engine().tables.getItem(id, "b"), "v-b2");
        assert.equal(await engine().tables.getItem(id, "d"), undefined);
        assert.deepEqual(await engine().tables.scan(id, undefined, 10), [{ key: "a", value: "v-a" }, { key: "b", value: "v-b2" }, { key: "c", value: "v-c" }]);
        assert.deepEqual(await engine().tables.scan(id, "a", 1), [{ key: "b", value: "v-b2" }]);
        assert.deepEqual(await engine().tables.scan(id, "bb", 10), [{ key: "c", value: "v-c" }]);
        assert.deepEqual(await engine().tables.stats(id), { itemCount: 3, sizeBytes: 3 + "v-av-b2v-c".length });
      }));

      it("of racing creations of one table name, exactly one wins", withEngine(async (engine) => {
        const racing = ["a", "b", "c"].map((suffix) => engine().tables.create({ ...tableA, tableId: `0f1e2d3c-0000-4000-8000-00000000010${suffix}` }));
        const outcomes = await Promise.all(racing);
        assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
        assert.deepEqual(outcomes.filter((outcome) => !outcome.ok), [{ ok: false, exists: true }, { ok: false, exists: true }]);
        const winner = outcomes.findIndex((outcome) => outcome.ok);
        assert.equal((await engine().tables.get(account, "leases"))?.tableId, `0f1e2d3c-0000-4000-8000-00000000010${"abc"[winner]}`);
        assert.deepEqual(await engine().tables.create(tableA), { ok: false, exists: true });
      }));

      it("gives every item write a new, larger revision and compare-and-sets on it", withEngine(async (engine) => {
        const tables = engine().tables;
        await tables.create(tableA);
        const id = tableA.tableId;
        assert.equal(await tables.getVersionedItem(id, "k"), undefined);
        const created = await tables.putItem(id, { key: "k", value: "v1" }, { expectedRevision: "absent" });
        assert.ok(created.ok && "revision" in created);
        assert.deepEqual(await tables.getVersionedItem(id, "k"), { value: "v1", revision: created.revision });
        // A second creation meets the item: a conflict naming where it is, nothing written.
        assert.deepEqual(await tables.putItem(id, { key: "k", value: "v-lost" }, { expectedRevision: "absent" }), { ok: false, conflict: { revision: created.revision } });
        const replaced = await tables.putItem(id, { key: "k", value: "v2" }, { expectedRevision: created.revision });
        assert.ok(replaced.ok && "revision" in replaced && replaced.revision > created.revision);
        // A writer that read before the replacement is refused.
        assert.deepEqual(await tables.putItem(id, { key: "k", value: "v-stale" }, { expectedRevision: created.revision }), { ok: false, conflict: { revision: replaced.revision } });
        assert.deepEqual(await tables.deleteItem(id, "k", { expectedRevision: created.revision }), { ok: false, conflict: { revision: replaced.revision } });
        assert.equal(await tables.getItem(id, "k"), "v2");
        // An unconditional write moves the revision on too.
        assert.deepEqual(await tables.putItem(id, { key: "k", value: "v3" }), { ok: true });
        const current = (await tables.getVersionedItem(id, "k"))!;
        assert.ok(current.revision > replaced.revision);
        const deleted = await tables.deleteItem(id, "k", { expectedRevision: current.revision });
        assert.ok(deleted.ok);
        assert.equal(await tables.getVersionedItem(id, "k"), undefined);
        assert.deepEqual(await tables.deleteItem(id, "k", { expectedRevision: current.revision }), { ok: false, conflict: { revision: "absent" } });
        // Re-created, the item never repeats an earlier revision.
        const again = await tables.putItem(id, { key: "k", value: "v4" }, { expectedRevision: "absent" });
        assert.ok(again.ok && "revision" in again && again.revision > current.revision);
        assert.deepEqual(await tables.scan(id, undefined, 10), [{ key: "k", value: "v4" }]);
      }));

      it("of racing read-modify-writes on one item, each lands once and none is lost", withEngine(async (engine) => {
        const tables = engine().tables;
        await tables.create(tableA);
        const id = tableA.tableId;
        await tables.putItem(id, { key: "counter", value: "0" });
        let conflicts = 0;
        const increment = async () => {
          for (;;) {
            const read = (await tables.getVersionedItem(id, "counter"))!;
            const outcome = await tables.putItem(id, { key: "counter", value: String(Number(read.value) + 1) }, { expectedRevision: read.revision });
            if (outcome.ok) return;
            assert.ok("conflict" in outcome, "a conflict, not a failure");
            conflicts++;
          }
        };
        await Promise.all(Array.from({ length: 20 }, increment));
        assert.equal(await tables.getItem(id, "counter"), "20");
        assert.ok(conflicts > 0, "the writers raced (each read before the others wrote)");
      }));

      it("keeps tables and items across a reopen, and not a dropped table's", withEngine(async (engine, harness) => {
        await engine().tables.create(tableA);
        await engine().tables.create(tableB);
        await engine().tables.putItem(tableA.tableId, { key: "k1", value: "{\"x\":1}" });
        await engine().tables.putItem(tableA.tableId, { key: "k2", value: "two ✓" });
        await engine().tables.deleteItem(tableA.tableId, "k1");
        await engine().tables.putItem(tableB.tableId, { key: "gone", value: "with the table" });
        await engine().tables.drop(account, "other");
        await harness.reopenNow();
        assert.deepEqual((await engine().tables.list()).map((meta) => meta.TableName), ["leases"]);
        assert.deepEqual(await engine().tables.get(account, "leases"), tableA);
        assert.deepEqual(await engine().tables.scan(tableA.tableId, undefined, 10), [{ key: "k2", value: "two ✓" }]);
      }, true));

      it("keeps every acknowledged write of many concurrent ones across a reopen", withEngine(async (engine, harness) => {
        await engine().tables.create(tableA);
        const writes = Array.from({ length: 200 }, (_, index) => engine().tables.putItem(tableA.tableId, { key: `k${String(index % 50).padStart(3, "0")}`, value: `v${index}` }));
        assert.ok((await Promise.all(writes)).every((outcome) => outcome.ok));
        await harness.reopenNow();
        const items = await engine().tables.scan(tableA.tableId, undefined, 100);
        assert.equal(items.length, 50);
        assert.deepEqual(items[0], { key: "k000", value: "v150" });
        assert.deepEqual(items[49], { key: "k049", value: "v199" });
      }, true));
    });

    describe("objects", () => {
      const bucket = (Name: string, accountId = account): BucketRecord => ({ Name, accountId, region: "us-east-1", createdAtMs: t0, settings: {} });
      const put = async (engine: StorageEngine, bucketName: string, key: string, content: string | Buffer) => {
        const written = await engine.objects.writeBlob(chunksOf(Buffer.from(content)));
        assert.ok(written.ok, "writeBlob failed");
        const outcome = await engine.objects.putObject(bucketName, key, { blobs: [written.blob], sizeBytes: written.blob.sizeBytes, lastModifiedMs: t0, meta: { ETag: `"${key}"` } });
        assert.deepEqual(outcome, { ok: true });
        return written.blob;
      };
      const text = async (engine: StorageEngine, blobs: readonly BlobRef[], start?: number, end?: number) => {
        const chunks: Buffer[] = [];
        for (const blob of blobs) for await (const chunk of engine.objects.readBlob(blob, start, end)) chunks.push(chunk);
        return Buffer.concat(chunks).toString("utf8");
      };
      const keysOf = (listed: readonly VersionedObject[]) => listed.map((entry) => entry.key);

      it("creates buckets globally by name, lists them sorted and drops them", withEngine(async (engine) => {
        const objects = engine().objects;
        assert.deepEqual(await objects.listBuckets(), []);
        assert.deepEqual(await objects.createBucket(bucket("zeta")), { ok: true });
        assert.deepEqual(await objects.createBucket(bucket("alpha")), { ok: true });
        // Names are global: another account meets the owner's bucket.
        assert.deepEqual(await objects.createBucket(bucket("alpha", otherAccount)), { ok: false, exists: true, accountId: account });
        assert.deepEqual((await objects.listBuckets()).map((record) => record.Name), ["alpha", "zeta"]);
        const got = await objects.getBucket("alpha");
        assert.deepEqual(got?.bucket, bucket("alpha"));
        const updated = await objects.updateBucket({ ...bucket("alpha"), settings: { policy: "{}" } }, { expectedRevision: got!.revision });
        assert.ok(updated.ok && "revision" in updated && updated.revision > got!.revision);
        assert.deepEqual(await objects.updateBucket(bucket("alpha"), { expectedRevision: got!.revision }), { ok: false, conflict: { revision: updated.revision } });
        assert.deepEqual((await objects.getBucket("alpha"))?.bucket.settings, { policy: "{}" });
        assert.deepEqual(await objects.dropBucket("alpha"), { ok: true });
        assert.equal(await objects.getBucket("alpha"), undefined);
        assert.deepEqual(await objects.createBucket(bucket("alpha", otherAccount)), { ok: true });
      }));

      it("of racing creations of one bucket name, exactly one wins", withEngine(async (engine) => {
        const outcomes = await Promise.all([account, otherAccount, account].map((owner) => engine().objects.createBucket(bucket("race", owner))));
        assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
        const owner = (await engine().objects.getBucket("race"))!.bucket.accountId;
        for (const outcome of outcomes.filter((outcome) => !outcome.ok)) assert.deepEqual(outcome, { ok: false, exists: true, accountId: owner });
      }));

      it("a write into a bucket or upload a concurrent change removed fails as gone, saying which", withEngine(async (engine) => {
        const objects = engine().objects;
        await objects.createBucket(bucket("doomed"));
        await objects.createUpload("doomed", { uploadId: "u", key: "k", initiatedMs: t0, meta: {} });
        const part = await objects.writeBlob(chunksOf(Buffer.from("part")));
        assert.ok(part.ok);
        assert.deepEqual(await objects.removeUpload("doomed", "u"), { ok: true });
        const toPart = await objects.putPart("doomed", "u", { partNumber: 1, blob: part.blob, lastModifiedMs: t0, meta: {} });
        assert.ok(!toPart.ok && "failure" in toPart);
        assert.equal(toPart.failure.kind, "gone");
        assert.equal(toPart.failure.gone, "upload");
        const written = await objects.writeBlob(chunksOf(Buffer.from("bytes")));
        assert.ok(written.ok);
        assert.deepEqual(await objects.dropBucket("doomed"), { ok: true });
        const toObject = await objects.putObject("doomed", "k", { blobs: [written.blob], sizeBytes: 5, lastModifiedMs: t0, meta: {} });
        assert.ok(!toObject.ok && "failure" in toObject);
        assert.equal(toObject.failure.kind, "gone");
        assert.equal(toObject.failure.gone, "bucket");
        await objects.discardBlob(part.blob);
        await objects.discardBlob(written.blob);
      }));

      it("puts, replaces, gets and deletes objects, reading their bytes and ranges", withEngine(async (engine) => {
        const objects = engine().objects;
        await objects.createBucket(bucket("b"));
        await put(engine(), "b", "docs/a.txt", "hello, world");
        const first = (await objects.getObject("b", "docs/a.txt"))!;
        assert.equal(first.key, "docs/a.txt");
        assert.equal(first.record.sizeBytes, 12);
        assert.deepEqual(first.record.meta, { ETag: '"docs/a.txt"' });
        assert.equal(await text(engine(), first.record.blobs), "hello, world");
        assert.equal(await text(engine(), first.record.blobs, 7, 12), "world");
        assert.equal(await text(engine(), first.record.blobs, 3, 3), "");
        await put(engine(), "b", "docs/a.txt", "replaced");
        const second = (await objects.getObject("b", "docs/a.txt"))!;
        assert.ok(second.revision > first.revision);
        assert.equal(await text(engine(), second.record.blobs), "replaced");
        assert.deepEqual(await objects.bucketStats("b"), { objectCount: 1, sizeBytes: 8, uploadCount: 0 });
        assert.deepEqual(await objects.deleteObject("b", "docs/a.txt", { expectedRevision: first.revision }), { ok: false, conflict: { revision: second.revision } });
        assert.deepEqual(await objects.deleteObject("b", "docs/a.txt"), { ok: true });
        assert.deepEqual(await objects.deleteObject("b", "never"), { ok: true });
        assert.equal(await objects.getObject("b", "docs/a.txt"), undefined);
        assert.deepEqual(await objects.bucketStats("b"), { objectCount: 0, sizeBytes: 0, uploadCount: 0 });
        // A write to a bucket that is not there is refused, as a value.
        const written = await objects.writeBlob(chunksOf(Buffer.from("x")));
        assert.ok(written.ok);
        const refused = await objects.putObject("missing", "k", { blobs: [written.blob], sizeBytes: 1, lastModifiedMs: t0, meta: {} });
        assert.equal(refused.ok, false);
        await objects.discardBlob(written.blob);
      }));

      it("lists in UTF-8 byte order, after a key and under a prefix", withEngine(async (engine) => {
        const objects = engine().objects;
        await objects.createBucket(bucket("b"));
        // UTF-16 order would put U+E000 after U+10000; S3's UTF-8 byte order puts it before.
        for (const key of ["a/\u{10000}", "a/\uE000", "a/b/c", "a/b", "a", "b", "a/", "ä"]) await put(engine(), "b", key, key);
        assert.deepEqual(keysOf(await objects.listObjects("b", { limit: 100 })), ["a", "a/", "a/b", "a/b/c", "a/\uE000", "a/\u{10000}", "b", "ä"]);
        assert.deepEqual(keysOf(await objects.listObjects("b", { prefix: "a/", limit: 100 })), ["a/", "a/b", "a/b/c", "a/\uE000", "a/\u{10000}"]);
        assert.deepEqual(keysOf(await objects.listObjects("b", { prefix: "a/", afterKey: "a/b", limit: 2 })), ["a/b/c", "a/\uE000"]);
        assert.deepEqual(keysOf(await objects.listObjects("b", { prefix: "a/", afterKey: "a/\uE000", limit: 100 })), ["a/\u{10000}"]);
        // A start key before the prefix starts at the prefix; one past it lists nothing.
        assert.deepEqual(keysOf(await objects.listObjects("b", { prefix: "a/b", afterKey: "0", limit: 100 })), ["a/b", "a/b/c"]);
        assert.deepEqual(keysOf(await objects.listObjects("b", { prefix: "a/b", afterKey: "z", limit: 100 })), []);
        assert.deepEqual(keysOf(await objects.listObjects("b", { prefix: "nothing", limit: 100 })), []);
        assert.deepEqual(keysOf(await objects.listObjects("missing", { limit: 100 })), []);
        // Past a common prefix without walking the keys under it, as a listing with a delimiter does.
        assert.deepEqual(keysOf(await objects.listObjects("b", { afterKey: keyAfterPrefix("a/"), limit: 100 })), ["b", "ä"]);
        await put(engine(), "b", "a/" + "\u{10FFFF}".repeat(255), "the largest key under a/");
        assert.deepEqual(keysOf(await objects.listObjects("b", { afterKey: keyAfterPrefix("a"), limit: 100 })), ["b", "ä"]);
      }));

      it("keeps multipart uploads and parts, replacing a part and completing into an object", withEngine(async (engine) => {
        const objects = engine().objects;
        await objects.createBucket(bucket("b"));
        await objects.createUpload("b", { uploadId: "u2", key: "z", initiatedMs: t0, meta: {} });
        await objects.createUpload("b", { uploadId: "u1", key: "\u{10000}", initiatedMs: t0 + 1, meta: { ContentType: "text/plain" } });
        await objects.createUpload("b", { uploadId: "u0", key: "\uE000", initiatedMs: t0 + 2, meta: {} });
        assert.deepEqual((await objects.listUploads("b")).map((upload) => upload.uploadId), ["u2", "u0", "u1"]);
        const part = async (partNumber: number, content: string) => {
          const written = await objects.writeBlob(chunksOf(Buffer.from(content)));
          assert.ok(written.ok);
          assert.deepEqual(await objects.putPart("b", "u1", { partNumber, blob: written.blob, lastModifiedMs: t0, meta: { ETag: content } }), { ok: true });
        };
        await part(2, "world");
        await part(1, "hullo ");
        await part(1, "hello ");
        const parts = await objects.listParts("b", "u1");
        assert.deepEqual(parts.map((entry) => [entry.partNumber, entry.meta.ETag]), [[1, "hello "], [2, "world"]]);
        assert.equal((await objects.getUpload("b", "u1"))?.meta.ContentType, "text/plain");
        assert.deepEqual(await objects.bucketStats("b"), { objectCount: 0, sizeBytes: 0, uploadCount: 3 });
        const blobs = parts.map((entry) => entry.blob);
        assert.deepEqual(await objects.putObject("b", "\u{10000}", { blobs, sizeBytes: 11, lastModifiedMs: t0, meta: {} }), { ok: true });
        assert.deepEqual(await objects.removeUpload("b", "u1"), { ok: true });
        assert.equal(await objects.getUpload("b", "u1"), undefined);
        // The object's record keeps the parts' blobs when the upload goes.
        assert.equal(await text(engine(), (await objects.getObject("b", "\u{10000}"))!.record.blobs), "hello world");
        assert.deepEqual(await objects.removeUpload("b", "u2"), { ok: true });
        assert.deepEqual((await objects.listUploads("b")).map((upload) => upload.uploadId), ["u0"]);
      }));

      it("keeps a blob while any record names it, and refuses to name a released one", withEngine(async (engine) => {
        const objects = engine().objects;
        await objects.createBucket(bucket("b"));
        const blob = await put(engine(), "b", "source", "shared bytes");
        const copy = (await objects.getObject("b", "source"))!.record;
        assert.deepEqual(await objects.putObject("b", "copy", copy), { ok: true });
        assert.deepEqual(await objects.deleteObject("b", "source"), { ok: true });
        assert.equal(await text(engine(), (await objects.getObject("b", "copy"))!.record.blobs), "shared bytes");
        assert.deepEqual(await objects.deleteObject("b", "copy"), { ok: true });
        // Released with its last record: a record naming it now is refused, not left dangling.
        const late = await objects.putObject("b", "late", { blobs: [blob], sizeBytes: blob.sizeBytes, lastModifiedMs: t0, meta: {} });
        assert.equal(late.ok, false);
        assert.equal(await objects.getObject("b", "late"), undefined);
      }));

      it("drops a bucket with its objects and uploads", withEngine(async (engine) => {
        const objects = engine().objects;
        await objects.createBucket(bucket("b"));
        await put(engine(), "b", "k", "v");
        await objects.createUpload("b", { uploadId: "u", key: "k2", initiatedMs: t0, meta: {} });
        assert.deepEqual(await objects.dropBucket("b"), { ok: true });
        await objects.createBucket(bucket("b"));
        assert.deepEqual(await objects.listObjects("b", { limit: 10 }), []);
        assert.deepEqual(await objects.listUploads("b"), []);
        assert.deepEqual(await objects.bucketStats("b"), { objectCount: 0, sizeBytes: 0, uploadCount: 0 });
      }));

      it("keeps buckets, objects, uploads and bytes across a reopen, and nothing removed", withEngine(async (engine, harness) => {
        await engine().objects.createBucket(bucket("kept"));
        await engine().objects.createBucket(bucket("dropped"));
        await put(engine(), "kept", "ключ/🎉", "unicode bytes ✓");
        await put(engine(), "kept", "../../etc/passwd", "not a path");
        await put(engine(), "kept", "gone", "deleted");
        await engine().objects.deleteObject("kept", "gone");
        await put(engine(), "dropped", "k", "with its bucket");
        await engine().objects.dropBucket("dropped");
        await engine().objects.createUpload("kept", { uploadId: "u", key: "big", initiatedMs: t0, meta: {} });
        const written = await engine().objects.writeBlob(chunksOf(Buffer.from("part one")));
        assert.ok(written.ok);
        await engine().objects.putPart("kept", "u", { partNumber: 1, blob: written.blob, lastModifiedMs: t0, meta: {} });
        await harness.reopenNow();
        const objects = engine().objects;
        assert.deepEqual((await objects.listBuckets()).map((record) => record.Name), ["kept"]);
        assert.deepEqual(keysOf(await objects.listObjects("kept", { limit: 10 })), ["../../etc/passwd", "ключ/🎉"]);
        assert.equal(await text(engine(), (await objects.getObject("kept", "ключ/🎉"))!.record.blobs), "unicode bytes ✓");
        assert.equal(await text(engine(), (await objects.getObject("kept", "../../etc/passwd"))!.record.blobs), "not a path");
        const parts = await objects.listParts("kept", "u");
        assert.equal(await text(engine(), parts.map((entry) => entry.blob)), "part one");
        // Blob ids drawn after the reopen never collide with the kept ones.
        await put(engine(), "kept", "after", "new bytes");
        assert.equal(await text(engine(), (await objects.getObject("kept", "ключ/🎉"))!.record.blobs), "unicode bytes ✓");
      }, true));
    });
  });
}

/** The bytes as a source of small chunks, as a request body arrives. */
export async function* chunksOf(bytes: Buffer, chunkBytes = 5): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

export function tableMeta(name: string, tableId: string): TableMeta {
  return { tableId, accountId: account, TableName: name, createdAtMs: t0, definition: { KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }] } };
}

/** Logs belong to streams in the catalog: an engine may drop logs of unknown streams on reopen. */
async function registerStreams(engine: StorageEngine): Promise<void> {
  await putStream(streamsCatalog(engine), streamMeta("stream-a", { streamId: streamA }));
  await putStream(streamsCatalog(engine), streamMeta("stream-b", { streamId: streamB }));
}

function describeChange(change: CatalogChange<StreamMeta, AccountSettings>): string {
  if (change.kind === "settings") return `settings ${change.accountId}`;
  return `entry ${change.accountId}/${change.name} ${change.entry === undefined ? "removed" : `RetentionPeriodHours=${change.entry.RetentionPeriodHours}`}`;
}
