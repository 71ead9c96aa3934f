/**
 * The embedded engine's tables: every table in memory, made durable by a per-table journal of
 * item mutations (table-files.ts; docs/formats/tables.md) under `<dataDir>/tables/<tableId>/`.
 *
 * Writes apply in memory at once (a compare-and-set checks its revision in the same step) and
 * resolve when their frame is durable. Frames written while
 * a flush runs wait and go out together in the next one: one write and one fdatasync for all of
 * them (group commit). When a journal grows past `compactionFactor` times its table's live bytes
 * it is rewritten as one put per item (temporary file, fsync, rename, directory fsync), between
 * flushes, so no write is lost to the swap. A failed journal write (disk full, I/O error) fails
 * every write of its flush; the table's memory may then hold changes the disk lacks, so the next
 * write first brings the two together again — once the writes in flight have settled, the journal
 * is reopened, replayed, and cut after its last whole frame — and goes on if that worked (space
 * came back), or fails as well. Nothing acknowledged is lost: an acknowledged frame is on disk.
 */
import type { Logger } from "../../../util/logger.js";
import { assert } from "../../../util/assert.js";
import { deepFreeze } from "../../../util/freeze.js";
import {
  isNoSpace, isNotFound, readWholeFile, removeTree, replaceFile, writeFully, type FileHandlePort, type FsPort,
} from "../fs-port.js";
import type { FsyncPolicy } from "../fsync-policy.js";
import type { CasOutcome, Expectation, StorageFailure, TableEntry, TableExists, TableMeta, TableStore, VersionedItem, WriteOutcome } from "../../types.js";
import { TableItems, sortTables, tableKey } from "../../table-items.js";
import { decodeMeta, encodeMeta, encodeMutation, journalHeader, replayJournal, type TableMutation } from "./table-files.js";

/** A journal is rewritten once it holds this many times its table's live bytes… */
export const compactionFactor = 4;
/** …and at least this many bytes, so a small table is not rewritten on every write. */
export const compactionFloorBytes = 64 * 1024;

const metaFileName = "meta";
const journalFileName = "journal";
const tableIdPattern = /^[0-9a-f][0-9a-f-]{0,63}$/;
const done: WriteOutcome = { ok: true };

export class TableDataError extends Error {
  override name = "TableDataError";
}

interface Pending {
  frame: Buffer;
  /** What the write answers once durable: done, or a compare-and-set's revision. */
  success: WriteOutcome | CasOutcome;
  resolve: (outcome: WriteOutcome | CasOutcome) => void;
}

class TableJournal {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: StorageFailure | undefined;
  private recovering: Promise<void> | undefined;

  constructor(
    private readonly store: EmbeddedTableStore,
    readonly dir: string,
    private handle: FileHandlePort,
    private sizeBytes: number,
    /** Replaced, not changed in place, when the journal is replayed after a failure. */
    public items: TableItems,
  ) {}

  /**
   * Applies the mutation in memory — if `expect` holds, checked in the same synchronous step, so no
   * other write comes between — and resolves once its frame is durable.
   */
  write(mutation: TableMutation, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    if (this.failure !== undefined || this.recovering !== undefined) {
      // A recovery that failed (the journal could not be read or cut) is tried again by the next write.
      this.recovering ??= this.idle()
        .then(() => this.recover())
        .finally(() => (this.recovering = undefined));
      return this.recovering.then(() => (this.failure !== undefined ? { ok: false, failure: this.failure } : this.write(mutation, expect)));
    }
    const conflict = this.items.conflict(mutation.key, expect);
    if (conflict !== undefined) return Promise.resolve({ ok: false, conflict });
    const revision = mutation.op === "put" ? this.items.put(mutation.key, mutation.value) : this.items.delete(mutation.key);
    // An unconditional write answers as it always has; a compare-and-set also gives the revision.
    const success = expect === undefined ? done : { ok: true as const, revision };
    return new Promise((resolve) => {
      this.pending.push({ frame: encodeMutation(mutation), success, resolve });
      this.flushing ??= this.flushAll();
    });
  }

