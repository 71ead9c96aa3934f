/**
 * The table store on NATS JetStream (docs/formats/nats.md "Tables"): one KV bucket,
 * `<prefix>-tables` (history 1, file storage, the engine's replicas), keyed as
 * nats-tables-keys.ts says, followed by a process-local copy (nats-tables-copy.ts) through a KV
 * watch (nats-tables-kv.ts). Every service but DynamoDB keeps its state here
 * (src/storage/service-tables.ts), so reads cost no round trip: they are the copy's.
 *
 * Consistency, as a caller sees it:
 * - A write resolves once JetStream acknowledged it (a quorum of the bucket's replicas holds it)
 *   and the copy applied it: this node's reads see it from then on. A read also waits for this
 *   node's writes still in flight on what it reads (the item for getItem, the table for scan),
 *   so a read issued after a write, even before the write settles, sees it.
 * - Another node's acknowledged write reaches this node's copy when the watch delivers it: on a
 *   healthy cluster within milliseconds (the watch is a push consumer; docs/formats/nats.md
 *   "Tables" gives the bound the tests hold it to). Until then reads answer the older value.
 * - A compare-and-set is decided by the bucket's stream leader (Nats-Expected-Last-Subject-Sequence),
 *   so of two nodes' racing writers exactly one wins; the loser's conflict carries the revision
 *   read from the leader, and the copy is brought up to it, so the loser's next read is current.
 * - Dropping a table deletes its meta (a compare-and-set on the meta's revision, so a table of
 *   the same name created meanwhile is not dropped) and then purges its items; the items of a
 *   table without a meta found when opening are purged then.
 */
import type { CasOutcome, Expectation, TableEntry, TableExists, TableMeta, TableStore, VersionedItem, WriteOutcome } from "../types.js";
import type { NatsContext, NatsPart } from "./nats-context.js";
import { WatchedBucket, closedFailure, type KvWriteOutcome } from "./nats-tables-kv.js";
import { TablesCopy } from "./nats-tables-copy.js";
import { encodeItem, itemKey, itemToken, itemsFilter, metaKey } from "./nats-tables-keys.js";

/** The bucket's name after the prefix: `<prefix>-tables`. */
export const tablesBucketSuffix = "tables";
/** Attempts of a drop that keeps meeting a meta that changes. */
const dropAttemptsMax = 4;

const done: WriteOutcome = { ok: true };

/** An unconditional write answers as the other engines do: no revision (it never meets a conflict). */
function unconditional(outcome: KvWriteOutcome): WriteOutcome {
  return outcome.ok || !("failure" in outcome) ? done : outcome;
}

/** Opens (creating if needed) the tables bucket; resolves once the copy holds it. */
export async function openNatsTables(ctx: NatsContext): Promise<TableStore & NatsPart> {
  const copy = new TablesCopy(ctx.logger);
  const bucket = await WatchedBucket.open(ctx, copy, { suffix: tablesBucketSuffix, description: "Tributary tables (docs/formats/nats.md)", what: "tables" });
  const store = new NatsTableStore(ctx, bucket, copy);
  // Items of tables whose meta went (a drop interrupted before its purge): remove them now.
  for (const tableId of copy.takeOrphans()) {
    await bucket.purge(itemsFilter(tableId)).catch((error: unknown) => ctx.logger.warn({ tableId, err: error }, "cannot purge a dropped table's items; the next open tries again"));
  }
  return store;
}

class NatsTableStore implements TableStore, NatsPart {
  /** This node's writes in flight per table, by item key: a read waits for those on what it reads. */
  private readonly inflight = new Map<string, Map<string, Promise<unknown>>>();

  constructor(
    private readonly ctx: NatsContext,
    private readonly bucket: WatchedBucket,
    private readonly copy: TablesCopy,
  ) {}

  async list(accountId?: string): Promise<readonly TableMeta[]> {
    return this.copy.list(accountId);
  }

  async get(accountId: string, tableName: string): Promise<TableMeta | undefined> {
    return this.copy.meta(metaKey(accountId, tableName))?.meta;
  }

  async create(meta: TableMeta): Promise<WriteOutcome | TableExists> {
    const outcome = await this.bucket.write(metaKey(meta.accountId, meta.TableName), Buffer.from(JSON.stringify(meta), "utf8"), { expectedRevision: "absent" });
    if (outcome.ok) return done;
    return "conflict" in outcome ? { ok: false, exists: true } : outcome;
  }

