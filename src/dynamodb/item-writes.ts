/** Writing one item through the table store, and the answers the item actions share. */
import type { ServiceError } from "../protocol/service-error.js";
import type { WriteOutcome } from "../storage/types.js";
import type { Item } from "./attribute-value.js";
import type { DynamoDbContext } from "./context.js";
import { dynamoDbErrors } from "./errors.js";
import { project } from "./expressions/evaluate.js";
import type { DocumentPath } from "./expressions/ast.js";
import { storageKey, type Table } from "./table.js";

/** Stores `item` under `key` (or removes it when undefined); resolves once durable. */
export async function writeItem(context: DynamoDbContext, table: Table, key: Item, item: Item | undefined): Promise<void> {
  const storeKey = storageKey(table, key);
  const outcome: WriteOutcome =
    item === undefined
      ? await context.tables.deleteItem(table.meta.tableId, storeKey)
      : await context.tables.putItem(table.meta.tableId, { key: storeKey, value: JSON.stringify(item) });
  if (!outcome.ok) throw storageFailure(outcome.failure);
}

function storageFailure(failure: { message: string; cause?: unknown }): ServiceError {
  return dynamoDbErrors.internal(failure.cause ?? new Error(failure.message));
}

export function readItem(context: DynamoDbContext, table: Table, key: Item): Item | undefined {
  const stored = context.tables.getItem(table.meta.tableId, storageKey(table, key));
  return stored === undefined ? undefined : (JSON.parse(stored) as Item);
}

/** UPDATED_OLD / UPDATED_NEW: the updated paths' values. */
export function updatedAttributes(item: Item, paths: readonly DocumentPath[]): Item {
  return project(item, paths);
}
