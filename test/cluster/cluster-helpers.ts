/**
 * Several Tributary nodes over one storage engine, in one process: each node gets its own view of
 * the engine (its own name, so the services treat it as a shared engine rather than one only this
 * process opens; a close that leaves the engine to the others), and a node's table store can be
 * cut off, as a node partitioned from the cluster would be.
 */
import type { PeerBus } from "../../src/storage/peer-bus.js";
import type { AppendOutcome, AppendRecord, CasOutcome, LogStore, ShardLog, StorageEngine, TableStore, WriteOutcome } from "../../src/storage/types.js";

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
      failing<WriteOutcome | CasOutcome>(() => (expect === undefined ? tables.putItem(tableId, entry) : tables.putItem(tableId, entry, expect)), { ok: false, failure: unreachable })) as unknown as TableStore["putItem"],
    deleteItem: ((tableId: string, key: string, expect?: { expectedRevision: number | "absent" }) =>
      failing<WriteOutcome | CasOutcome>(() => (expect === undefined ? tables.deleteItem(tableId, key) : tables.deleteItem(tableId, key, expect)), { ok: false, failure: unreachable })) as unknown as TableStore["deleteItem"],
    scan: (tableId, afterKey, limit) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.scan(tableId, afterKey, limit)),
    stats: (tableId) => (isCut ? Promise.reject(new Error(unreachable.message)) : tables.stats(tableId)),
  };
  return { tables: view, cut: (on) => void (isCut = on) };
}

export interface ClusterNodeEngine {
  engine: StorageEngine;
  /** Cuts (or restores) this node's table store. */
  cut(on: boolean): void;
  /**
   * Holds this node's appends (they wait, as an append on its way to a remote log does) until the
   * returned release is called; `held()` tells how many wait.
   */
  holdAppends(): { release(): void; held(): number };
}

/** Shard seals every node of one shared engine sees (the cluster engine's `ShardLog.seal`). */
export class SharedSeals {
  private readonly sealed = new Set<string>();
  /** Appends refused because their shard was sealed. */
  refused = 0;

  seal(streamId: string, shardIndex: number): void {
    this.sealed.add(`${streamId}/${shardIndex}`);
  }

  isSealed(streamId: string, shardIndex: number): boolean {
    return this.sealed.has(`${streamId}/${shardIndex}`);
  }
}

/**
 * One node's view of a shared engine: a cluster engine's name, its own cuttable tables, shard
 * logs with a seal shared with the other nodes (`seals`), its peer bus (`peers`: a member of a
 * createPeerHub(), src/storage/peer-bus.ts; none when absent), and a close that leaves the engine open.
 */
export function nodeEngine(shared: StorageEngine, seals = new SharedSeals(), peers?: PeerBus): ClusterNodeEngine {
  const cuttable = cuttableTables(shared.tables);
  let hold: { promise: Promise<void>; count: number } | undefined;
  const logs: LogStore = {
    shard: (streamId, shardIndex) => sealableLog(shared.logs.shard(streamId, shardIndex), streamId, shardIndex, seals, async () => {
      if (hold === undefined) return;
      hold.count++;
      await hold.promise;
    }),
    dropStream: (streamId) => shared.logs.dropStream(streamId),
  };
  const engine: StorageEngine = {
    name: "cluster-test", catalog: shared.catalog, logs, tables: cuttable.tables, objects: shared.objects, ...(peers !== undefined && { peers }), close: async () => {},
  };
  return {
    engine,
    cut: cuttable.cut,
    holdAppends() {
      let release!: () => void;
      const current = { promise: new Promise<void>((resolve) => (release = resolve)), count: 0 };
      hold = current;
      return {
        release: () => {
          if (hold === current) hold = undefined;
          release();
        },
        held: () => current.count,
      };
    },
  };
}

function sealableLog(log: ShardLog, streamId: string, shardIndex: number, seals: SharedSeals, beforeAppend: () => Promise<void>): ShardLog {
  return {
    async append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> {
      await beforeAppend();
      // Checked and appended in one step (the memory log appends synchronously), as the cluster engine's expected-sequence check is.
      if (seals.isSealed(streamId, shardIndex)) {
        seals.refused++;
        return { ok: false, failure: { kind: "closed", message: "the shard is sealed (test)" } };
      }
      return log.append(records, arrivalMs);
    },
    read: (fromOffset, limits) => log.read(fromOffset, limits),
    offsetAtTime: (timestampMs) => log.offsetAtTime(timestampMs),
    startOffset: () => log.startOffset(),
    endOffset: () => log.endOffset(),
    trimBefore: (cutoffMs) => log.trimBefore(cutoffMs),
    watch: (listener) => log.watch(listener),
    seal: async (): Promise<WriteOutcome> => {
      seals.seal(streamId, shardIndex);
      return { ok: true };
    },
  } as ShardLog;
}
