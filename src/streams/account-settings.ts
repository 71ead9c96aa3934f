/**
 * Account-level settings (DescribeAccountSettings / UpdateAccountSettings): today the minimum
 * throughput billing commitment, which unlocks warm throughput on ON_DEMAND streams. Stored whole
 * per account in a catalog entry of its own, the settings record (`kinesis-settings@<accountId>`,
 * name `settings`; the streams service's view of the catalog does not show it), changed by a
 * compare-and-set on its revision: two nodes updating one account at once both land, the second
 * applied to the first's result after its write met the first as a conflict. The catalog's
 * account settings (`putAccountSettings`, which has no compare-and-set) hold what was stored
 * before the record existed: they are the record's first value, and are no longer written. Each
 * node also runs its own changes one after another, so they rarely conflict.
 *
 * The commitment's life, as AWS documents it (MinimumThroughputBillingCommitmentInput): enabling
 * starts it, with a minimum term of 24 hours that ends at EarliestAllowedEndAt. Disabling before
 * then schedules the end for EarliestAllowedEndAt (ENABLED_UNTIL_EARLIEST_ALLOWED_END), and
 * enabling again before then cancels the scheduled end; disabling after it ends the commitment at
 * once. The status is computed from the stored times, so a scheduled end takes effect when its
 * time comes, without a timer and across restarts.
 */
import { CatalogCache } from "../storage/catalog-cache.js";
import type { Catalog } from "../storage/types.js";
import { wholeCatalogOf, type StreamsCache } from "./stream-catalog.js";
import type { AccountSettings, BillingCommitmentMeta } from "./model.js";
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";
import { namespaceRecordsOnly } from "../storage/namespace-records.js";

export type CommitmentStatus = "ENABLED" | "DISABLED" | "ENABLED_UNTIL_EARLIEST_ALLOWED_END";

/** MinimumThroughputBillingCommitmentOutput as the wire carries it. */
export interface WireBillingCommitment {
  Status: CommitmentStatus;
  StartedAt?: Date;
  EndedAt?: Date;
  EarliestAllowedEndAt?: Date;
}

export const settingsNamespace = "kinesis-settings";
const recordName = "settings";
/** Lowercase hex naming no log: a reset (server/drop-all-state.ts) drops every entry's logs. */
const noStreamId = "0".repeat(32);
/** Changes through one node wait in line per account, so few ever conflict. */
const casAttemptsMax = 20;

/** The catalog entry (named as the embedded catalog's format requires: accountId, StreamName). */
export interface SettingsRecord {
  accountId: string;
  StreamName: string;
  streamId: string;
  service: typeof settingsNamespace;
  settings: AccountSettings;
}

function recordAccountOf(accountId: string): string {
  return `${settingsNamespace}@${accountId}`;
}

/** One store per account that has made a request (accounts come from the credentials file, so they are few). */
export class AccountSettingsStores {
  private readonly stores = new Map<string, AccountSettingsStore>();
  /** This node's copy of the settings records, with their revisions. */
  readonly records: CatalogCache<SettingsRecord, object>;

  constructor(private readonly catalog: StreamsCache) {
    this.records = new CatalogCache(namespaceRecordsOnly(wholeCatalogOf(catalog.catalog) as Catalog<SettingsRecord, object>, settingsNamespace));
  }

  forAccount(accountId: string): AccountSettingsStore {
    let store = this.stores.get(accountId);
    if (store === undefined) {
      store = new AccountSettingsStore(this.catalog, accountId, this);
      this.stores.set(accountId, store);
    }
    return store;
  }

  stop(): void {
    this.records.stop();
  }
}