  async drop(accountId: string, tableName: string): Promise<WriteOutcome> {
    if (this.bucket.isClosed) return { ok: false, failure: closedFailure };
    const key = metaKey(accountId, tableName);
    try {
      for (let attempt = 1; attempt <= dropAttemptsMax; attempt++) {
        // The copy may not have seen a creation through another node yet: ask the leader then.
        if (this.copy.meta(key) === undefined) await this.bucket.refresh(key);
        const entry = this.copy.meta(key);
        if (entry === undefined) return done;
        const outcome = await this.bucket.write(key, undefined, { expectedRevision: entry.revision });
        if ("failure" in outcome) return outcome;
        if ("conflict" in outcome) continue;
        // The copy forgot the items when it applied the deletion; now the bucket forgets them.
        await this.bucket.purge(itemsFilter(entry.meta.tableId));
        return done;
      }
      return { ok: false, failure: { kind: "io", message: `tables bucket ${this.bucket.bucket}: the table ${tableName} kept changing while being dropped` } };
    } catch (error) {
      return { ok: false, failure: this.bucket.failureOf(error) };
    }
  }

  /** Brings the copy up to the bucket's last revision (nats-sync.ts): another node's acknowledged writes are then read. */
  sync(): Promise<boolean> {
    return this.bucket.sync();
  }

  async getItem(tableId: string, key: string): Promise<string | undefined> {
    await this.settled(tableId, key);
    return this.copy.get(tableId, key)?.value;
  }

  async getVersionedItem(tableId: string, key: string): Promise<VersionedItem | undefined> {
    await this.settled(tableId, key);
    return this.copy.get(tableId, key);
  }

  putItem(tableId: string, entry: TableEntry): Promise<WriteOutcome>;
  putItem(tableId: string, entry: TableEntry, expect: Expectation): Promise<CasOutcome>;
  putItem(tableId: string, entry: TableEntry, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    const token = itemToken(entry.key);
    return this.write(tableId, entry.key, encodeItem(entry.key, entry.value, token), expect);
  }

  deleteItem(tableId: string, key: string): Promise<WriteOutcome>;
  deleteItem(tableId: string, key: string, expect: Expectation): Promise<CasOutcome>;
  deleteItem(tableId: string, key: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(tableId, key, undefined, expect);
  }

  async scan(tableId: string, afterKey: string | undefined, limit: number): Promise<TableEntry[]> {
    await this.settled(tableId);
    return this.copy.scan(tableId, afterKey, limit);
  }

  async stats(tableId: string): Promise<{ itemCount: number; sizeBytes: number }> {
    await this.settled(tableId);
    return this.copy.stats(tableId);
  }

  async close(): Promise<void> {
    this.bucket.close();
    await Promise.allSettled([...this.inflight.values()].flatMap((writes) => [...writes.values()]));
  }

  /**
   * One item write. It is published before this returns to the event loop, so writes through this
   * node reach the stream in call order (one connection keeps its publishes in order).
   */
  private write(tableId: string, key: string, value: Uint8Array | undefined, expect: Expectation | undefined): Promise<WriteOutcome | CasOutcome> {
    if (this.copy.isDropped(tableId)) {
      return Promise.resolve({ ok: false, failure: { kind: "gone", message: `the table ${tableId} was dropped` } });
    }
    const written = this.bucket.write(itemKey(tableId, key), value, expect);
    this.track(tableId, key, written);
    return written.then((outcome) => (expect === undefined ? unconditional(outcome) : outcome));
  }

  private track(tableId: string, key: string, written: Promise<unknown>): void {
    let writes = this.inflight.get(tableId);
    if (writes === undefined) {
      writes = new Map();
      this.inflight.set(tableId, writes);
    }
    const previous = writes.get(key);
    const chained = previous === undefined ? written : Promise.allSettled([previous, written]);
    writes.set(key, chained);
    void chained.finally(() => {
      if (writes.get(key) !== chained) return;
      writes.delete(key);
      if (writes.size === 0 && this.inflight.get(tableId) === writes) this.inflight.delete(tableId);
    });
  }

  /** Waits for this node's writes in flight on the item (or, without a key, on the table). */
  private async settled(tableId: string, key?: string): Promise<void> {
    const writes = this.inflight.get(tableId);
    if (writes === undefined) return;
    if (key !== undefined) {
      const pending = writes.get(key);
      if (pending !== undefined) await pending.then(noop, noop);
      return;
    }
    await Promise.allSettled([...writes.values()]);
  }
}

function noop(): void {}