  /** Resolves once every write made so far has been flushed (or failed). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.idle();
    await this.handle.close().catch(() => undefined);
  }

  private async flushAll(): Promise<void> {
    const failed: { entry: Pending; outcome: WriteOutcome }[] = [];
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const outcome = await this.flush(batch.map((entry) => entry.frame));
      if (outcome.ok) for (const entry of batch) entry.resolve(entry.success);
      else for (const entry of batch) failed.push({ entry, outcome });
      if (outcome.ok && this.shouldCompact()) await this.compact();
    }
    if (this.failure !== undefined) {
      // Memory holds the failed writes: make it the disk's state again before they are answered,
      // so no reader sees a change that was refused.
      const recovery = this.recover();
      this.recovering = recovery;
      await recovery;
      this.recovering = undefined;
    }
    for (const { entry, outcome } of failed) entry.resolve(outcome);
    this.flushing = undefined;
  }

  private async flush(frames: Buffer[]): Promise<WriteOutcome> {
    if (this.failure) return { ok: false, failure: this.failure };
    try {
      await writeFully(this.handle, frames, this.sizeBytes);
      if (this.store.fsync !== "never") await this.handle.datasync();
      for (const frame of frames) this.sizeBytes += frame.length;
      return done;
    } catch (error) {
      this.failure = failureOf(error, `writing ${this.dir}/${journalFileName}`);
      this.store.logger.error({ err: error, dir: this.dir }, "table journal write failed; the next write replays the journal first");
      return { ok: false, failure: this.failure };
    }
  }

  /** After a failed write or compaction (no flush running): makes memory the disk's state again, if the disk can be read and cut. */
  private async recover(): Promise<void> {
    const path = `${this.dir}/${journalFileName}`;
    try {
      const replay = replayJournal(await readWholeFile(this.store.fs, path));
      if (!replay.ok) throw new TableDataError(`${path}: ${replay.reason}`);
      // Reopened: after a failed compaction the old handle may name a file that was replaced.
      const handle = await this.store.fs.open(path, "readWrite");
      await this.handle.close().catch(() => undefined);
      this.handle = handle;
      // A failed flush may have left part of its frames: cut them, durably, before appending again.
      if (replay.torn) {
        await handle.truncate(replay.validBytes);
        await handle.datasync();
      }
      // Revisions go on from the copy being replaced: a compare-and-set against it must not succeed here.
      replay.items.renumberAfter(this.items.lastRevision());
      this.items = replay.items;
      this.sizeBytes = replay.validBytes;
      this.failure = undefined;
      this.store.logger.warn({ dir: this.dir }, "table journal recovered after a failed write; writes resume");
    } catch (error) {
      this.failure = failureOf(error, `recovering ${path}`);
    }
  }

  private shouldCompact(): boolean {
    const live = this.items.stats().sizeBytes;
    return this.sizeBytes > compactionFloorBytes && this.sizeBytes > compactionFactor * live;
  }

  private async compact(): Promise<void> {
    const frames = [journalHeader(), ...this.items.entries().map((entry) => encodeMutation({ op: "put", ...entry }))];
    try {
      await replaceFile(this.store.fs, this.dir, journalFileName, Buffer.concat(frames), this.store.fsync !== "never");
      const handle = await this.store.fs.open(`${this.dir}/${journalFileName}`, "readWrite");
      await this.handle.close().catch(() => undefined);
      this.handle = handle;
      this.sizeBytes = frames.reduce((sum, frame) => sum + frame.length, 0);
    } catch (error) {
      // The old journal is still whole (the rename is atomic) but the handle may now name a
      // replaced file: no append until recover() has reopened the journal.
      this.failure = failureOf(error, `compacting ${this.dir}/${journalFileName}`);
      this.store.logger.error({ err: error, dir: this.dir }, "table journal compaction failed; the next write reopens the journal first");
    }
  }
}

export class EmbeddedTableStore implements TableStore {
  private readonly metas = new Map<string, TableMeta>();
  private readonly journals = new Map<string, TableJournal>();
  /** Names whose creation is under way. */
  private readonly creating = new Set<string>();
  private closed = false;

  private constructor(
    readonly fs: FsPort,
    private readonly dir: string,
    readonly fsync: FsyncPolicy,
    readonly logger: Logger,
  ) {}

  /** Loads every table under `dir`, removing what an interrupted create or drop left behind. */
  static async open(fs: FsPort, dir: string, fsync: FsyncPolicy, logger: Logger): Promise<EmbeddedTableStore> {
    const store = new EmbeddedTableStore(fs, dir, fsync, logger);
    await fs.mkdir(dir);
    for (const entry of await fs.readdir(dir)) {
      if (!entry.isDirectory) continue;
      await store.load(`${dir}/${entry.name}`);
    }
    return store;
  }

