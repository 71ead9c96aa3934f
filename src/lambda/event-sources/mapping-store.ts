/**
 * The mappings, durable in the service table `event-source-mappings` of each account (one item
 * per UUID, the value MappingRecord's JSON). Read-modify-writes are compare-and-sets, so the API
 * and the manager (which writes State and LastProcessingResult) never lose each other's changes.
 */
import type { TableStore } from "../../storage/types.js";
import type { ServiceTables } from "../service-tables.js";
import type { MappingRecord } from "./mapping.js";

export const mappingsTable = "event-source-mappings";
const scanPageItems = 500;
const casAttemptsMax = 20;

export class MappingStore {
  constructor(
    private readonly tables: TableStore,
    private readonly serviceTables: ServiceTables,
  ) {}

  async get(accountId: string, uuid: string): Promise<MappingRecord | undefined> {
    const value = await this.tables.getItem(await this.tableId(accountId), uuid);
    return value === undefined ? undefined : (JSON.parse(value) as MappingRecord);
  }

  /** Every mapping of the account, by UUID. */
  async list(accountId: string): Promise<MappingRecord[]> {
    const tableId = await this.tableId(accountId);
    const out: MappingRecord[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.tables.scan(tableId, after, scanPageItems);
      for (const entry of page) out.push(JSON.parse(entry.value) as MappingRecord);
      if (page.length < scanPageItems) return out;
      after = page[page.length - 1]!.key;
    }
  }

  /** Accounts that have mappings (the manager's start). */
  accounts(): Promise<string[]> {
    return this.serviceTables.accountsWith(mappingsTable);
  }

  /** Stores a new mapping; false if the UUID is taken. */
  async create(record: MappingRecord): Promise<boolean> {
    const outcome = await this.tables.putItem(await this.tableId(record.accountId), { key: record.UUID, value: JSON.stringify(record) }, { expectedRevision: "absent" });
    if (outcome.ok) return true;
    if ("conflict" in outcome) return false;
    throw new Error(`cannot store the event source mapping ${record.UUID}: ${outcome.failure.message}`, { cause: outcome.failure });
  }

  /**
   * Applies `change` to the stored mapping (read, change, compare-and-set, again on a conflict).
   * `change` returns the new record, or undefined to leave it. Answers the record as stored after.
   */
  async modify(accountId: string, uuid: string, change: (record: MappingRecord) => MappingRecord | undefined): Promise<MappingRecord | undefined> {
    const tableId = await this.tableId(accountId);
    for (let attempt = 0; attempt < casAttemptsMax; attempt += 1) {
      const current = await this.tables.getVersionedItem(tableId, uuid);
      if (current === undefined) return undefined;
      const record = JSON.parse(current.value) as MappingRecord;
      const next = change(record);
      if (next === undefined) return record;
      const outcome = await this.tables.putItem(tableId, { key: uuid, value: JSON.stringify(next) }, { expectedRevision: current.revision });
      if (outcome.ok) return next;
      if ("failure" in outcome) throw new Error(`cannot store the event source mapping ${uuid}: ${outcome.failure.message}`, { cause: outcome.failure });
    }
    throw new Error(`the event source mapping ${uuid} kept changing under an update`);
  }

  async remove(accountId: string, uuid: string): Promise<void> {
    const outcome = await this.tables.deleteItem(await this.tableId(accountId), uuid);
    if (!outcome.ok) throw new Error(`cannot remove the event source mapping ${uuid}: ${outcome.failure.message}`, { cause: outcome.failure });
  }

  private tableId(accountId: string): Promise<string> {
    return this.serviceTables.tableId(accountId, mappingsTable);
  }
}
