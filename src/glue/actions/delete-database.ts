import { defineAction } from "../action.js";
import { catalogIdString, requiredName, structure } from "../shapes.js";
import { catalogOf, requireDatabase } from "./common.js";

/** Removes the database and every table in it, as Glue does. */
export const deleteDatabase = defineAction<{ CatalogId?: string; Name: string }>({
  iamAction: "glue:DeleteDatabase",
  resource: "database",
  shape: structure({ CatalogId: catalogIdString, Name: requiredName }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    await requireDatabase(context, catalogId, input.Name);
    await context.store.deleteDatabase(catalogId, input.Name);
    return {};
  },
});
