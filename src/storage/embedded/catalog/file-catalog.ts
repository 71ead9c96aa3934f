/**
 * The durable catalog: entries (keyed by account and name), each account's settings and the data directory's secret, in one snapshot
 * file replaced atomically on every change, so after a crash at any moment it holds the old state
 * or the new one, never a mix.
 *
 * Changes are group-committed: those that arrive while a snapshot is being written go out together
 * in the next one. Readers (and watchers) see every change as soon as it is made (as with the
 * memory engine); if writing it fails, the change is withdrawn — watchers see the entry restored,
 * under a new revision — and its promise reports the failure. Revisions are not stored in the
 * snapshot (format 3 has no place for them): they count from the open, which is all one writer
 * needs, since no revision outlives the process that read it.
 */
import type { CasOutcome, Catalog, CatalogChange, CatalogWatch, Expectation, StorageFailure, WriteOutcome } from "../../types.js";
import { CatalogView } from "../../catalog-view.js";
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
  private readonly view = new CatalogView();
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
      this.view.setEntry(accountId, name, entry);
    }
    for (const [accountId, settings] of this.durable.accounts) this.view.setSettings(accountId, settings);
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

  async list(accountId?: string): Promise<readonly object[]> {
    return this.view.list(accountId);
  }

  async get(accountId: string, name: string): Promise<object | undefined> {
    return this.view.get(accountId, name);
  }

  put(accountId: string, name: string, entry: object): Promise<WriteOutcome>;
  put(accountId: string, name: string, entry: object, expect: Expectation): Promise<CasOutcome>;
  put(accountId: string, name: string, entry: object, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    const key = catalogEntryKey(entry);
    // The snapshot names entries by their own members (catalog-file.ts): they must agree with the key.
    assert(key.accountId === accountId && key.name === name, `catalog entry ${key.accountId}/${key.name} put as ${accountId}/${name}`);
    return this.change({ kind: "put", accountId, name, entry: structuredClone(entry) }, expect);
  }

  remove(accountId: string, name: string): Promise<WriteOutcome>;
  remove(accountId: string, name: string, expect: Expectation): Promise<CasOutcome>;
  remove(accountId: string, name: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.change({ kind: "remove", accountId, name }, expect);
  }

  async accountSettings(accountId: string): Promise<object | undefined> {
    return this.view.accountSettings(accountId);
  }

  putAccountSettings(accountId: string, settings: object): Promise<WriteOutcome> {
    return this.change({ kind: "account", accountId, settings: structuredClone(settings) }, undefined) as Promise<WriteOutcome>;
  }

  secret(): Buffer {
    return this.secretValue;
  }

  watch(listener: (change: CatalogChange<object, object>) => void): CatalogWatch {
    return this.view.watch(listener);
  }

  /** Waits for queued changes to be written; later changes fail as closed. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
  }

  private change(change: Change, expect: Expectation | undefined): Promise<WriteOutcome | CasOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, failure: closedFailure });
    if (change.kind !== "account") {
      // Checked against what readers see, queued changes included: the queue's order is the order of writes.
      const conflict = this.view.conflict(change.accountId, change.name, expect);
      if (conflict !== undefined) return Promise.resolve({ ok: false, conflict });
    }
    return new Promise((resolve) => {
      const revision = applyToView(this.view, change);
      // An unconditional write answers as it always has; a compare-and-set also gives the revision.
      const done: WriteOutcome | CasOutcome = expect === undefined || revision === undefined ? { ok: true } : { ok: true, revision };
      this.queue.push({ change, resolve: (outcome) => resolve(outcome.ok ? done : outcome) });
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
        this.withdraw(round);
        for (const queued of round) queued.resolve({ ok: false, failure });
      }
    }
  }

  /** Shows readers, for every key the failed round changed, the durable value with the changes still queued applied. */
  private withdraw(round: readonly QueuedChange[]): void {
    const restored = copyState(this.durable);
    for (const queued of this.queue) apply(restored, queued.change);
    for (const { change } of round) {
      if (change.kind === "account") {
        this.view.setSettings(change.accountId, restored.accounts.get(change.accountId));
      } else {
        const entry = entryOf(restored.entries, change.accountId, change.name);
        this.view.setEntry(change.accountId, change.name, entry);
      }
    }
  }
}

/** Applies a change to what readers see; returns the entry's new revision (undefined for settings). */
function applyToView(view: CatalogView, change: Change): number | undefined {
  if (change.kind === "account") {
    view.setSettings(change.accountId, change.settings);
    return undefined;
  }
  // The same object as the queued change's: the view freezes it, and nothing mutates either.
  return view.setEntry(change.accountId, change.name, change.kind === "put" ? change.entry : undefined);
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
