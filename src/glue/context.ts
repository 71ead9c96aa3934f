import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Principal } from "../auth/principal.js";
import type { CatalogStore } from "./catalog-store.js";

export interface GlueConfig {
  region: string;
  /** The account of callers under `--auth none`. */
  accountId: string;
}

/** What a Glue action may touch: injected, so tests control time and storage. */
export interface GlueContext {
  clock: Clock;
  random: Random;
  config: GlueConfig;
  store: CatalogStore;
  /** The caller's account: its Data Catalog (CatalogId) unless the request names another. */
  accountId: string;
  principal: Principal;
}
