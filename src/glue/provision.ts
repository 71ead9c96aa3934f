/**
 * The Glue subset's section of the init document (`--init`, docs/testing.md): "glueDatabases",
 * each entry a CreateDatabase request with an optional "Tables" list of CreateTable requests
 * (their DatabaseName defaults to the entry's DatabaseInput.Name) — the schemas Firehose's format
 * conversion reads. Glue comes after Firehose in the services' list; that is harmless, since a
 * delivery stream looks its table up when it converts, not at CreateDeliveryStream.
 *
 * Idempotent: a database or table that exists (AlreadyExistsException) is left as it is;
 * UpdateTable changes a table. Databases and tables are usable at once: nothing is waited for.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { InitError, isErrorType, ProvisionCalls, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";

/** The "glueDatabases" section, for the service's module (index.ts). */
export const glueDatabasesProvisioning: ServiceProvisioning<unknown, { rpc: AwsService }> = {
  section: "glueDatabases",
  entryKind: "CreateDatabase request",
  settleMs: () => 0,
  apply: (entries, instance, context) => provisionDatabases(entries, instance.rpc, context),
};

async function provisionDatabases(entries: readonly ProvisionEntry[], service: AwsService, context: ProvisionContext): Promise<Record<string, number>> {
  const run = new ProvisionCalls(context);
  const summary = { glueDatabasesCreated: 0, glueDatabasesExisting: 0, glueTablesCreated: 0, glueTablesExisting: 0 };
  const tableLists = entries.map((entry, index) => tableRequests(entry, `glueDatabases[${index}]`));
  for (const [index, entry] of entries.entries()) {
    const { Tables: _tables, ...request } = entry;
    const created = await createOrKeep(run, service, "CreateDatabase", request, `glueDatabases[${index}]`);
    summary[created ? "glueDatabasesCreated" : "glueDatabasesExisting"]++;
    for (const [tableIndex, table] of tableLists[index]!.entries()) {
      const tableCreated = await createOrKeep(run, service, "CreateTable", table, `glueDatabases[${index}].Tables[${tableIndex}]`);
      summary[tableCreated ? "glueTablesCreated" : "glueTablesExisting"]++;
    }
  }
  return summary;
}

/** Runs the create; false when Glue answers that the resource already exists. */
async function createOrKeep(run: ProvisionCalls, service: AwsService, action: string, request: unknown, where: string): Promise<boolean> {
  try {
    await run.call(service, action, request, where);
    return true;
  } catch (error) {
    if (isErrorType(error, "AlreadyExistsException")) return false;
    throw run.named(error, action, where);
  }
}

function tableRequests(entry: ProvisionEntry, where: string): ProvisionEntry[] {
  const list = entry.Tables;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((item) => item === null || typeof item !== "object" || Array.isArray(item))) {
    throw new InitError(`${where}.Tables must be a list of CreateTable requests`);
  }
  const input = entry.DatabaseInput as { Name?: unknown } | undefined;
  return (list as ProvisionEntry[]).map((table) => ({ ...(entry.CatalogId !== undefined && { CatalogId: entry.CatalogId }), DatabaseName: input?.Name, ...table }));
}
