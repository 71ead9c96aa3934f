/**
 * Services other than DynamoDB keep their state (Lambda's functions and mappings, Firehose's
 * delivery streams and positions, Glue's tables) in tables of the engine's TableStore, so every
 * engine serves them. A service's tables live under a namespaced account id (`<service>@<accountId>`)
 * that no DynamoDB caller can name: DynamoDB's ListTables shows only the caller's twelve-digit
 * account, and a reset drops them with every table.
 */
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { randomUUIDFrom } from "../util/uuid.js";
import type { TableStore } from "./types.js";

/** Whether an account id is a service's namespace (`lambda@…`, `firehose@…`) rather than a caller's account. */
export function isServiceNamespace(accountId: string): boolean {
  return accountId.includes("@");
}

/**
 * The table id of a service's table `tableName` for `accountId`, created on first use. Ids are
 * cached; a table dropped by a reset is created again on the next use after the service restarts.
 */
export class NamespacedTables {
  private readonly ids = new Map<string, Promise<string>>();
  private readonly prefix: string;

  constructor(
    /** The service's namespace: `lambda`, `firehose`, `glue`. */
    namespace: string,
    private readonly tables: TableStore,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.prefix = `${namespace}@`;
  }

  /** The namespace account of the service's tables for `accountId`. */
  accountIdOf(accountId: string): string {
    return this.prefix + accountId;
  }

  tableId(accountId: string, tableName: string): Promise<string> {
    const cacheKey = `${accountId}\u0000${tableName}`;
    let id = this.ids.get(cacheKey);
    if (id === undefined) {
      id = this.open(this.accountIdOf(accountId), tableName);
      // A failure is not cached: the next call tries again.
      id.catch(() => this.ids.delete(cacheKey));
      this.ids.set(cacheKey, id);
    }
    return id;
  }

  /** Every account that has the table (a background engine's start: all accounts' work). */
  async accountsWith(tableName: string): Promise<string[]> {
    const all = await this.tables.list();
    return all.filter((meta) => meta.TableName === tableName && meta.accountId.startsWith(this.prefix)).map((meta) => meta.accountId.slice(this.prefix.length));
  }

  private async open(namespaceAccount: string, tableName: string): Promise<string> {
    const existing = await this.tables.get(namespaceAccount, tableName);
    if (existing !== undefined) return existing.tableId;
    const outcome = await this.tables.create({ tableId: randomUUIDFrom(this.random), accountId: namespaceAccount, TableName: tableName, createdAtMs: this.clock.nowMs(), definition: { service: this.prefix.slice(0, -1) } });
    if ("exists" in outcome || outcome.ok) {
      const created = await this.tables.get(namespaceAccount, tableName);
      if (created !== undefined) return created.tableId;
    }
    throw new Error(`cannot create the table ${tableName} of ${namespaceAccount}: ${"failure" in outcome ? outcome.failure.message : "it vanished"}`);
  }
}
