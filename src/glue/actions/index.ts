/** The Glue Data Catalog subset's actions, by wire name. */
import type { GlueAction } from "../action.js";
import { createDatabase } from "./create-database.js";
import { createTable } from "./create-table.js";
import { deleteDatabase } from "./delete-database.js";
import { deleteTable } from "./delete-table.js";
import { getDatabase } from "./get-database.js";
import { getDatabases } from "./get-databases.js";
import { getTable } from "./get-table.js";
import { getTableVersion } from "./get-table-version.js";
import { getTableVersions } from "./get-table-versions.js";
import { getTables } from "./get-tables.js";
import { updateTable } from "./update-table.js";

export const glueActions: Readonly<Record<string, GlueAction>> = Object.freeze({
  CreateDatabase: createDatabase,
  CreateTable: createTable,
  DeleteDatabase: deleteDatabase,
  DeleteTable: deleteTable,
  GetDatabase: getDatabase,
  GetDatabases: getDatabases,
  GetTable: getTable,
  GetTableVersion: getTableVersion,
  GetTableVersions: getTableVersions,
  GetTables: getTables,
  UpdateTable: updateTable,
});
