/**
 * The tables part's process-local copy of its bucket (nats-tables-keys.ts): every table's meta,
 * and every table's items in key order (UTF-16 code units, SortedKeys) with their revisions and
 * the bytes DescribeTable reports. WatchedBucket feeds it (nats-tables-kv.ts).
 *
 * A table's items go with its meta: when a meta is deleted (a drop, through any node) the copy
 * forgets the items and remembers the table id as dropped, ignoring any item of it that still
 * arrives (a write that raced the drop; the drop's purge or the next open's removes it).
 */
import type { TableEntry, TableMeta, VersionedItem } from "../types.js";
import { deepFreeze } from "../../util/freeze.js";
import { sortTables } from "../table-items.js";
import { SortedKeys } from "../objects/sorted-keys.js";
import type { Logger } from "../../util/logger.js";
import type { KvFollower } from "./nats-tables-kv.js";
import { decodeItem, itemKey, parseTablesKey } from "./nats-tables-keys.js";

interface MetaEntry {
  readonly meta: TableMeta;
  readonly revision: number;
}

class TableCopy {
  readonly items = new SortedKeys<VersionedItem>();
  /** The item key of each hashed token (`h…`), whose KV key does not name it. */
  readonly hashed = new Map<string, string>();
  bytes = 0;
}

export class TablesCopy implements KvFollower {
  private readonly metas = new Map<string, MetaEntry>();
  private readonly tables = new Map<string, TableCopy>();
  private readonly dropped = new Set<string>();
  /** list()'s answers per account ("" for all) until the next change of a meta. */
  private readonly sorted = new Map<string, readonly TableMeta[]>();

  constructor(private readonly logger: Logger) {}

  // --- KvFollower ------------------------------------------------------------------------------

  revisionOf(key: string): number | undefined {
    const parsed = parseTablesKey(key);
    if (parsed?.kind === "meta") return this.metas.get(key)?.revision;
    if (parsed?.kind !== "item") return undefined;
    const table = this.tables.get(parsed.tableId);
    const itemKey = this.keyOfToken(table, parsed.token);
    return itemKey === undefined ? undefined : table!.items.get(itemKey)?.revision;
  }

  apply(key: string, revision: number, value: Uint8Array | undefined): void {
    const parsed = parseTablesKey(key);
    if (parsed?.kind === "meta") this.applyMeta(key, revision, value);
    else if (parsed?.kind === "item") this.applyItem(parsed.tableId, parsed.token, revision, value, key);
  }

  *keys(): Iterable<string> {
    yield* this.metas.keys();
    for (const [tableId, table] of this.tables) {
      for (const [key] of table.items.from(undefined)) yield itemKey(tableId, key);
    }
  }

  // --- reads -----------------------------------------------------------------------------------

  list(accountId?: string): readonly TableMeta[] {
    const cacheKey = accountId ?? "";
    let sorted = this.sorted.get(cacheKey);
    if (sorted === undefined) {
      sorted = sortTables([...this.metas.values()].map((entry) => entry.meta), accountId);
      this.sorted.set(cacheKey, sorted);
    }
    return sorted;
  }

  meta(key: string): MetaEntry | undefined {
    return this.metas.get(key);
  }

  isDropped(tableId: string): boolean {
    return this.dropped.has(tableId);
  }

  get(tableId: string, key: string): VersionedItem | undefined {
    return this.tables.get(tableId)?.items.get(key);
  }

  scan(tableId: string, afterKey: string | undefined, limit: number): TableEntry[] {
    const out: TableEntry[] = [];
    const table = this.tables.get(tableId);
    if (table === undefined || limit <= 0) return out;
    for (const [key, item] of table.items.from(afterKey, afterKey === undefined)) {
      out.push({ key, value: item.value });
      if (out.length >= limit) break;
    }
    return out;
  }

  stats(tableId: string): { itemCount: number; sizeBytes: number } {
    const table = this.tables.get(tableId);
    return table === undefined ? { itemCount: 0, sizeBytes: 0 } : { itemCount: table.items.size, sizeBytes: table.bytes };
  }

  /** Table ids holding items without a meta (after loading: a drop's items its purge missed); forgets them. */
  takeOrphans(): string[] {
    const live = new Set([...this.metas.values()].map((entry) => entry.meta.tableId));
    const orphans = [...this.tables.keys()].filter((tableId) => !live.has(tableId));
    for (const tableId of orphans) this.forget(tableId);
    return orphans;
  }

  /** Forgets a table's items (its meta went). */
  forget(tableId: string): void {
    this.tables.delete(tableId);
    this.dropped.add(tableId);
  }

  // --- changes ---------------------------------------------------------------------------------

  private applyMeta(key: string, revision: number, value: Uint8Array | undefined): void {
    const previous = this.metas.get(key);
    const meta = value === undefined ? undefined : this.decodeMeta(key, value);
    if (meta === undefined) this.metas.delete(key);
    else this.metas.set(key, { meta, revision });
    // The table the name held before is gone (a drop, or a drop and a creation this copy saw as one change).
    if (previous !== undefined && previous.meta.tableId !== meta?.tableId) this.forget(previous.meta.tableId);
    if (meta !== undefined) this.dropped.delete(meta.tableId);
    this.sorted.clear();
  }

  private applyItem(tableId: string, token: string, revision: number, value: Uint8Array | undefined, kvKey: string): void {
    if (this.dropped.has(tableId)) return;
    let table = this.tables.get(tableId);
    if (value === undefined) {
      const key = this.keyOfToken(table, token);
      if (key === undefined) return;
      const previous = table!.items.delete(key);
      if (previous !== undefined) table!.bytes -= key.length + previous.value.length;
      if (token[0] === "h") table!.hashed.delete(token);
      return;
    }
    const item = decodeItem(token, value);
    if (item === undefined) {
      this.logger.error({ key: kvKey, revision }, "a tables bucket item is not in the format; ignoring it");
      return;
    }
    if (table === undefined) {
      table = new TableCopy();
      this.tables.set(tableId, table);
    }
    const previous = table.items.set(item.key, Object.freeze({ value: item.value, revision }));
    table.bytes += item.value.length - (previous === undefined ? -item.key.length : previous.value.length);
    if (token[0] === "h") table.hashed.set(token, item.key);
  }

  private keyOfToken(table: TableCopy | undefined, token: string): string | undefined {
    if (table === undefined) return undefined;
    if (token[0] === "h") return table.hashed.get(token);
    return Buffer.from(token.slice(1), "base64url").toString("utf8");
  }

  private decodeMeta(key: string, value: Uint8Array): TableMeta | undefined {
    try {
      const meta = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.length).toString("utf8")) as TableMeta;
      if (meta !== null && typeof meta === "object" && typeof meta.tableId === "string") return deepFreeze(meta);
    } catch {
      // Reported below.
    }
    this.logger.error({ key }, "a tables bucket meta is not a table's JSON; treating it as absent");
    return undefined;
  }
}
