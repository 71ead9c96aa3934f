/**
 * The Lambda service's tables (functions, versions, aliases, layers, mappings, checkpoints, logs):
 * the storage engine's TableStore under the namespace `lambda@<accountId>` (src/storage/service-tables.ts).
 */
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { TableStore } from "../storage/types.js";
import { NamespacedTables } from "../storage/service-tables.js";

export class ServiceTables extends NamespacedTables {
  constructor(tables: TableStore, clock: Clock, random: Random) {
    super("lambda", tables, clock, random);
  }
}
