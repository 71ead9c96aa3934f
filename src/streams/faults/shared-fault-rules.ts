/**
 * Fault rules shared by every node of a cluster (docs/fault-injection.md, docs/cluster.md): rules
 * installed or cleared through one node's admin route are stored as one catalog entry and every
 * node installs what the entry holds as its watch announces it, so a client behind a load balancer
 * meets the same faults whichever node serves it. Only on an engine several processes share
 * (`processLocalEngine` false: NATS): with one process, rules stay in memory as before, and a
 * restart starts without them.
 *
 * The entry lives under the namespace account `tributary-faults@000000000000`, which no service's
 * own view of the catalog shows, shaped as the embedded catalog's format requires of any entry
 * (accountId `<namespace>@<12 digits>`, StreamName). Each installation carries an id, so the node that wrote it does not install it a second time when its
 * own write comes back through the watch (that would restart its counters). Counters and schedules
 * are each node's: a rule's "calls 3–5" counts the calls the node itself served.
 */
import type { Catalog, CatalogWatch, WriteOutcome } from "../../storage/types.js";
import { parseFaultConfig, type FaultConfig } from "./fault-config.js";

const noStreamId = "0".repeat(32);

export const faultRulesAccount = "tributary-faults@000000000000";
export const faultRulesName = "rules";

interface FaultRulesEntry {
  accountId: typeof faultRulesAccount;
  StreamName: typeof faultRulesName;
  /** Names no shard log (as the quota record's): a reset removes the entry and asks the logs for nothing. */
  streamId: typeof noStreamId;
  installId: string;
  config: FaultConfig;
}

/** What the nodes are told: new rules (with the installation's id), or none. */
export type SharedRulesChange = { config: FaultConfig; installId: string } | { config: null };

export class SharedFaultRules {
  private watching: CatalogWatch | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly knownActions: readonly string[],
  ) {}

  /**
   * Follows the entry: `listener` hears the rules present now (before the returned promise
   * resolves), then every change. An entry this version cannot read (written by a newer one with
   * other actions) is announced as no rules rather than half of them.
   */
  async follow(listener: (change: SharedRulesChange) => void): Promise<void> {
    this.watching = this.catalog.watch((change) => {
      if (change.kind !== "entry" || change.accountId !== faultRulesAccount || change.name !== faultRulesName) return;
      const entry = change.entry as Partial<FaultRulesEntry> | undefined;
      const parsed = entry === undefined ? undefined : parseFaultConfig(entry.config, this.knownActions);
      if (entry === undefined || parsed === undefined || !parsed.ok || typeof entry.installId !== "string") listener({ config: null });
      else listener({ config: parsed.config, installId: entry.installId });
    });
    await this.watching.ready;
  }

  /** Stores `config` as every node's rules, as installation `installId`; resolves once stored. */
  put(config: FaultConfig, installId: string): Promise<WriteOutcome> {
    const entry: FaultRulesEntry = { accountId: faultRulesAccount, StreamName: faultRulesName, streamId: noStreamId, installId, config };
    return this.catalog.put(faultRulesAccount, faultRulesName, entry);
  }

  /** Removes the rules for every node. */
  clear(): Promise<WriteOutcome> {
    return this.catalog.remove(faultRulesAccount, faultRulesName);
  }

  stop(): void {
    this.watching?.stop();
    this.watching = undefined;
  }
}
