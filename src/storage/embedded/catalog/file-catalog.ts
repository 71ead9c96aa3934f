/**
 * The durable catalog: entries (keyed by account and name), each account's settings and the data directory's secret, in one snapshot
 * file replaced atomically on every change, so after a crash at any moment it holds the old state
 * or the new one, never a mix.
 *
 * Changes are group-committed: those that arrive while a snapshot is being written go out together
 * in the next one. Readers see every change as soon as it is made (as with the memory engine); if
 * writing it fails, the change is withdrawn and its promise reports the failure.
 */
import type { Catalog, StorageFailure, WriteOutcome } from "../../types.js";
import type { FsPort } from "../fs-port.js";
import { isNotFound, readWholeFile, replaceFile } from "../fs-port.js";
import type { Random } from "../../../util/random.js";
import type { Logger } from "../../../util/logger.js";
import { storageFailure } from "../failure.js";
import { catalogEntryKey, decodeCatalog, encodeCatalog } from "./catalog-file.js";
import { copyEntries, deleteEntry, entryOf, setEntry, sortedEntries, type EntriesByAccount } from "../../catalog-keys.js";
import { assert } from "../../../util/assert.js";
import { deepFreeze } from "../../../util/freeze.js";

export const catalogFileName = "catalog";
const secretBytes = 32;
const closedFailure: StorageFailure = { kind: "closed", message: "the catalog is closed" };

type Change =
  | { kind: "put"; accountId: string; name: string; entry: object }
  | { kind: "remove"; accountId: string; name: string }
  | { kind: "account"; accountId: string; settings: object };

/** Everything one snapshot holds besides the secret. */
interface State {
  entries: EntriesByAccount<object>;
  accounts: Map<string, object>;
}

interface QueuedChange {
  change: Change;
  resolve(outcome: WriteOutcome): void;
}

export class CatalogUnreadableError extends Error {
  override name = "CatalogUnreadableError";
}

export class FileCatalog implements Catalog {
  /** As the snapshot on disk holds it. */
  private durable: State;
  /** The durable state with every queued change applied: what readers see. */
  private view: State;
  /** list()'s answers, per account ("" for all), until the next change. */
  private sorted = new Map<string, object[]>();
  private queue: QueuedChange[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly fs: FsPort,
    private readonly dir: string,
    private readonly logger: Logger,
    private generation: number,
    private readonly secretValue: Buffer,
    entries: readonly object[],
    accounts: Record<string, object>,
  ) {
    this.durable = { entries: new Map(), accounts: new Map(Object.entries(accounts)) };
    for (const entry of entries) {
      const { accountId, name } = catalogEntryKey(entry);
      setEntry(this.durable.entries, accountId, name, entry);
    }
    this.view = copyState(this.durable);
  }

