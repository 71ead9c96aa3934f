/**
 * Views of the catalog that show some accounts only. Reads and the watch see the entries of the
 * accounts kept; writes and `sync` pass through.
 *
 * `namespaceRecordsOnly`: one service's own records, the entries under its namespace accounts
 * (`<namespace>@<accountId>`, which no caller can name: src/storage/service-tables.ts), as a
 * catalog of their own for a CatalogCache that follows only them — the streams quota records, the
 * account settings records, the subscription records; its watch announces no account settings.
 */
import type { Catalog, CatalogChange } from "./types.js";

export function namespaceRecordsOnly<Entry extends { accountId: string }>(catalog: Catalog<Entry, object>, namespace: string): Catalog<Entry, object> {
  const prefix = `${namespace}@`;
  return accountsOnly(catalog, (accountId) => accountId.startsWith(prefix), { settingsChanges: false });
}

/** The catalog's entries of the accounts `keep` accepts; the watch announces their settings' changes too when `settingsChanges`. */
export function accountsOnly<Entry extends { accountId: string }, Settings extends object>(catalog: Catalog<Entry, Settings>, keep: (accountId: string) => boolean, options: { settingsChanges: boolean }): Catalog<Entry, Settings> {
  const filtered: Catalog<Entry, Settings> = {
    list: async (accountId?: string) => (await catalog.list(accountId)).filter((entry) => keep(entry.accountId)),
    get: async (accountId: string, name: string) => (keep(accountId) ? catalog.get(accountId, name) : undefined),
    put: catalog.put.bind(catalog),
    remove: catalog.remove.bind(catalog),
    accountSettings: catalog.accountSettings.bind(catalog),
    putAccountSettings: catalog.putAccountSettings.bind(catalog),
    secret: () => catalog.secret(),
    watch: (listener: (change: CatalogChange<Entry, Settings>) => void) =>
      catalog.watch((change) => {
        if ((change.kind === "entry" || options.settingsChanges) && keep(change.accountId)) listener(change);
      }),
  };
  if (catalog.sync !== undefined) filtered.sync = catalog.sync.bind(catalog);
  return filtered;
}
