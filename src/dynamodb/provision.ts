/**
 * The DynamoDB service's section of the init document (`--init`, docs/testing.md): "tables", each
 * entry a CreateTable request (protocol/provisioning.ts describes how sections are run).
 * Idempotent: a table that exists is kept (one whose key schema differs is warned about), one still
 * DELETING from before is waited out and created again; every table is waited for until ACTIVE
 * (DescribeTable), so the server reports ready only with all of them usable.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { ProvisionCalls, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";

/** The "tables" section, for the service's module (service.ts). */
export const tablesProvisioning: ServiceProvisioning<{ config: { dynamoDbCreateTableMs?: number } }, { rpc: AwsService }> = {
  section: "tables",
  entryKind: "CreateTable request",
  settleMs: ({ config }) => config.dynamoDbCreateTableMs ?? 0,
  apply: (entries, instance, context) => provisionTables(entries, instance.rpc, context),
};

async function provisionTables(entries: readonly ProvisionEntry[], service: AwsService, context: ProvisionContext) {
  const run = new TablesProvisioner(service, context);
  const summary = { tablesCreated: 0, tablesExisting: 0 };
  for (const [index, entry] of entries.entries()) {
    if (await run.ensureTable(entry, `tables[${index}]`)) summary.tablesCreated++;
    else summary.tablesExisting++;
  }
  for (const [index, entry] of entries.entries()) await run.untilTableActive(String(entry.TableName), `tables[${index}]`);
  return summary;
}

class TablesProvisioner extends ProvisionCalls {
  constructor(
    private readonly service: AwsService,
    context: ProvisionContext,
  ) {
    super(context);
  }

  /** Creates the table; false if it already existed. */
  async ensureTable(entry: ProvisionEntry, where: string): Promise<boolean> {
    const name = String(entry.TableName);
    const create = { service: this.service, action: "CreateTable", request: entry };
    const outcome = await this.createUnlessExists(create, where, `table ${name} to finish deleting`, () => this.describeTable(name, where), (table) => table.TableStatus);
    if (outcome.created) return true;
    if (JSON.stringify(keySchemaPairs(outcome.found.KeySchema)) !== JSON.stringify(keySchemaPairs(entry.KeySchema))) {
      this.context.logger.warn({ table: name, entry: where }, "init: the table exists with another key schema; left as it is");
    }
    return false;
  }

  untilTableActive(name: string, where: string): Promise<void> {
    return this.untilActive(`table ${name}`, where, async () => (await this.describeTable(name, where))?.TableStatus);
  }

  private async describeTable(name: string, where: string): Promise<Record<string, unknown> | undefined> {
    return (await this.describe(this.service, "DescribeTable", { TableName: name }, where))?.Table as Record<string, unknown> | undefined;
  }

}

/** A key schema as comparable [name, type] pairs in its order, or the value itself when it is not a list. */
function keySchemaPairs(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((element: { AttributeName?: unknown; KeyType?: unknown }) => [element?.AttributeName, element?.KeyType]);
}