/** One account's settings. */
export class AccountSettingsStore {
  /** The tail of the queue of read-modify-write changes. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly catalog: StreamsCache,
    private readonly accountId: string,
    /** Every account's, for the service's own work across accounts (the on-demand scaler). */
    readonly stores: AccountSettingsStores,
  ) {}

  current(): AccountSettings {
    return this.stores.records.get(recordAccountOf(this.accountId), recordName)?.settings ?? this.catalog.accountSettings(this.accountId) ?? {};
  }

  /**
   * Applies `change` to the settings once every earlier change through this node has finished, by
   * a compare-and-set of the settings record (applied again to what another node stored first);
   * throws InternalFailure if storage cannot make it durable.
   */
  update(change: (current: AccountSettings) => AccountSettings): Promise<AccountSettings> {
    const result = this.changing.then(() => this.compareAndSet(change));
    this.changing = result.catch(() => undefined);
    return result;
  }

  private async compareAndSet(change: (current: AccountSettings) => AccountSettings): Promise<AccountSettings> {
    const records = this.stores.records;
    await records.ready;
    const recordAccount = recordAccountOf(this.accountId);
    for (let attempt = 1; attempt <= casAttemptsMax; attempt++) {
      const revision = records.revisionOf(recordAccount, recordName);
      const next = change(this.current());
      const record: SettingsRecord = { accountId: recordAccount, StreamName: recordName, streamId: noStreamId, service: settingsNamespace, settings: next };
      const outcome = await records.catalog.put(recordAccount, recordName, record, { expectedRevision: revision });
      if (outcome.ok) return next;
      if (!("conflict" in outcome)) throw streamsErrors.storageUnavailable(outcome.failure);
      // Another node's write won: this node's copy is brought up to it before the change is applied again.
      await records.catalog.sync?.();
    }
    throw streamsErrors.storageUnavailable(new Error(`the settings of ${this.accountId} kept changing under ${casAttemptsMax} compare-and-sets`));
  }
}

export function commitmentStatus(commitment: BillingCommitmentMeta | undefined, nowMs: number): CommitmentStatus {
  if (!commitment) return "DISABLED";
  if (commitment.endsAtMs === undefined) return "ENABLED";
  return nowMs < commitment.endsAtMs ? "ENABLED_UNTIL_EARLIEST_ALLOWED_END" : "DISABLED";
}

/** Whether the commitment is in force now (warm throughput needs it). */
export function commitmentInForce(settings: AccountSettings, nowMs: number): boolean {
  return commitmentStatus(settings.billingCommitment, nowMs) !== "DISABLED";
}

/** The settings after a request for `status` at `nowMs`. */
export function withCommitmentStatus(settings: AccountSettings, status: "ENABLED" | "DISABLED", nowMs: number): AccountSettings {
  const commitment = settings.billingCommitment;
  const inForce = commitmentStatus(commitment, nowMs) !== "DISABLED";
  if (status === "ENABLED") {
    if (inForce) {
      // Enabling a running commitment keeps it, and cancels an end scheduled for later.
      const { endsAtMs: _cancelled, ...running } = commitment!;
      return { ...settings, billingCommitment: running };
    }
    return { ...settings, billingCommitment: { startedAtMs: nowMs, earliestAllowedEndAtMs: nowMs + limits.billingCommitmentTermMs } };
  }
  if (!inForce || commitment!.endsAtMs !== undefined) return settings;
  return { ...settings, billingCommitment: { ...commitment!, endsAtMs: Math.max(nowMs, commitment!.earliestAllowedEndAtMs) } };
}

export function wireCommitment(settings: AccountSettings, nowMs: number): WireBillingCommitment {
  const commitment = settings.billingCommitment;
  const wire: WireBillingCommitment = { Status: commitmentStatus(commitment, nowMs) };
  if (!commitment) return wire;
  wire.StartedAt = new Date(commitment.startedAtMs);
  if (commitment.endsAtMs !== undefined) wire.EndedAt = new Date(commitment.endsAtMs);
  wire.EarliestAllowedEndAt = new Date(commitment.earliestAllowedEndAtMs);
  return wire;
}
