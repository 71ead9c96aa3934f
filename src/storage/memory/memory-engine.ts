/**
 * The simple engine: everything in memory, nothing on disk. It is the reference the case suite
 * and the fuzz model compare against, and a fast store for tests.
 */
import type {
  AppendOutcome, AppendRecord, CasOutcome, Catalog, CatalogChange, CatalogWatch, Expectation, LogStore, ReadLimits, ReadResult,
  LogWatch, ShardLog, StorageEngine, StoredRecord, WriteOutcome,
} from "../types.js";
import type { Random } from "../../util/random.js";
import { CatalogView } from "../catalog-view.js";
import { MemoryTableStore } from "./memory-tables.js";
import { MemoryObjectStore } from "./memory-objects.js";
import { LogWatchers } from "../log-watchers.js";

const done: WriteOutcome = { ok: true };

class MemoryCatalog implements Catalog {
  private readonly view = new CatalogView();
  private readonly secretBytes: Buffer;
  constructor(random: Random) {
    this.secretBytes = random.bytes(32);
  }
  async list(accountId?: string): Promise<readonly object[]> {
    return this.view.list(accountId);
  }
  async get(accountId: string, name: string): Promise<object | undefined> {
    return this.view.get(accountId, name);
  }
  put(accountId: string, name: string, entry: object): Promise<WriteOutcome>;
  put(accountId: string, name: string, entry: object, expect: Expectation): Promise<CasOutcome>;
  async put(accountId: string, name: string, entry: object, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(accountId, name, structuredClone(entry), expect);
  }
  remove(accountId: string, name: string): Promise<WriteOutcome>;
  remove(accountId: string, name: string, expect: Expectation): Promise<CasOutcome>;
  async remove(accountId: string, name: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(accountId, name, undefined, expect);
  }
  async accountSettings(accountId: string): Promise<object | undefined> {
    return this.view.accountSettings(accountId);
  }
  async putAccountSettings(accountId: string, settings: object): Promise<WriteOutcome> {
    this.view.setSettings(accountId, structuredClone(settings));
    return done;
  }
  secret(): Buffer {
    return this.secretBytes;
  }
  watch(listener: (change: CatalogChange<object, object>) => void): CatalogWatch {
    return this.view.watch(listener);
  }
  private write(accountId: string, name: string, entry: object | undefined, expect: Expectation | undefined): WriteOutcome | CasOutcome {
    const conflict = this.view.conflict(accountId, name, expect);
    if (conflict !== undefined) return { ok: false, conflict };
    const revision = this.view.setEntry(accountId, name, entry);
    // An unconditional write answers as it always has; a compare-and-set also gives the revision.
    return expect === undefined ? done : { ok: true, revision };
  }
}

/** One shard's records, shared by every handle on the same memory data. */
class MemoryShardData {
  records: StoredRecord[] = [];
  firstOffset = 0;
  lastArrivalMs = 0;
  /** After seal(): appends through every handle fail as closed. */
  sealed = false;
  readonly watchers = new LogWatchers();

  endOffset(): number {
    return this.firstOffset + this.records.length;
  }
}

/** One handle's view of a shard: the shared records, refused once this handle's engine closed. */
export class MemoryShardLog implements ShardLog {
  constructor(
    private readonly data: MemoryShardData,
    private readonly isClosed: () => boolean = () => false,
  ) {}

  async append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> {
    if (this.isClosed()) return { ok: false, failure: { kind: "closed", message: "the engine is closed" } };
    const data = this.data;
    if (data.sealed) return { ok: false, failure: { kind: "closed", message: "the shard is sealed: no append may follow" } };
    const at = Math.max(arrivalMs, data.lastArrivalMs);
    data.lastArrivalMs = at;
    const first = data.endOffset();
    for (const record of records) {
      // Copy: the caller may reuse its buffer, and the log must hold what was appended.
      const stored: StoredRecord = { offset: data.endOffset(), arrivalMs: at, partitionKey: record.partitionKey, data: Buffer.from(record.data) };
      if (record.explicitHashKey !== undefined) stored.explicitHashKey = record.explicitHashKey;
      // Sealed records stay sealed here too: the service seals and opens them, whatever the engine.
      if (record.sealedWith !== undefined) stored.sealedWith = record.sealedWith;
      data.records.push(stored);
    }
    // Readable and (for this engine) durable now: every handle's watchers hear of it.
    if (records.length > 0) data.watchers.announce(data.endOffset());
    return { ok: true, firstOffset: first, arrivalMs: at };
  }

