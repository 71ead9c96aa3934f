/**
 * The account's stream quotas (the ON_DEMAND stream count, the open shards of PROVISIONED streams)
 * enforced across every node serving one catalog. Each node's streams come from its own copy of
 * the catalog (the watch), which shows another node's creation only after a round trip: checks
 * against it alone let creations made at once through two nodes both pass. So every change that
 * makes a stream count more (CreateStream, UpdateStreamMode, UpdateShardCount growing) is admitted
 * by a compare-and-set of one catalog entry per account, the quota record, that holds a claim per
 * counting stream; the check and the claim are one step, so two admissions never both pass.
 *
 * The record is derivable from the streams: a claim whose stream exists is replaced by what the
 * stream counts; one whose stream does not exist (a creation that failed, a node that died between
 * claiming and storing) lapses `claimGraceMs` after it was made. That reconciliation runs when an
 * admission would be refused (so a lapsed claim never refuses anyone) and when there is no record
 * yet. A claim changed less than `claimGraceMs` ago is a change in flight: it keeps counting at
 * least what it claims. The record lives under the namespace account `kinesis-quota@<accountId>`
 * (docs/formats/nats.md), which the streams service's own view of the catalog does not show.
 */
import { CatalogCache } from "../../storage/catalog-cache.js";
import type { Catalog } from "../../storage/types.js";
import type { Clock } from "../../util/clock.js";
import { streamsErrors } from "../errors.js";
import type { StreamMeta } from "../model.js";
import { openShardCountAfterReshard } from "../resharding/plan.js";
import { namespaceRecordsOnly } from "../../storage/namespace-records.js";

export const quotaNamespace = "kinesis-quota";
const recordName = "streams";
/** Lowercase hex naming no log: a reset (server/drop-all-state.ts) drops every entry's logs. */
const noStreamId = "0".repeat(32);

/** What one stream incarnation counts against the account's quotas. */
export interface Claim {
  StreamName: string;
  onDemand: boolean;
  /** Open shards counting against the shard quota (0 for an ON_DEMAND stream). */
  shards: number;
  /** When the claim was made or last changed: younger than claimGraceMs, it is a change in flight. */
  atMs: number;
  /** A deleted stream counts until its deletion falls due, as it stays visible until then. */
  untilMs?: number;
}

/** The catalog entry (named as the embedded catalog's format requires: accountId, StreamName). */
export interface QuotaRecord {
  accountId: string;
  StreamName: string;
  streamId: string;
  service: typeof quotaNamespace;
  /** By streamId: two creations of one name through two nodes claim apart until one of them fails. */
  claims: Record<string, Claim>;
}

export interface Usage {
  onDemandStreams: number;
  openShards: number;
}

/** How long a claim that no stored stream backs keeps counting: longer than any creation's catalog write. */
export const claimGraceMs = 60_000;
/** Admissions by one node wait in line per account (StreamRegistry.quotaChecked), so few ever conflict. */
const casAttemptsMax = 20;
/** How long a node waits for its watch to bring the write it lost a compare-and-set to. */
const catchUpWaitMs = 5_000;

/**
 * The streams as the quota reads them, from this node's copy of the catalog. That copy follows the
 * same watch as the record's, in the catalog's order: when the record is at revision R, the copy
 * holds every stream written before R, and a stream written after is still claimed in the record
 * (its claim is younger than claimGraceMs, far longer than a watch lags).
 */
export interface QuotaStreams {
  /** The stream as a client of this node sees it now, undefined if absent or its deletion is due. */
  visible(accountId: string, streamName: string): StreamMeta | undefined;
  /** The account's entries, deleted ones included. */
  stored(accountId: string): readonly StreamMeta[];
}

/** What a stream counts against the quotas now (undefined: nothing, its deletion is due). */
export function claimOf(meta: StreamMeta, nowMs: number): Claim | undefined {
  if (meta.StreamStatus === "DELETING" && nowMs >= meta.statusDueAtMs) return undefined;
  const claim: Claim = {
    StreamName: meta.StreamName,
    onDemand: meta.StreamMode === "ON_DEMAND",
    shards: meta.StreamMode === "PROVISIONED" ? openShardCountAfterReshard(meta) : 0,
    atMs: nowMs,
  };
  if (meta.StreamStatus === "DELETING") claim.untilMs = meta.statusDueAtMs;
  return claim;
}

export class AccountQuotas {
  private readonly cache: CatalogCache<QuotaRecord, object>;

  constructor(
    /** The engine's whole catalog (not the streams service's filtered view). */
    catalog: Catalog,
    private readonly streams: QuotaStreams,
    private readonly clock: Clock,
  ) {
    this.cache = new CatalogCache(namespaceRecordsOnly(catalog as Catalog<QuotaRecord, object>, quotaNamespace));
  }

  /**
   * Sets the claim of stream incarnation `streamId` (undefined: removes it) if `check`, given the
   * account's usage with the claim as it was, does not throw. Check and claim are one
   * compare-and-set on the record; a refusal is decided again after reconciling the record with
   * the stored streams, and `check`'s error then reports the reconciled usage.
   */
  async admit(accountId: string, streamId: string, claim: Claim | undefined, check: (usage: Usage) => void): Promise<void> {
    await this.change(accountId, (record, reconciled) => {
      try {
        check(this.usage(accountId, record));
      } catch (error) {
        // Refused only on the reconciled record, stored as it is (a write that meets a newer
        // revision decides again): a refusal, too, is decided on the latest record.
        return reconciled ? { record, refusal: error } : "reconcile";
      }
      return { record: withClaim(record, streamId, claim, this.clock.nowMs()) };
    });
  }

