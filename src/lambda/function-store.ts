/**
 * Functions, versions, aliases and layers in the Lambda service's tables (ServiceTables, so every
 * storage engine serves them):
 *
 *   functions          key: function name                       value: FunctionItem (JSON)
 *   function-versions  key: name \0 version (10 digits)         value: VersionRecord of a published version
 *   layers             key: layer name \0 version (10 digits)   value: LayerVersionRecord
 *   layer-heads        key: layer name                          value: {"lastVersion": n}
 *
 * A change of a function item is a compare-and-set on the item's revision, run again on a
 * conflict, so concurrent updates never lose one another; version numbers come from the function
 * item's `lastVersion` (layers': the layer head's) and are never reused.
 */
import type { TableStore } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import { lambdaErrors } from "./errors.js";
import type { ServiceTables } from "./service-tables.js";
import { codeKeysOf, type FunctionItem, type LayerVersionRecord, type VersionRecord } from "./function-records.js";

const casAttemptsMax = 100;
const scanPageItems = 1000;

export function versionKey(name: string, version: number): string {
  return `${name}\u0000${String(version).padStart(10, "0")}`;
}

/** The outcome of a change: the item to write (or "delete"), and what the caller answers. */
export type Change<T> = { write: FunctionItem | "delete"; result: T } | { write: "none"; result: T };

export class FunctionStore {
  constructor(
    private readonly tables: TableStore,
    private readonly serviceTables: ServiceTables,
    readonly clock: Clock,
  ) {}

  private table(accountId: string, name: string): Promise<string> {
    return this.serviceTables.tableId(accountId, name);
  }

  async getFunction(accountId: string, name: string): Promise<FunctionItem | undefined> {
    const value = await this.tables.getItem(await this.table(accountId, "functions"), name);
    return value === undefined ? undefined : (JSON.parse(value) as FunctionItem);
  }

