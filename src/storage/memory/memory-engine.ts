/**
 * The simple engine: everything in memory, nothing on disk. It is the reference the case suite
 * and the fuzz model compare against, and a fast store for tests.
 */
import type {
  AppendOutcome, AppendRecord, CasOutcome, Catalog, CatalogChange, CatalogWatch, Expectation, LogStore, ReadLimits, ReadResult,
  ShardLog, StorageEngine, StoredRecord, WriteOutcome,
} from "../types.js";
import type { Random } from "../../util/random.js";
import { CatalogView } from "../catalog-view.js";
import { MemoryTableStore } from "./memory-tables.js";

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

export class MemoryShardLog implements ShardLog {
  private records: StoredRecord[] = [];
  private firstOffset = 0;
  private lastArrivalMs = 0;

  constructor(private readonly isClosed: () => boolean = () => false) {}

  async append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> {
    if (this.isClosed()) return { ok: false, failure: { kind: "closed", message: "the engine is closed" } };
    const at = Math.max(arrivalMs, this.lastArrivalMs);
    this.lastArrivalMs = at;
    const first = this.endOffset();
    for (const record of records) {
      // Copy: the caller may reuse its buffer, and the log must hold what was appended.
      const stored: StoredRecord = { offset: this.endOffset(), arrivalMs: at, partitionKey: record.partitionKey, data: Buffer.from(record.data) };
      if (record.explicitHashKey !== undefined) stored.explicitHashKey = record.explicitHashKey;
      // Sealed records stay sealed here too: the service seals and opens them, whatever the engine.
      if (record.sealedWith !== undefined) stored.sealedWith = record.sealedWith;
      this.records.push(stored);
    }
    return { ok: true, firstOffset: first, arrivalMs: at };
  }

  async read(fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
    let index = Math.max(fromOffset, this.firstOffset) - this.firstOffset;
    const out: StoredRecord[] = [];
    let bytes = 0;
    while (index < this.records.length && out.length < limits.recordsMax) {
      const record = this.records[index]!;
      if (out.length > 0 && bytes + record.data.length > limits.bytesMax) break;
      bytes += record.data.length;
      // Readers get their own copies, as from a disk engine: mutating one must not change the log.
      out.push({ ...record, data: Buffer.from(record.data) });
      index++;
    }
    const result: ReadResult = { records: out, nextOffset: this.firstOffset + index };
    const next = this.records[index];
    if (next) result.nextArrivalMs = next.arrivalMs;
    return result;
  }

  async offsetAtTime(timestampMs: number): Promise<number> {
    // Arrival times never decrease along the log, so binary search applies.
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.records[mid]!.arrivalMs < timestampMs) low = mid + 1;
      else high = mid;
    }
    return this.firstOffset + low;
  }

  startOffset(): number {
    return this.firstOffset;
  }

  endOffset(): number {
    return this.firstOffset + this.records.length;
  }

  async trimBefore(cutoffMs: number): Promise<void> {
    const keepFrom = (await this.offsetAtTime(cutoffMs)) - this.firstOffset;
    if (keepFrom <= 0) return;
    this.records = this.records.slice(keepFrom);
    this.firstOffset += keepFrom;
  }
}

class MemoryLogStore implements LogStore {
  private readonly logs = new Map<string, MemoryShardLog>();
  closed = false;
  shard(streamId: string, shardIndex: number): ShardLog {
    const key = `${streamId}/${shardIndex}`;
    let log = this.logs.get(key);
    if (!log) {
      log = new MemoryShardLog(() => this.closed);
      this.logs.set(key, log);
    }
    return log;
  }
  async dropStream(streamId: string): Promise<void> {
    for (const key of [...this.logs.keys()]) if (key.startsWith(streamId + "/")) this.logs.delete(key);
  }
}

export function createMemoryEngine(random: Random): StorageEngine {
  const logs = new MemoryLogStore();
  const tables = new MemoryTableStore();
  return {
    name: "memory",
    catalog: new MemoryCatalog(random),
    logs,
    tables,
    close: async () => {
      logs.closed = true;
      tables.closed = true;
    },
  };
}
