/**
 * Read-your-writes across nodes (docs/cluster.md): every action reads streams and consumers from
 * this node's copy of the catalog, which hears of another node's writes a moment after they are
 * acknowledged. An action that answers ResourceNotFoundException first asks the engine to bring
 * the copy up to the store (`Catalog.sync`); if the copy changed meanwhile, the action runs once
 * more against it. Only misses pay (one round trip to the catalog's leader), and only on an
 * engine that has `sync` — the memory and embedded engines read the store itself.
 *
 * An action's run answers not-found before it changes anything (it looks the stream or consumer
 * up first), so running it again is the same call made a moment later.
 */
import type { StreamsAction } from "./action.js";
import type { StreamsContext } from "./context.js";
import { ServiceError } from "./errors.js";

/** Whether the copy changed since the call began, once it holds what the store held then. */
export type CatalogSync = () => Promise<boolean>;

/** `actions`, each answering a miss only after `sync` (unchanged without one). */
export function withCatalogReadThrough<Actions extends Record<string, StreamsAction>>(actions: Actions, sync: CatalogSync | undefined): Actions {
  if (sync === undefined) return actions;
  const wrapped: Record<string, StreamsAction> = {};
  for (const [name, action] of Object.entries(actions)) {
    const check = action.check;
    wrapped[name] = {
      ...action,
      run: (context: StreamsContext, input: unknown) => afterMissSync(sync, () => action.run(context, input)),
      // Checks that come before the call rate look streams up too (a miss there is answered as from run).
      ...(check !== undefined && { check: (context: StreamsContext, input: unknown) => afterMissSync(sync, () => check(context, input)) }),
    };
  }
  return wrapped as Actions;
}

async function afterMissSync<T>(sync: CatalogSync, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isMiss(error) || !(await sync())) throw error;
    return attempt();
  }
}

function isMiss(error: unknown): boolean {
  return error instanceof ServiceError && error.type === "ResourceNotFoundException" && !error.injected;
}