  /**
   * Changes a claim with no check: a stream counting less (deleted, shrunk, switched off
   * ON_DEMAND once stored) or a claim given back after its change failed. `change` returns the
   * claim to keep (undefined removes it); nothing is written when the record has no claim for it.
   */
  async release(accountId: string, streamId: string, change: (claim: Claim) => Claim | undefined): Promise<void> {
    await this.change(accountId, (record) => {
      const current = record.claims[streamId];
      if (current === undefined) return "unchanged";
      return { record: withClaim(record, streamId, change(current), this.clock.nowMs()) };
    });
  }

  stop(): void {
    this.cache.stop();
  }

  /** The account's usage by the record, each PROVISIONED stream at least what this node's copy shows (a split counts at once). */
  usage(accountId: string, record: QuotaRecord): Usage {
    const nowMs = this.clock.nowMs();
    const usage: Usage = { onDemandStreams: 0, openShards: 0 };
    for (const [streamId, claim] of Object.entries(record.claims)) {
      if (!counts(claim, nowMs)) continue;
      if (claim.onDemand) usage.onDemandStreams++;
      const seen = this.streams.visible(accountId, claim.StreamName);
      const seenShards = seen?.streamId === streamId && seen.StreamMode === "PROVISIONED" ? openShardCountAfterReshard(seen) : 0;
      usage.openShards += Math.max(claim.shards, seenShards);
    }
    return usage;
  }

  /**
   * Read-modify-write of the account's record: `decide` gets the record (reconciled with the stored
   * streams when it asked for that, or when there was none) and returns the record to store.
   */
  private async change(accountId: string, decide: (record: QuotaRecord, reconciled: boolean) => Decision): Promise<void> {
    await this.cache.ready;
    const recordAccount = quotaAccountOf(accountId);
    let reconcile = false;
    for (let attempt = 1; attempt <= casAttemptsMax; attempt++) {
      const revision = this.cache.revisionOf(recordAccount, recordName);
      const cached = this.cache.get(recordAccount, recordName);
      let record = cached ?? emptyRecord(accountId);
      const reconciled = reconcile || cached === undefined;
      if (reconciled) record = reconcileRecord(record, this.streams.stored(accountId), this.clock.nowMs());
      const decision = decide(record, reconciled);
      if (decision === "unchanged") return;
      if (decision === "reconcile") {
        reconcile = true;
        continue;
      }
      const outcome = await this.cache.catalog.put(recordAccount, recordName, decision.record, { expectedRevision: revision });
      if (outcome.ok) {
        if (decision.refusal !== undefined) throw decision.refusal;
        return;
      }
      if (!("conflict" in outcome)) throw streamsErrors.storageUnavailable(outcome.failure);
      await this.cache.revisionOtherThan(recordAccount, recordName, revision, this.clock, catchUpWaitMs);
    }
    throw streamsErrors.storageUnavailable(new Error(`the quota record of ${accountId} kept changing under ${casAttemptsMax} compare-and-sets`));
  }
}

/** The record to store, and, for a refusal, the error to answer once it is stored; or no write. */
type Decision = { record: QuotaRecord; refusal?: unknown } | "reconcile" | "unchanged";

function counts(claim: Claim, nowMs: number): boolean {
  return claim.untilMs === undefined || nowMs < claim.untilMs;
}

export function quotaAccountOf(accountId: string): string {
  return `${quotaNamespace}@${accountId}`;
}

function emptyRecord(accountId: string): QuotaRecord {
  return { accountId: quotaAccountOf(accountId), StreamName: recordName, streamId: noStreamId, service: quotaNamespace, claims: {} };
}

/** The record with one claim set or removed, and the claims that no longer count dropped. */
function withClaim(record: QuotaRecord, streamId: string, claim: Claim | undefined, nowMs: number): QuotaRecord {
  const claims: Record<string, Claim> = {};
  for (const [id, kept] of Object.entries(record.claims)) if (id !== streamId && counts(kept, nowMs)) claims[id] = kept;
  if (claim !== undefined && counts(claim, nowMs)) claims[streamId] = claim;
  return { ...record, claims };
}

/**
 * The record rebuilt from the stored streams: each counting stream claims what it counts; a claim
 * younger than claimGraceMs (a change in flight) keeps counting at least what it claims; an older
 * claim no stored stream backs lapses.
 */
export function reconcileRecord(record: QuotaRecord, stored: readonly StreamMeta[], nowMs: number): QuotaRecord {
  const claims: Record<string, Claim> = {};
  for (const meta of stored) {
    const fromStream = claimOf(meta, nowMs);
    if (fromStream === undefined) continue;
    const previous = record.claims[meta.streamId];
    if (previous !== undefined && nowMs - previous.atMs < claimGraceMs && counts(previous, nowMs)) {
      claims[meta.streamId] = {
        ...fromStream,
        onDemand: fromStream.onDemand || previous.onDemand,
        shards: Math.max(fromStream.shards, previous.shards),
        atMs: previous.atMs,
      };
    } else {
      claims[meta.streamId] = { ...fromStream, atMs: previous?.atMs ?? fromStream.atMs };
    }
  }
  for (const [streamId, claim] of Object.entries(record.claims)) {
    if (claims[streamId] === undefined && nowMs - claim.atMs < claimGraceMs && counts(claim, nowMs)) claims[streamId] = claim;
  }
  return { ...record, claims };
}
