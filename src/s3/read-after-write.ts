/**
 * S3's strong consistency across nodes (docs/cluster.md): every action reads buckets, objects and
 * uploads from this node's copy of the store, which hears of another node's writes a moment after
 * they are acknowledged. S3 promises read-after-write, overwrite, delete and LIST consistency, and
 * a bucket usable at once; so where the engine can bring the copy up to the store
 * (`ObjectStore.sync`, the NATS engine), every action syncs first: one round trip to the records
 * bucket's leader per request.
 */
import type { S3Action, S3ActionName } from "./action.js";

export type ObjectsSync = () => Promise<boolean>;

/** `actions`, each run after a sync (unchanged without one). */
export function withReadAfterWrite(actions: Partial<Record<S3ActionName, S3Action>>, sync: ObjectsSync | undefined): Partial<Record<S3ActionName, S3Action>> {
  if (sync === undefined) return actions;
  const wrapped: Partial<Record<S3ActionName, S3Action>> = {};
  for (const [name, action] of Object.entries(actions) as [S3ActionName, S3Action][]) {
    wrapped[name] = async (context, request) => {
      await sync();
      return action(context, request);
    };
  }
  return wrapped;
}
