/**
 * The stream-change notifier: how a subscription learns, without polling, that its stream or
 * shard changed under it. The registry calls `notify` after it stores a stream (a deletion, a
 * consumer deregistered: the pump re-checks at once rather than at its next heartbeat) and a
 * reshard calls it for the shards it closed, so their subscribers send ChildShards and end.
 * Appends are not announced here: the shard log's own `watch` announces them (storage/types.ts),
 * so a pump hears of records appended by any handle on the log, not only by this process's actions.
 *
 * A subscription registers one Waker for its whole life. A wake that arrives while the pump is
 * busy reading or sending is remembered, not lost: the pump clears the waker before it looks at
 * the log, so an append that lands after that look still ends the pump's next wait at once.
 *
 * @example
 *   const waker = new Waker();
 *   const unwatch = notifier.watch(streamId, shardIndex, waker);
 *   try { for (;;) { waker.clear(); read and send; await waker.wait(); } } finally { unwatch(); }
 */

/** A level-triggered wake-up for one waiting pump: a single slot, so waiting allocates one promise. */
export class Waker {
  private pending = false;
  private resolveWait: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    const resolve = this.resolveWait;
    if (resolve === undefined) return;
    this.resolveWait = undefined;
    resolve();
  }

  /** Forgets wakes so far: call before looking at the log, so only later wakes end the next wait. */
  clear(): void {
    this.pending = false;
  }

  /** Resolves at the first wake since the last clear (at once if there was one). One waiter at a time. */
  wait(): Promise<void> {
    if (this.pending) return Promise.resolve();
    return new Promise((resolve) => (this.resolveWait = resolve));
  }
}

export class ShardNotifier {
  /** streamId → shardIndex → the wakers of that shard's subscriptions. */
  private readonly byStream = new Map<string, Map<number, Set<Waker>>>();

  /** Called after the stream's entry changed, or when the shard closed. */
  notify(streamId: string, shardIndex: number): void {
    const shards = this.byStream.get(streamId);
    if (shards === undefined) return;
    const wakers = shards.get(shardIndex);
    if (wakers === undefined) return;
    for (const waker of wakers) waker.wake();
  }

  /** Wakes `waker` at every notify for the shard until the returned function is called. */
  watch(streamId: string, shardIndex: number, waker: Waker): () => void {
    let shards = this.byStream.get(streamId);
    if (shards === undefined) {
      shards = new Map();
      this.byStream.set(streamId, shards);
    }
    let wakers = shards.get(shardIndex);
    if (wakers === undefined) {
      wakers = new Set();
      shards.set(shardIndex, wakers);
    }
    wakers.add(waker);
    const watched = wakers;
    const watchedShards = shards;
    return () => {
      watched.delete(waker);
      // Empty entries go, so a stream nobody subscribes to again costs writes nothing.
      if (watched.size > 0) return;
      if (watchedShards.get(shardIndex) === watched) watchedShards.delete(shardIndex);
      if (watchedShards.size === 0 && this.byStream.get(streamId) === watchedShards) this.byStream.delete(streamId);
    };
  }

  /** How many subscriptions are watching (for tests and metrics). */
  watcherCount(): number {
    let count = 0;
    for (const shards of this.byStream.values()) for (const wakers of shards.values()) count += wakers.size;
    return count;
  }
}
