import { defineAction } from "../action.js";
import { glueErrors } from "../errors.js";
import { catalogIdString, requiredName, structure, tableInput, transactionIdString, versionString, type TableInputValue } from "../shapes.js";
import { catalogOf, requireTable } from "./common.js";
import { tableRecordOf } from "./table-record.js";

/**
 * Replaces the table's definition with TableInput as a new version (VersionId + 1). VersionId in
 * the request, when given, must be the current version: Glue's optimistic lock.
 */
export const updateTable = defineAction<{ CatalogId?: string; DatabaseName: string; TableInput: TableInputValue; SkipArchive?: boolean; VersionId?: string }>({
  iamAction: "glue:UpdateTable",
  resource: "table",
  shape: structure({
    CatalogId: catalogIdString,
    DatabaseName: requiredName,
    TableInput: tableInput,
    SkipArchive: { type: "boolean" },
    TransactionId: transactionIdString,
    VersionId: versionString,
  }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    const { record: current, revision } = await requireTable(context, catalogId, input.DatabaseName, input.TableInput.Name);
    if (input.VersionId !== undefined && input.VersionId !== current.VersionId) {
      throw glueErrors.concurrentModification(`Update table failed due to concurrent modifications: version ${input.VersionId} is not the current version ${current.VersionId}.`);
    }
    const next = tableRecordOf(context, catalogId, input.DatabaseName, input.TableInput, String(Number(current.VersionId) + 1), current);
    const outcome = await context.store.putTable(catalogId, next, revision);
    if (!outcome.ok) throw glueErrors.concurrentModification("Update table failed due to concurrent modifications.");
    return {};
  },
});
