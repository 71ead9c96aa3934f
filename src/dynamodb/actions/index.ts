/** The actions of the DynamoDB lease-table subset, by wire name. */
import type { DynamoDbAction } from "../action.js";
import { createTable } from "./create-table.js";
import { deleteItem } from "./delete-item.js";
import { deleteTable } from "./delete-table.js";
import { describeTable } from "./describe-table.js";
import { getItem } from "./get-item.js";
import { listTables } from "./list-tables.js";
import { putItem } from "./put-item.js";
import { scan } from "./scan.js";
import { updateItem } from "./update-item.js";

export const dynamoDbActions: Readonly<Record<string, DynamoDbAction>> = Object.freeze({
  CreateTable: createTable,
  DeleteItem: deleteItem,
  DeleteTable: deleteTable,
  DescribeTable: describeTable,
  GetItem: getItem,
  ListTables: listTables,
  PutItem: putItem,
  Scan: scan,
  UpdateItem: updateItem,
});
