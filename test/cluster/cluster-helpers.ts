/**
 * Several Tributary nodes over one storage engine, in one process: each node gets its own view of
 * the engine (its own name, so the services treat it as a shared engine rather than one only this
 * process opens; a close that leaves the engine to the others), and a node's table store can be
 * cut off, as a node partitioned from the cluster would be.
 */
import type { StorageEngine, TableStore } from "../../src/storage/types.js";

export interface CuttableTables {
  tables: TableStore;
  /** While cut, every call fails as storage that cannot be reached does. */
  cut(on: boolean): void;
}

const unreachable = { kind: "io" as const, message: "cut off from storage (test)" };

export function cuttableTables(tables: TableStore): CuttableTables {
  let isCut = false;
  const failing = <T>(call: () => Promise<T>, failed: T): Promise<T> => (isCut ? Promise.resolve(failed) : call());
  const view: TableStore = {
    list: (accountId) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.list(accountId)),
    get: (accountId, name) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.get(accountId, name)),
    create: (meta) => failing(() => tables.create(meta), { ok: false, failure: unreachable }),
    drop: (accountId, name) => failing(() => tables.drop(accountId, name), { ok: false, failure: unreachable }),
    getItem: (tableId, key) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.getItem(tableId, key)),
    getVersionedItem: (tableId, key) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.getVersionedItem(tableId, key)),
    putItem: ((tableId: string, entry: { key: string; value: string }, expect?: { expectedRevision: number | "absent" }) =>
      failing(() => (expect === undefined ? tables.putItem(tableId, entry) : tables.putItem(tableId, entry, expect)), { ok: false, failure: unreachable })) as TableStore["putItem"],
    deleteItem: ((tableId: string, key: string, expect?: { expectedRevision: number | "absent" }) =>
      failing(() => (expect === undefined ? tables.deleteItem(tableId, key) : tables.deleteItem(tableId, key, expect)), { ok: false, failure: unreachable })) as TableStore["deleteItem"],
    scan: (tableId, afterKey, limit) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.scan(tableId, afterKey, limit)),
    stats: (tableId) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.stats(tableId)),
  };
  return { tables: view, cut: (on) => void (isCut = on) };
}

export interface ClusterNodeEngine {
  engine: StorageEngine;
  /** Cuts (or restores) this node's table store. */
  cut(on: boolean): void;
}

/** One node's view of a shared engine: a cluster engine's name, its own cuttable tables, and a close that leaves the engine open. */
export function nodeEngine(shared: StorageEngine): ClusterNodeEngine {
  const cuttable = cuttableTables(shared.tables);
  const engine: StorageEngine = {
    name: "cluster-test",
    catalog: shared.catalog,
    logs: shared.logs,
    tables: cuttable.tables,
    objects: shared.objects,
    close: async () => {},
  };
  return { engine, cut: cuttable.cut };
}
