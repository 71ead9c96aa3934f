import { defineAction } from "../action.js";
import { glueErrors } from "../errors.js";
import { renderTable } from "../render.js";
import { catalogIdString, requiredName, structure, versionString } from "../shapes.js";
import { catalogOf, requireTable } from "./common.js";

/** One version of the table; the current one when VersionId is absent. */
export const getTableVersion = defineAction<{ CatalogId?: string; DatabaseName: string; TableName: string; VersionId?: string }>({
  iamAction: "glue:GetTableVersion",
  resource: "table",
  shape: structure({ CatalogId: catalogIdString, DatabaseName: requiredName, TableName: requiredName, VersionId: versionString }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    const { record: current } = await requireTable(context, catalogId, input.DatabaseName, input.TableName);
    const version = input.VersionId === undefined ? current : await context.store.getTableVersion(catalogId, input.DatabaseName, input.TableName, input.VersionId);
    if (version === undefined) throw glueErrors.versionNotFound();
    return { TableVersion: { Table: renderTable(version), VersionId: version.VersionId } };
  },
});
