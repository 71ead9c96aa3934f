/**
 * One service's own records in the catalog: the entries under its namespace accounts
 * (`<namespace>@<accountId>`, which no caller can name: src/storage/service-tables.ts), as a
 * catalog of their own for a CatalogCache that follows only them — the streams quota records, the
 * account settings records, the subscription records. Reads and the watch see only those entries
 * (and no account settings); writes and `sync` pass through.
 */
import type { Catalog, CatalogChange } from "./types.js";

export function namespaceRecordsOnly<Entry extends { accountId: string }>(catalog: Catalog<Entry, object>, namespace: string): Catalog<Entry, object> {
  const prefix = `${namespace}@`;
  const ours = (accountId: string) => accountId.startsWith(prefix);
  const filtered: Catalog<Entry, object> = {
    list: async (accountId?: string) => (await catalog.list(accountId)).filter((entry) => ours(entry.accountId)),
    get: async (accountId: string, name: string) => (ours(accountId) ? catalog.get(accountId, name) : undefined),
    put: catalog.put.bind(catalog),
    remove: catalog.remove.bind(catalog),
    accountSettings: catalog.accountSettings.bind(catalog),
    putAccountSettings: catalog.putAccountSettings.bind(catalog),
    secret: () => catalog.secret(),
    watch: (listener: (change: CatalogChange<Entry, object>) => void) =>
      catalog.watch((change) => {
        if (change.kind === "entry" && ours(change.accountId)) listener(change);
      }),
  };
  if (catalog.sync !== undefined) filtered.sync = catalog.sync.bind(catalog);
  return filtered;
}
