/**
 * The Lambda service keeps its state (functions, versions, aliases, layers, mappings, checkpoints,
 * logs) in tables of the storage engine's TableStore, so every engine serves it. Its tables live
 * under a namespaced account id (`lambda@<accountId>`) that no DynamoDB caller can name: DynamoDB's
 * ListTables shows only the caller's twelve-digit account, and a reset drops them with every table.
 */
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { randomUUIDFrom } from "../util/uuid.js";
import type { TableStore } from "../storage/types.js";

/** The namespace account of the Lambda service's tables for `accountId`. */
export function serviceAccountId(accountId: string): string {
  return `lambda@${accountId}`;
}

/**
 * The table id of the service's table `tableName` for `accountId`, created on first use. Ids are
 * cached; a table dropped by a reset is created again on the next use after the service restarts.
 */
export class ServiceTables {
  private readonly ids = new Map<string, Promise<string>>();

  constructor(
    private readonly tables: TableStore,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  tableId(accountId: string, tableName: string): Promise<string> {
    const cacheKey = `${accountId}\u0000${tableName}`;
    let id = this.ids.get(cacheKey);
    if (id === undefined) {
      id = this.open(serviceAccountId(accountId), tableName);
      // A failure is not cached: the next call tries again.
      id.catch(() => this.ids.delete(cacheKey));
      this.ids.set(cacheKey, id);
    }
    return id;
  }

  /** Every account that has the table (for the trigger engine's start: all accounts' mappings). */
  async accountsWith(tableName: string): Promise<string[]> {
    const all = await this.tables.list();
    return all.filter((meta) => meta.TableName === tableName && meta.accountId.startsWith("lambda@")).map((meta) => meta.accountId.slice("lambda@".length));
  }

  private async open(namespace: string, tableName: string): Promise<string> {
    const existing = await this.tables.get(namespace, tableName);
    if (existing !== undefined) return existing.tableId;
    const outcome = await this.tables.create({ tableId: randomUUIDFrom(this.random), accountId: namespace, TableName: tableName, createdAtMs: this.clock.nowMs(), definition: { service: "lambda" } });
    if ("exists" in outcome || outcome.ok) {
      const created = await this.tables.get(namespace, tableName);
      if (created !== undefined) return created.tableId;
    }
    throw new Error(`cannot create the Lambda table ${tableName}: ${"failure" in outcome ? outcome.failure.message : "it vanished"}`);
  }
}
