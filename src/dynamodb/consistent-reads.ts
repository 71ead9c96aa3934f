/**
 * DynamoDB's consistency across nodes (docs/cluster.md): every action reads tables and items from
 * this node's copy of the store, which hears of another node's writes a moment after they are
 * acknowledged. Where the engine can bring the copy up to the store (`TableStore.sync`, the NATS
 * engine), a read with `ConsistentRead: true` syncs first, so it returns every write acknowledged
 * before it began (DynamoDB's strongly consistent read); and an action that would answer
 * ResourceNotFoundException syncs and, if the copy changed, runs once more, so a table created
 * through another node is found at once. Only consistent reads and misses pay the round trip to
 * the bucket's leader; conditional writes are decided by the store and need neither.
 *
 * An action answers ResourceNotFoundException before it changes anything (it looks the table up
 * first), so running it again is the same call made a moment later.
 */
import type { DynamoDbAction } from "./action.js";
import type { DynamoDbContext } from "./context.js";
import { ServiceError } from "../protocol/service-error.js";

/** Whether the copy changed since the call began, once it holds what the store held then. */
export type TablesSync = () => Promise<boolean>;

/** `actions`, with consistent reads and misses synced first (unchanged without a sync). */
export function withConsistentReads(actions: Readonly<Record<string, DynamoDbAction>>, sync: TablesSync | undefined): Readonly<Record<string, DynamoDbAction>> {
  if (sync === undefined) return actions;
  const wrapped: Record<string, DynamoDbAction> = {};
  for (const [name, action] of Object.entries(actions)) {
    wrapped[name] = {
      ...action,
      run: async (context: DynamoDbContext, input: unknown) => {
        if (wantsConsistentRead(input)) await sync();
        try {
          return await action.run(context, input);
        } catch (error) {
          if (!isMiss(error) || !(await sync())) throw error;
          return action.run(context, input);
        }
      },
    };
  }
  return Object.freeze(wrapped);
}

function wantsConsistentRead(input: unknown): boolean {
  return typeof input === "object" && input !== null && (input as { ConsistentRead?: unknown }).ConsistentRead === true;
}

function isMiss(error: unknown): boolean {
  return error instanceof ServiceError && error.type.endsWith("#ResourceNotFoundException") && !error.injected;
}
