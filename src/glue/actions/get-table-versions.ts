import { defineAction } from "../action.js";
import { decodePageToken, encodePageToken } from "../page-token.js";
import { renderTable } from "../render.js";
import { catalogGetterPageSize, catalogIdString, requiredName, structure, token } from "../shapes.js";
import { catalogOf, requireTable } from "./common.js";

const defaultPageSize = 100;

/** The table's versions, newest first. */
export const getTableVersions = defineAction<{ CatalogId?: string; DatabaseName: string; TableName: string; NextToken?: string; MaxResults?: number }>({
  iamAction: "glue:GetTableVersions",
  resource: "table",
  shape: structure({ CatalogId: catalogIdString, DatabaseName: requiredName, TableName: requiredName, NextToken: token, MaxResults: catalogGetterPageSize }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    await requireTable(context, catalogId, input.DatabaseName, input.TableName);
    const versions = await context.store.listTableVersions(catalogId, input.DatabaseName, input.TableName);
    const after = decodePageToken(input.NextToken);
    const start = after === undefined ? 0 : versions.findIndex((version) => version.VersionId === after) + 1;
    const limit = input.MaxResults ?? defaultPageSize;
    const shown = versions.slice(start, start + limit);
    const more = start + limit < versions.length;
    return {
      TableVersions: shown.map((version) => ({ Table: renderTable(version), VersionId: version.VersionId })),
      NextToken: more ? encodePageToken(shown[shown.length - 1]!.VersionId) : undefined,
    };
  },
});
