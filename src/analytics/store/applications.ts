/**
 * Applications and their checkpoints in the service's own tables (NamespacedTables("analytics"):
 * `analytics@<account>`, invisible to DynamoDB callers, dropped by a reset). Table `applications`:
 * key = name, value = StoredApplication JSON. Table `checkpoints`: key = `<incarnation>\u0000<part>`,
 * value = JSON (runtime/checkpoints.ts).
 *
 * Writes resolve once durable (TableStore). Changes to an application are compare-and-set on the
 * item's revision, so two concurrent updates never lose one another — and since every process of
 * a cluster reads the same tables, the runtime of any process sees the same application.
 */
import type { TableStore } from "../../storage/types.js";
import type { NamespacedTables } from "../../storage/service-tables.js";
import type { StoredApplication } from "../model.js";
import { analyticsErrors } from "../errors.js";
import { putFenced, type HeldLease } from "../../storage/work-leases.js";

const applicationsTable = "applications";
const checkpointsTable = "checkpoints";
const scanPageItems = 1000;

export type ApplicationUpdate = (current: StoredApplication) => StoredApplication;

export class ApplicationStore {
  constructor(
    private readonly namespaced: NamespacedTables,
    private readonly tables: TableStore,
  ) {}

  async get(accountId: string, name: string): Promise<StoredApplication | undefined> {
    const value = await this.tables.getItem(await this.namespaced.tableId(accountId, applicationsTable), name);
    return value === undefined ? undefined : (JSON.parse(value) as StoredApplication);
  }

  /** The account's applications sorted by name. */
  async list(accountId: string): Promise<StoredApplication[]> {
    const tableId = await this.namespaced.tableId(accountId, applicationsTable);
    const out: StoredApplication[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.tables.scan(tableId, after, scanPageItems);
      for (const entry of page) out.push(JSON.parse(entry.value) as StoredApplication);
      if (page.length < scanPageItems) return out;
      after = page[page.length - 1]!.key;
    }
  }

  /** Every account holding applications (the runtime's start). */
  accounts(): Promise<string[]> {
    return this.namespaced.accountsWith(applicationsTable);
  }

  /** Creates the application; false if the name is taken. */
  async create(accountId: string, application: StoredApplication): Promise<boolean> {
    const tableId = await this.namespaced.tableId(accountId, applicationsTable);
    const outcome = await this.tables.putItem(tableId, { key: application.ApplicationName, value: JSON.stringify(application) }, { expectedRevision: "absent" });
    if (outcome.ok) return true;
    if ("conflict" in outcome) return false;
    throw analyticsErrors.storageUnavailable(outcome.failure);
  }

  /**
   * Applies `update` to the application as stored, again on a concurrent change; undefined if it is
   * gone. `update` may throw a ServiceError (a version or status check), which nothing stores.
   */
  async update(accountId: string, name: string, update: ApplicationUpdate): Promise<StoredApplication | undefined> {
    const tableId = await this.namespaced.tableId(accountId, applicationsTable);
    for (;;) {
      const item = await this.tables.getVersionedItem(tableId, name);
      if (item === undefined) return undefined;
      const next = update(JSON.parse(item.value) as StoredApplication);
      const outcome = await this.tables.putItem(tableId, { key: name, value: JSON.stringify(next) }, { expectedRevision: item.revision });
      if (outcome.ok) return next;
      if (!("conflict" in outcome)) throw analyticsErrors.storageUnavailable(outcome.failure);
    }
  }

  /** Removes the application if it is still the incarnation given (a re-created name is left alone). */
  async remove(accountId: string, name: string, incarnationId: string): Promise<void> {
    const tableId = await this.namespaced.tableId(accountId, applicationsTable);
    for (;;) {
      const item = await this.tables.getVersionedItem(tableId, name);
      if (item === undefined || (JSON.parse(item.value) as StoredApplication).incarnationId !== incarnationId) return;
      const outcome = await this.tables.deleteItem(tableId, name, { expectedRevision: item.revision });
      if (outcome.ok) return;
      if (!("conflict" in outcome)) throw analyticsErrors.storageUnavailable(outcome.failure);
    }
  }