  /**
   * Reads the function (undefined if absent), lets `decide` choose the change, and writes it only
   * if nobody wrote the item meanwhile; on a conflict, reads and decides again. `decide` throws
   * LambdaErrors to refuse.
   */
  async change<T>(accountId: string, name: string, decide: (current: FunctionItem | undefined) => Change<T> | Promise<Change<T>>): Promise<T> {
    const tableId = await this.table(accountId, "functions");
    for (let attempt = 0; attempt < casAttemptsMax; attempt++) {
      const versioned = await this.tables.getVersionedItem(tableId, name);
      const current = versioned === undefined ? undefined : (JSON.parse(versioned.value) as FunctionItem);
      const expect = { expectedRevision: versioned === undefined ? ("absent" as const) : versioned.revision };
      const decision = await decide(current);
      if (decision.write === "none") return decision.result;
      const outcome =
        decision.write === "delete"
          ? await this.tables.deleteItem(tableId, name, expect)
          : await this.tables.putItem(tableId, { key: name, value: JSON.stringify(decision.write) }, expect);
      if (outcome.ok) return decision.result;
      if (!("conflict" in outcome)) throw new Error(`cannot write the function ${name}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
    }
    throw lambdaErrors.service("The function changed too often concurrently; try again.");
  }

  /** Every function of the account in name order (ListFunctions pages over it). */
  async listFunctions(accountId: string): Promise<FunctionItem[]> {
    const tableId = await this.table(accountId, "functions");
    const items: FunctionItem[] = [];
    for await (const entry of this.scanAll(tableId)) items.push(JSON.parse(entry.value) as FunctionItem);
    return items;
  }

  async putVersion(accountId: string, record: VersionRecord): Promise<void> {
    const tableId = await this.table(accountId, "function-versions");
    const outcome = await this.tables.putItem(tableId, { key: versionKey(record.FunctionName, Number(record.Version)), value: JSON.stringify(record) });
    if (!outcome.ok) throw new Error(`cannot write version ${record.Version} of ${record.FunctionName}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  async getVersion(accountId: string, name: string, version: number): Promise<VersionRecord | undefined> {
    const value = await this.tables.getItem(await this.table(accountId, "function-versions"), versionKey(name, version));
    return value === undefined ? undefined : (JSON.parse(value) as VersionRecord);
  }

  async deleteVersion(accountId: string, name: string, version: number): Promise<void> {
    const outcome = await this.tables.deleteItem(await this.table(accountId, "function-versions"), versionKey(name, version));
    if (!outcome.ok) throw new Error(`cannot delete version ${version} of ${name}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  /** The published versions of a function, in version order. */
  async listVersions(accountId: string, name: string): Promise<VersionRecord[]> {
    const tableId = await this.table(accountId, "function-versions");
    const versions: VersionRecord[] = [];
    for await (const entry of this.scanAll(tableId, `${name}\u0000`)) versions.push(JSON.parse(entry.value) as VersionRecord);
    return versions;
  }

  /** Every published version of every function of the account (GetAccountSettings' code size). */
  async allVersions(accountId: string): Promise<VersionRecord[]> {
    const tableId = await this.table(accountId, "function-versions");
    const versions: VersionRecord[] = [];
    for await (const entry of this.scanAll(tableId)) versions.push(JSON.parse(entry.value) as VersionRecord);
    return versions;
  }

  /** Takes the next version number of a layer (never reused, as Lambda's are not). */
  async nextLayerVersion(accountId: string, layerName: string): Promise<number> {
    const tableId = await this.table(accountId, "layer-heads");
    for (let attempt = 0; attempt < casAttemptsMax; attempt++) {
      const versioned = await this.tables.getVersionedItem(tableId, layerName);
      const last = versioned === undefined ? 0 : (JSON.parse(versioned.value) as { lastVersion: number }).lastVersion;
      const outcome = await this.tables.putItem(
        tableId,
        { key: layerName, value: JSON.stringify({ lastVersion: last + 1 }) },
        { expectedRevision: versioned === undefined ? "absent" : versioned.revision },
      );
      if (outcome.ok) return last + 1;
      if (!("conflict" in outcome)) throw new Error(`cannot number a version of layer ${layerName}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
    }
    throw lambdaErrors.service("The layer changed too often concurrently; try again.");
  }

  async putLayerVersion(accountId: string, record: LayerVersionRecord): Promise<void> {
    const tableId = await this.table(accountId, "layers");
    const outcome = await this.tables.putItem(tableId, { key: versionKey(record.LayerName, record.Version), value: JSON.stringify(record) });
    if (!outcome.ok) throw new Error(`cannot write layer ${record.LayerName}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  async getLayerVersion(accountId: string, layerName: string, version: number): Promise<LayerVersionRecord | undefined> {
    const value = await this.tables.getItem(await this.table(accountId, "layers"), versionKey(layerName, version));
    return value === undefined ? undefined : (JSON.parse(value) as LayerVersionRecord);
  }

  async deleteLayerVersion(accountId: string, layerName: string, version: number): Promise<void> {
    const outcome = await this.tables.deleteItem(await this.table(accountId, "layers"), versionKey(layerName, version));
    if (!outcome.ok) throw new Error(`cannot delete layer ${layerName}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  /** Every layer version of the account, by layer name then version (or of one layer). */
  async listLayerVersions(accountId: string, layerName?: string): Promise<LayerVersionRecord[]> {
    const tableId = await this.table(accountId, "layers");
    const layers: LayerVersionRecord[] = [];
    for await (const entry of this.scanAll(tableId, layerName === undefined ? undefined : `${layerName}\u0000`)) layers.push(JSON.parse(entry.value) as LayerVersionRecord);
    return layers;
  }

  /**
   * The code store keys the account's records name: every function's `$LATEST` and published
   * version (package and layers) and every layer version (the code store's collection reads it).
   */
  async codeReferences(accountId: string): Promise<ReadonlySet<string>> {
    const keys = new Set<string>();
    for (const item of await this.listFunctions(accountId)) for (const key of codeKeysOf(item.latest)) keys.add(key);
    for (const version of await this.allVersions(accountId)) for (const key of codeKeysOf(version)) keys.add(key);
    for (const layer of await this.listLayerVersions(accountId)) keys.add(layer.code.objectKey);
    return keys;
  }

  /** The table's items in key order, only those starting with `prefix` when given. */
  private async *scanAll(tableId: string, prefix?: string): AsyncIterable<{ key: string; value: string }> {
    // Prefixes end in \u0000 (name \0 version): every key with one sorts after the name alone.
    let after: string | undefined = prefix === undefined ? undefined : prefix.slice(0, -1);
    for (;;) {
      const page = await this.tables.scan(tableId, after, scanPageItems);
      for (const entry of page) {
        if (prefix !== undefined && !entry.key.startsWith(prefix)) {
          if (entry.key > prefix) return;
          continue;
        }
        yield entry;
      }
      if (page.length < scanPageItems) return;
      after = page[page.length - 1]!.key;
    }
  }
}
