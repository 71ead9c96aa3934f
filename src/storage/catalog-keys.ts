/**
 * How catalogs key and order streams: by (accountId, StreamName). Lookups go through a map per
 * account, so finding a stream costs two map reads and builds no composite key.
 */
import type { StreamMeta } from "./types.js";

/** Streams of one account by name, per account. */
export type StreamsByAccount = Map<string, Map<string, StreamMeta>>;

export function streamOf(streams: StreamsByAccount, accountId: string, streamName: string): StreamMeta | undefined {
  return streams.get(accountId)?.get(streamName);
}

export function setStream(streams: StreamsByAccount, meta: StreamMeta): void {
  let named = streams.get(meta.accountId);
  if (named === undefined) {
    named = new Map();
    streams.set(meta.accountId, named);
  }
  named.set(meta.StreamName, meta);
}

export function deleteStream(streams: StreamsByAccount, accountId: string, streamName: string): void {
  const named = streams.get(accountId);
  if (named === undefined) return;
  named.delete(streamName);
  if (named.size === 0) streams.delete(accountId);
}

/** The streams of `accountId` sorted by name, or every account's sorted by account then name. */
export function sortedStreams(streams: StreamsByAccount, accountId?: string): StreamMeta[] {
  if (accountId !== undefined) return [...(streams.get(accountId)?.values() ?? [])].sort(byAccountThenName);
  const out: StreamMeta[] = [];
  for (const named of streams.values()) out.push(...named.values());
  return out.sort(byAccountThenName);
}

/** A copy whose per-account maps may be changed without touching `streams` (entries are replaced whole, never mutated). */
export function copyStreams(streams: StreamsByAccount): StreamsByAccount {
  const copy: StreamsByAccount = new Map();
  for (const [accountId, named] of streams) copy.set(accountId, new Map(named));
  return copy;
}

export function byAccountThenName(a: StreamMeta, b: StreamMeta): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  return a.StreamName < b.StreamName ? -1 : a.StreamName > b.StreamName ? 1 : 0;
}