  async checkpoint(accountId: string, incarnationId: string, part: string): Promise<string | undefined> {
    return this.tables.getItem(await this.namespaced.tableId(accountId, checkpointsTable), checkpointKey(incarnationId, part));
  }

  /**
   * Resolves true once the checkpoint is durable; false if storage refused it (the runtime tries
   * again later) or, under `lease`, if this node no longer holds the application's work lease.
   */
  async putCheckpoint(accountId: string, incarnationId: string, part: string, value: string, lease?: HeldLease): Promise<boolean> {
    if (lease !== undefined && !lease.held()) return false;
    const outcome = await this.tables.putItem(await this.namespaced.tableId(accountId, checkpointsTable), { key: checkpointKey(incarnationId, part), value });
    return outcome.ok;
  }

  /** Writes a checkpoint's head (its commit), fenced by the work lease's epoch (src/storage/work-leases.ts, putFenced). */
  async putCheckpointHead(accountId: string, incarnationId: string, head: object, lease: HeldLease | undefined): Promise<boolean> {
    const outcome = await putFenced(this.tables, await this.namespaced.tableId(accountId, checkpointsTable), checkpointKey(incarnationId, "head"), { ...head }, lease);
    return outcome.ok;
  }

  /** The checkpoint items of an incarnation whose part begins with `prefix`, in key order (at most `limit`). */
  async checkpointParts(accountId: string, incarnationId: string, prefix: string, limit: number): Promise<{ part: string; value: string }[]> {
    const tableId = await this.namespaced.tableId(accountId, checkpointsTable);
    const keyPrefix = checkpointKey(incarnationId, prefix);
    const out: { part: string; value: string }[] = [];
    let after = keyPrefix;
    while (out.length < limit) {
      const page = await this.tables.scan(tableId, after, Math.min(scanPageItems, limit - out.length));
      const mine = page.filter((entry) => entry.key.startsWith(keyPrefix));
      for (const entry of mine) out.push({ part: entry.key.slice(incarnationId.length + 1), value: entry.value });
      if (mine.length < page.length || page.length === 0) return out;
      after = page[page.length - 1]!.key;
    }
    return out;
  }

  async deleteCheckpointPart(accountId: string, incarnationId: string, part: string): Promise<void> {
    await this.tables.deleteItem(await this.namespaced.tableId(accountId, checkpointsTable), checkpointKey(incarnationId, part));
  }

  /** Removes the checkpoint items of an incarnation whose part begins with `prefix`. */
  async deleteCheckpointParts(accountId: string, incarnationId: string, prefix: string): Promise<void> {
    const tableId = await this.namespaced.tableId(accountId, checkpointsTable);
    const keyPrefix = checkpointKey(incarnationId, prefix);
    for (;;) {
      const page = await this.tables.scan(tableId, keyPrefix, scanPageItems);
      const mine = page.filter((entry) => entry.key.startsWith(keyPrefix));
      for (const entry of mine) await this.tables.deleteItem(tableId, entry.key);
      if (mine.length < scanPageItems) return;
    }
  }

  /** Removes every checkpoint of an application incarnation (its deletion). */
  async dropCheckpoints(accountId: string, incarnationId: string): Promise<void> {
    const tableId = await this.namespaced.tableId(accountId, checkpointsTable);
    const prefix = `${incarnationId}\u0000`;
    for (;;) {
      const page = await this.tables.scan(tableId, prefix, scanPageItems);
      const mine = page.filter((entry) => entry.key.startsWith(prefix));
      for (const entry of mine) await this.tables.deleteItem(tableId, entry.key);
      if (mine.length < scanPageItems) return;
    }
  }
}

function checkpointKey(incarnationId: string, part: string): string {
  return `${incarnationId}\u0000${part}`;
}
