/**
 * UpdateAccountSettings through two nodes sharing one catalog: each node's AccountSettingsStores
 * (src/streams/account-settings.ts) over its own copy of the catalog. Node A reads the settings,
 * and before its write lands node B changes them: A's write must not undo B's change. One memory
 * engine; node A's catalog writes can be held, as a write on its way to a remote store would be.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AccountSettingsStores } from "../../src/streams/account-settings.js";
import { kinesisOnlyCatalog, streamsCatalog, type StreamsCatalog } from "../../src/streams/stream-catalog.js";
import type { AccountSettings } from "../../src/streams/model.js";
import { CatalogCache } from "../../src/storage/catalog-cache.js";
import { createMemoryEngine } from "../../src/storage/memory/memory-engine.js";
import type { CasOutcome, Catalog, Expectation, WriteOutcome } from "../../src/storage/types.js";
import { SeededRandom } from "../../src/util/random.js";

const account = "000000000000";

/** A catalog whose writes wait, once `hold` is called, until the returned release. */
function holdableCatalog(inner: Catalog) {
  let hold: Promise<void> | undefined;
  let held = 0;
  const later = async <T>(write: () => Promise<T>): Promise<T> => {
    if (hold !== undefined) {
      held++;
      await hold;
    }
    return write();
  };
  const catalog: Catalog = {
    list: (accountId) => inner.list(accountId),
    get: (accountId, name) => inner.get(accountId, name),
    put: ((accountId: string, name: string, entry: object, expect?: Expectation) =>
      later<WriteOutcome | CasOutcome>(() => (expect === undefined ? inner.put(accountId, name, entry) : inner.put(accountId, name, entry, expect)))) as Catalog["put"],
    remove: ((accountId: string, name: string, expect?: Expectation) =>
      later<WriteOutcome | CasOutcome>(() => (expect === undefined ? inner.remove(accountId, name) : inner.remove(accountId, name, expect)))) as Catalog["remove"],
    accountSettings: (accountId) => inner.accountSettings(accountId),
    putAccountSettings: (accountId, settings) => later(() => inner.putAccountSettings(accountId, settings)),
    secret: () => inner.secret(),
    watch: (listener) => inner.watch(listener),
  };
  return {
    catalog,
    held: () => held,
    hold() {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

async function node(catalog: Catalog) {
  const cache = new CatalogCache(kinesisOnlyCatalog(catalog as StreamsCatalog));
  await cache.ready;
  return new AccountSettingsStores(cache).forAccount(account);
}

/** Settings with a marker of who changed them (the store keeps settings whole, whatever they hold). */
const marked = (settings: AccountSettings, by: string) => ({ ...settings, [by]: true }) as AccountSettings;

async function waitForValue(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !check(); attempt++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(check(), "the condition did not hold");
}

describe("cluster > account settings", () => {
  it("two nodes updating one account at the same instant both land", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const throughA = holdableCatalog(streamsCatalog(engine));
    const a = await node(throughA.catalog);
    const b = await node(streamsCatalog(engine));
    const release = throughA.hold();
    const updatingA = a.update((current) => marked(current, "a"));
    await waitForValue(() => throughA.held() === 1);
    await b.update((current) => marked(current, "b"));
    release();
    await updatingA;
    for (const store of [a, b]) assert.deepEqual(store.current(), { a: true, b: true });
  });

  it("starts from the settings stored before the settings record existed", async () => {
    const engine = createMemoryEngine(new SeededRandom(2));
    const legacy = { billingCommitment: { startedAtMs: 1, earliestAllowedEndAtMs: 2 } };
    assert.ok((await streamsCatalog(engine).putAccountSettings(account, legacy)).ok);
    const a = await node(streamsCatalog(engine));
    const b = await node(streamsCatalog(engine));
    assert.deepEqual(b.current(), legacy);
    await a.update((current) => marked(current, "a"));
    assert.deepEqual(b.current(), { ...legacy, a: true });
  });
});
