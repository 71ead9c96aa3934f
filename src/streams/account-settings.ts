/**
 * Account-level settings (DescribeAccountSettings / UpdateAccountSettings): today the minimum
 * throughput billing commitment, which unlocks warm throughput on ON_DEMAND streams. Stored whole
 * per account in the catalog; changes run one after another so two concurrent updates never lose
 * each other.
 *
 * The commitment's life, as AWS documents it (MinimumThroughputBillingCommitmentInput): enabling
 * starts it, with a minimum term of 24 hours that ends at EarliestAllowedEndAt. Disabling before
 * then schedules the end for EarliestAllowedEndAt (ENABLED_UNTIL_EARLIEST_ALLOWED_END), and
 * enabling again before then cancels the scheduled end; disabling after it ends the commitment at
 * once. The status is computed from the stored times, so a scheduled end takes effect when its
 * time comes, without a timer and across restarts.
 */
import type { StreamsCache } from "./stream-catalog.js";
import type { AccountSettings, BillingCommitmentMeta } from "./model.js";
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";

export type CommitmentStatus = "ENABLED" | "DISABLED" | "ENABLED_UNTIL_EARLIEST_ALLOWED_END";

/** MinimumThroughputBillingCommitmentOutput as the wire carries it. */
export interface WireBillingCommitment {
  Status: CommitmentStatus;
  StartedAt?: Date;
  EndedAt?: Date;
  EarliestAllowedEndAt?: Date;
}

/** One store per account that has made a request (accounts come from the credentials file, so they are few). */
export class AccountSettingsStores {
  private readonly stores = new Map<string, AccountSettingsStore>();

  constructor(private readonly catalog: StreamsCache) {}

  forAccount(accountId: string): AccountSettingsStore {
    let store = this.stores.get(accountId);
    if (store === undefined) {
      store = new AccountSettingsStore(this.catalog, accountId, this);
      this.stores.set(accountId, store);
    }
    return store;
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
    return this.catalog.accountSettings(this.accountId) ?? {};
  }

  /** Applies `change` to the settings once every earlier change has finished; throws InternalFailure if storage cannot make it durable. */
  update(change: (current: AccountSettings) => AccountSettings): Promise<AccountSettings> {
    const result = this.changing.then(async () => {
      const next = change(this.current());
      const outcome = await this.catalog.catalog.putAccountSettings(this.accountId, next);
      if (!outcome.ok) throw streamsErrors.storageUnavailable(outcome.failure);
      return next;
    });
    this.changing = result.catch(() => undefined);
    return result;
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
