/**
 * The catalog as the Kinesis service uses it: storage keeps opaque JSON entries by (accountId,
 * name) (src/storage/types.ts, Catalog); this service's entries are StreamMeta named by their
 * StreamName, and its account settings AccountSettings.
 */
import { isServiceNamespace } from "../storage/service-tables.js";
import type { CasOutcome, Catalog, StorageEngine, WriteOutcome } from "../storage/types.js";
import type { CatalogCache } from "../storage/catalog-cache.js";
import { accountsOnly } from "../storage/namespace-records.js";
import type { AccountSettings, StreamMeta } from "./model.js";

export type StreamsCatalog = Catalog<StreamMeta, AccountSettings>;

/** The engine's catalog typed with this service's entries: it holds only what this service put there. */
export function streamsCatalog(storage: Pick<StorageEngine, "catalog">): StreamsCatalog {
  return storage.catalog as StreamsCatalog;
}

/**
 * The catalog as the Kinesis service reads it: without the entries other services keep under a
 * namespaced account (`<service>@<accountId>`, Firehose's DirectPut ingest logs), which are no
 * Kinesis streams. Writes (and `sync`) pass through; a reset (server/drop-all-state.ts) reads the whole catalog.
 */
export function kinesisOnlyCatalog(catalog: StreamsCatalog): StreamsCatalog {
  const filtered = accountsOnly(catalog, (accountId) => !isServiceNamespace(accountId), { settingsChanges: true });
  unfiltered.set(filtered, catalog);
  return filtered;
}

const unfiltered = new WeakMap<StreamsCatalog, StreamsCatalog>();

/**
 * The whole catalog under a `kinesisOnlyCatalog` view (the catalog itself if it is none): where the
 * service keeps entries of its own under a namespace account (the quota records, quota/account-quota.ts).
 */
export function wholeCatalogOf(catalog: StreamsCatalog): Catalog {
  return unfiltered.get(catalog) ?? catalog;
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
