/**
 * Reading and writing one item through the table store, and the answers the item actions share.
 *
 * A conditional write is a read-modify-write: read the item with its revision, check the
 * condition against it and decide what to write, then write compare-and-set on that revision. If
 * another write came between (another request, or another node on the same store), the store
 * answers a conflict and the whole step runs again on the item as it now is — so a condition is
 * always checked against the item the write replaces, as DynamoDB's are.
 */
import type { ServiceError } from "../protocol/service-error.js";
import type { CasOutcome, Expectation } from "../storage/types.js";
import type { Item } from "./attribute-value.js";
import type { DynamoDbContext } from "./context.js";
import { dynamoDbErrors } from "./errors.js";
import { project } from "./expressions/evaluate.js";
import type { DocumentPath } from "./expressions/ast.js";
import { storageKey, type Table } from "./table.js";

/**
 * Attempts of one change before it gives up with InternalServerError (retriable). Each conflict
 * means another write to the item succeeded, so this bounds only how long one request can lose to
 * a stream of concurrent writers of the same item.
 */
export const itemChangeAttemptsMax = 100;

/** What a change decides: to write `item` (undefined: delete it) or nothing, and what to answer. */
export type ItemDecision<Answer> = { write: Item | undefined; answer: Answer } | { answer: Answer };

/**
 * Runs `decide` on the item as stored (it may throw, e.g. ConditionalCheckFailedException) and
 * makes its write, compare-and-set on the revision it saw; runs it again on a conflict.
 */
export async function changeItem<Answer>(
  context: DynamoDbContext,
  table: Table,
  key: Item,
  decide: (old: Item | undefined) => ItemDecision<Answer>,
): Promise<Answer> {
  const tableId = table.meta.tableId;
  const storeKey = storageKey(table, key);
  for (let attempt = 1; ; attempt++) {
    const stored = await context.tables.getVersionedItem(tableId, storeKey);
    const decision = decide(stored === undefined ? undefined : (JSON.parse(stored.value) as Item));
    if (!("write" in decision)) return decision.answer;
    const expect: Expectation = { expectedRevision: stored?.revision ?? "absent" };
    const outcome: CasOutcome =
      decision.write === undefined
        ? await context.tables.deleteItem(tableId, storeKey, expect)
        : await context.tables.putItem(tableId, { key: storeKey, value: JSON.stringify(decision.write) }, expect);
    if (outcome.ok) return decision.answer;
    if ("failure" in outcome) throw storageFailure(outcome.failure);
    if (attempt >= itemChangeAttemptsMax) {
      throw dynamoDbErrors.internal(new Error(`item changed concurrently ${attempt} times in a row`));
    }
  }
}

function storageFailure(failure: { message: string; cause?: unknown }): ServiceError {
  return dynamoDbErrors.internal(failure.cause ?? new Error(failure.message));
}

export async function readItem(context: DynamoDbContext, table: Table, key: Item): Promise<Item | undefined> {
  const stored = await context.tables.getItem(table.meta.tableId, storageKey(table, key));
  return stored === undefined ? undefined : (JSON.parse(stored) as Item);
}

/** UPDATED_OLD / UPDATED_NEW: the updated paths' values. */
export function updatedAttributes(item: Item, paths: readonly DocumentPath[]): Item {
  return project(item, paths);
}
