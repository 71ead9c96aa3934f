import { defineAction } from "../action.js";
import { glueErrors } from "../errors.js";
import { catalogIdString, databaseInput, structure, tagsMap, type DatabaseInputValue } from "../shapes.js";
import { catalogOf } from "./common.js";

/** Lake Formation's default for a new database: IAM permissions alone govern its tables. */
const defaultPermissions = [{ Principal: { DataLakePrincipalIdentifier: "IAM_ALLOWED_PRINCIPALS" }, Permissions: ["ALL"] }];

export const createDatabase = defineAction<{ CatalogId?: string; DatabaseInput: DatabaseInputValue; Tags?: Record<string, string> }>({
  iamAction: "glue:CreateDatabase",
  resource: "database",
  shape: structure({ CatalogId: catalogIdString, DatabaseInput: databaseInput, Tags: tagsMap }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    const database = input.DatabaseInput;
    const outcome = await context.store.createDatabase(catalogId, {
      Name: database.Name.toLowerCase(),
      Description: database.Description,
      LocationUri: database.LocationUri,
      Parameters: database.Parameters,
      CreateTimeMs: context.clock.nowMs(),
      CreateTableDefaultPermissions: database.CreateTableDefaultPermissions ?? defaultPermissions,
      TargetDatabase: database.TargetDatabase,
      CatalogId: catalogId,
    });
    if (!outcome.ok) throw glueErrors.databaseExists();
    return {};
  },
});
