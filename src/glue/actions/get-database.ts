import { defineAction } from "../action.js";
import { renderDatabase } from "../render.js";
import { catalogIdString, requiredName, structure } from "../shapes.js";
import { catalogOf, requireDatabase } from "./common.js";

export const getDatabase = defineAction<{ CatalogId?: string; Name: string }>({
  iamAction: "glue:GetDatabase",
  resource: "database",
  shape: structure({ CatalogId: catalogIdString, Name: requiredName }),
  async run(context, input) {
    return { Database: renderDatabase(await requireDatabase(context, catalogOf(context, input.CatalogId), input.Name)) };
  },
});