  /**
   * Loads the snapshot in `dir`. If there is none and `mayCreate`, writes a first one with a new
   * secret; a missing or damaged snapshot is otherwise an error (never silently an empty catalog).
   * A snapshot from before accounts (format 1 or 2) opens with its streams and settings in
   * `legacyAccountId`, the server's configured account.
   */
  static async open(
    fs: FsPort,
    dir: string,
    options: { random: Random; logger: Logger; mayCreate: boolean; legacyAccountId: string },
  ): Promise<FileCatalog> {
    await fs.mkdir(dir);
    const temporary = `${dir}/${catalogFileName}.tmp`;
    if (await fs.exists(temporary)) await fs.unlink(temporary);
    let bytes: Buffer | undefined;
    try {
      bytes = await readWholeFile(fs, `${dir}/${catalogFileName}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (bytes === undefined) {
      if (!options.mayCreate) throw new CatalogUnreadableError(`${dir}/${catalogFileName} is missing from an initialised data directory`);
      const secret = options.random.bytes(secretBytes);
      await replaceFile(fs, dir, catalogFileName, encodeCatalog({ generation: 1, secret, streams: [], accounts: {} }), true);
      return new FileCatalog(fs, dir, options.logger, 1, secret, [], {});
    }
    const decoded = decodeCatalog(bytes, options.legacyAccountId);
    if (!decoded.ok) throw new CatalogUnreadableError(`${dir}/${catalogFileName}: ${decoded.reason}`);
    const { generation, secret, streams, accounts } = decoded.snapshot;
    return new FileCatalog(fs, dir, options.logger, generation, secret, streams, accounts);
  }

  list(accountId?: string): readonly object[] {
    const key = accountId ?? "";
    let sorted = this.sorted.get(key);
    if (sorted === undefined) {
      sorted = sortedEntries(this.view.entries, accountId).map(deepFreeze);
      this.sorted.set(key, sorted);
    }
    return sorted;
  }

  get(accountId: string, name: string): object | undefined {
    const entry = entryOf(this.view.entries, accountId, name);
    // Frozen, not copied: callers change an entry by putting a new object.
    return entry && deepFreeze(entry);
  }

  put(accountId: string, name: string, entry: object): Promise<WriteOutcome> {
    const key = catalogEntryKey(entry);
    // The snapshot names entries by their own members (catalog-file.ts): they must agree with the key.
    assert(key.accountId === accountId && key.name === name, `catalog entry ${key.accountId}/${key.name} put as ${accountId}/${name}`);
    return this.change({ kind: "put", accountId, name, entry: structuredClone(entry) });
  }

  remove(accountId: string, name: string): Promise<WriteOutcome> {
    return this.change({ kind: "remove", accountId, name });
  }

  accountSettings(accountId: string): object | undefined {
    const settings = this.view.accounts.get(accountId);
    return settings && deepFreeze(settings);
  }

  putAccountSettings(accountId: string, settings: object): Promise<WriteOutcome> {
    return this.change({ kind: "account", accountId, settings: structuredClone(settings) });
  }

  secret(): Buffer {
    return this.secretValue;
  }

  /** Waits for queued changes to be written; later changes fail as closed. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
  }

  private change(change: Change): Promise<WriteOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, failure: closedFailure });
    return new Promise((resolve) => {
      this.queue.push({ change, resolve });
      apply(this.view, change);
      this.sorted.clear();
      this.writing ??= this.writeLoop();
    });
  }

  /** Writes rounds until the queue is empty; clears `writing` in the same tick it sees it empty. */
  private async writeLoop(): Promise<void> {
    await Promise.resolve();
    for (;;) {
      if (this.queue.length === 0) {
        this.writing = undefined;
        return;
      }
      const round = this.queue.splice(0);
      const next = copyState(this.durable);
      for (const queued of round) apply(next, queued.change);
      const streams = sortedEntries(next.entries);
      try {
        const snapshot = { generation: this.generation + 1, secret: this.secretValue, streams, accounts: Object.fromEntries(next.accounts) };
        const bytes = encodeCatalog(snapshot);
        await replaceFile(this.fs, this.dir, catalogFileName, bytes, true);
        this.durable = next;
        this.generation++;
        for (const queued of round) queued.resolve({ ok: true });
      } catch (error) {
        const failure = storageFailure(error, "write the catalog");
        this.logger.error({ failure: failure.message }, "catalog update failed; the change is withdrawn");
        this.view = copyState(this.durable);
        for (const queued of this.queue) apply(this.view, queued.change);
        this.sorted.clear();
        for (const queued of round) queued.resolve({ ok: false, failure });
      }
    }
  }
}

function apply(state: State, change: Change): void {
  if (change.kind === "put") setEntry(state.entries, change.accountId, change.name, change.entry);
  else if (change.kind === "remove") deleteEntry(state.entries, change.accountId, change.name);
  else state.accounts.set(change.accountId, change.settings);
}

/** A state to change without touching `state`: entries are replaced whole, never mutated, so copying the maps is enough. */
function copyState(state: State): State {
  return { entries: copyEntries(state.entries), accounts: new Map(state.accounts) };
}
