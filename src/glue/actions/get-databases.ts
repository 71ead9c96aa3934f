import { defineAction } from "../action.js";
import { decodePageToken, encodePageToken } from "../page-token.js";
import { renderDatabase } from "../render.js";
import { catalogGetterPageSize, catalogIdString, structure, token } from "../shapes.js";
import { catalogOf } from "./common.js";

/** Glue's page when MaxResults is absent. */
const defaultPageSize = 100;

export const getDatabases = defineAction<{ CatalogId?: string; NextToken?: string; MaxResults?: number; ResourceShareType?: string }>({
  iamAction: "glue:GetDatabases",
  resource: "catalog",
  shape: structure({ CatalogId: catalogIdString, NextToken: token, MaxResults: catalogGetterPageSize, ResourceShareType: { type: "string", enum: ["FOREIGN", "ALL"] } }),
  async run(context, input) {
    // No database is shared from another account here: FOREIGN lists none.
    if (input.ResourceShareType === "FOREIGN") return { DatabaseList: [] };
    const limit = input.MaxResults ?? defaultPageSize;
    const after = decodePageToken(input.NextToken);
    const page = await context.store.listDatabases(catalogOf(context, input.CatalogId), after, limit + 1);
    const shown = page.slice(0, limit);
    return { DatabaseList: shown.map(renderDatabase), NextToken: page.length > limit ? encodePageToken(shown[shown.length - 1]!.Name) : undefined };
  },
});