  private async load(tableDir: string): Promise<void> {
    let meta: TableMeta | undefined;
    try {
      meta = decodeMeta(await readWholeFile(this.fs, `${tableDir}/${metaFileName}`));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (meta === undefined) {
      this.logger.warn({ dir: tableDir }, "removing a table directory without a valid meta file (an interrupted create or drop)");
      await removeTree(this.fs, tableDir);
      return;
    }
    const path = `${tableDir}/${journalFileName}`;
    const replay = replayJournal(await readWholeFile(this.fs, path));
    if (!replay.ok) throw new TableDataError(`${path}: ${replay.reason}`);
    const handle = await this.fs.open(path, "readWrite");
    if (replay.torn) {
      this.logger.warn({ path, validBytes: replay.validBytes }, "cutting a torn tail off a table journal");
      await handle.truncate(replay.validBytes);
      await handle.datasync();
    }
    this.metas.set(tableKey(meta.accountId, meta.TableName), deepFreeze(meta));
    this.journals.set(meta.tableId, new TableJournal(this, tableDir, handle, replay.validBytes, replay.items));
  }

  async list(accountId?: string): Promise<readonly TableMeta[]> {
    return sortTables(this.metas.values(), accountId);
  }

  async get(accountId: string, tableName: string): Promise<TableMeta | undefined> {
    return this.metas.get(tableKey(accountId, tableName));
  }

  async create(meta: TableMeta): Promise<WriteOutcome | TableExists> {
    assert(tableIdPattern.test(meta.tableId), `table id ${meta.tableId} is not safe as a file name`);
    if (this.closed) return closedOutcome;
    const name = tableKey(meta.accountId, meta.TableName);
    // The name is taken from the moment a creation starts: a racing creation finds it so.
    if (this.metas.has(name) || this.creating.has(name)) return { ok: false, exists: true };
    this.creating.add(name);
    try {
      return await this.createFiles(meta);
    } finally {
      this.creating.delete(name);
    }
  }

  private async createFiles(meta: TableMeta): Promise<WriteOutcome> {
    const tableDir = `${this.dir}/${meta.tableId}`;
    try {
      await this.fs.mkdir(tableDir);
      const durable = this.fsync !== "never";
      await replaceFile(this.fs, tableDir, journalFileName, journalHeader(), durable);
      // The meta file last: until it is whole the table does not exist, and open() removes the rest.
      await replaceFile(this.fs, tableDir, metaFileName, encodeMeta(meta), durable);
      if (durable) await this.fs.syncDir(this.dir);
      const handle = await this.fs.open(`${tableDir}/${journalFileName}`, "readWrite");
      const frozen = deepFreeze(structuredClone(meta));
      this.metas.set(tableKey(meta.accountId, meta.TableName), frozen);
      this.journals.set(meta.tableId, new TableJournal(this, tableDir, handle, journalHeader().length, new TableItems()));
      return done;
    } catch (error) {
      return { ok: false, failure: failureOf(error, `creating ${tableDir}`) };
    }
  }

  async drop(accountId: string, tableName: string): Promise<WriteOutcome> {
    if (this.closed) return closedOutcome;
    const meta = this.metas.get(tableKey(accountId, tableName));
    if (meta === undefined) return done;
    const journal = this.journals.get(meta.tableId)!;
    this.metas.delete(tableKey(accountId, tableName));
    this.journals.delete(meta.tableId);
    try {
      await journal.close();
      // Without its meta file the table is gone, whatever a crash leaves of the rest.
      await this.fs.unlink(`${journal.dir}/${metaFileName}`);
      if (this.fsync !== "never") await this.fs.syncDir(journal.dir);
      await removeTree(this.fs, journal.dir);
      if (this.fsync !== "never") await this.fs.syncDir(this.dir);
      return done;
    } catch (error) {
      return { ok: false, failure: failureOf(error, `dropping ${journal.dir}`) };
    }
  }

  async getItem(tableId: string, key: string): Promise<string | undefined> {
    return this.journals.get(tableId)?.items.get(key);
  }

  async getVersionedItem(tableId: string, key: string): Promise<VersionedItem | undefined> {
    return this.journals.get(tableId)?.items.getVersioned(key);
  }

  putItem(tableId: string, entry: TableEntry): Promise<WriteOutcome>;
  putItem(tableId: string, entry: TableEntry, expect: Expectation): Promise<CasOutcome>;
  putItem(tableId: string, entry: TableEntry, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(tableId, { op: "put", key: entry.key, value: entry.value }, expect);
  }

  deleteItem(tableId: string, key: string): Promise<WriteOutcome>;
  deleteItem(tableId: string, key: string, expect: Expectation): Promise<CasOutcome>;
  deleteItem(tableId: string, key: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(tableId, { op: "delete", key }, expect);
  }

  async scan(tableId: string, afterKey: string | undefined, limit: number): Promise<TableEntry[]> {
    return this.journals.get(tableId)?.items.scan(afterKey, limit) ?? [];
  }

  async stats(tableId: string): Promise<{ itemCount: number; sizeBytes: number }> {
    return this.journals.get(tableId)?.items.stats() ?? { itemCount: 0, sizeBytes: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.journals.values()].map((journal) => journal.close()));
  }

  private write(tableId: string, mutation: TableMutation, expect: Expectation | undefined): Promise<WriteOutcome | CasOutcome> {
    if (this.closed) return Promise.resolve(closedOutcome);
    const journal = this.journals.get(tableId);
    assert(journal !== undefined, `no table ${tableId}`);
    return journal.write(mutation, expect);
  }
}

const closedOutcome: WriteOutcome = { ok: false, failure: { kind: "closed", message: "the engine is closed" } };

function failureOf(error: unknown, doing: string): StorageFailure {
  const message = `${doing}: ${(error as Error | undefined)?.message ?? String(error)}`;
  return { kind: isNoSpace(error) ? "no-space" : "io", message, cause: error };
}
