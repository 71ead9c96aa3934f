/**
 * The catalog as the Kinesis service uses it: storage keeps opaque JSON entries by (accountId,
 * name) (src/storage/types.ts, Catalog); this service's entries are StreamMeta named by their
 * StreamName, and its account settings AccountSettings.
 */
import type { CasOutcome, Catalog, StorageEngine, WriteOutcome } from "../storage/types.js";
import type { CatalogCache } from "../storage/catalog-cache.js";
import type { AccountSettings, StreamMeta } from "./model.js";

export type StreamsCatalog = Catalog<StreamMeta, AccountSettings>;

/** The engine's catalog typed with this service's entries: it holds only what this service put there. */
export function streamsCatalog(storage: Pick<StorageEngine, "catalog">): StreamsCatalog {
  return storage.catalog as StreamsCatalog;
}

/** Inserts or replaces a stream's entry under its own account and name. */
export function putStream(catalog: StreamsCatalog, meta: StreamMeta): Promise<WriteOutcome> {
  return catalog.put(meta.accountId, meta.StreamName, meta);
}

/** The service's process-local copy of the catalog, following its watch (src/storage/catalog-cache.ts). */
export type StreamsCache = CatalogCache<StreamMeta, AccountSettings>;

/** Stores a stream's entry only if it is still at `expectedRevision` (or absent): a conflict is an outcome. */
export function putStreamAt(catalog: StreamsCatalog, meta: StreamMeta, expectedRevision: number | "absent"): Promise<CasOutcome> {
  return catalog.put(meta.accountId, meta.StreamName, meta, { expectedRevision });
}