  async read(fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
    const { records, firstOffset } = this.data;
    let index = Math.max(fromOffset, firstOffset) - firstOffset;
    const out: StoredRecord[] = [];
    let bytes = 0;
    while (index < records.length && out.length < limits.recordsMax) {
      const record = records[index]!;
      if (out.length > 0 && bytes + record.data.length > limits.bytesMax) break;
      bytes += record.data.length;
      // Readers get their own copies, as from a disk engine: mutating one must not change the log.
      out.push({ ...record, data: Buffer.from(record.data) });
      index++;
    }
    const result: ReadResult = { records: out, nextOffset: firstOffset + index };
    const next = records[index];
    if (next) result.nextArrivalMs = next.arrivalMs;
    return result;
  }

  async offsetAtTime(timestampMs: number): Promise<number> {
    const { records, firstOffset } = this.data;
    // Arrival times never decrease along the log, so binary search applies.
    let low = 0;
    let high = records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (records[mid]!.arrivalMs < timestampMs) low = mid + 1;
      else high = mid;
    }
    return firstOffset + low;
  }

  startOffset(): number {
    return this.data.firstOffset;
  }

  endOffset(): number {
    return this.data.endOffset();
  }

  async trimBefore(cutoffMs: number): Promise<void> {
    const data = this.data;
    const keepFrom = (await this.offsetAtTime(cutoffMs)) - data.firstOffset;
    if (keepFrom <= 0) return;
    data.records = data.records.slice(keepFrom);
    data.firstOffset += keepFrom;
  }

  watch(listener: (endOffset: number) => void): LogWatch {
    return this.data.watchers.watch(listener);
  }

  async seal(): Promise<WriteOutcome> {
    if (this.isClosed()) return { ok: false, failure: { kind: "closed", message: "the engine is closed" } };
    this.data.sealed = true;
    return { ok: true };
  }

  /** Whether this handle views `data` (rather than a dropped stream's). */
  isOver(data: MemoryShardData): boolean {
    return this.data === data;
  }
}

/**
 * The memory engine's logs, shared by every handle made over them: what a second process would
 * share through the files or the cluster (the case suite's "second handle").
 */
export class MemoryLogData {
  readonly shards = new Map<string, MemoryShardData>();
}

export class MemoryLogStore implements LogStore {
  private readonly handles = new Map<string, MemoryShardLog>();
  closed = false;

  /** A handle on `data` (new data by default); handles on the same data see one another's appends. */
  constructor(readonly data: MemoryLogData = new MemoryLogData()) {}

  shard(streamId: string, shardIndex: number): ShardLog {
    const key = `${streamId}/${shardIndex}`;
    let shard = this.data.shards.get(key);
    if (!shard) {
      shard = new MemoryShardData();
      this.data.shards.set(key, shard);
    }
    let log = this.handles.get(key);
    // A handle made before another handle dropped the stream follows the data now under the key.
    if (!log || !log.isOver(shard)) {
      log = new MemoryShardLog(shard, () => this.closed);
      this.handles.set(key, log);
    }
    return log;
  }

  async dropStream(streamId: string): Promise<void> {
    for (const key of [...this.data.shards.keys()]) if (key.startsWith(streamId + "/")) this.data.shards.delete(key);
    for (const key of [...this.handles.keys()]) if (key.startsWith(streamId + "/")) this.handles.delete(key);
  }
}

export function createMemoryEngine(random: Random): StorageEngine {
  const logs = new MemoryLogStore();
  const tables = new MemoryTableStore();
  const objects = new MemoryObjectStore(random);
  return {
    name: "memory",
    catalog: new MemoryCatalog(random),
    logs,
    tables,
    objects,
    close: async () => {
      logs.closed = true;
      tables.closed = true;
      objects.close();
    },
  };
}
