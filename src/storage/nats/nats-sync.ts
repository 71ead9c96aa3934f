/**
 * How a node's watch-fed copy of a KV bucket catches up with the store on demand (docs/cluster.md
 * "What one node wrote, another sees"): the catalog (nats-catalog.ts) and the tables and objects
 * buckets (nats-tables-kv.ts) each keep an `AppliedRevision` — the stream sequence of the last
 * change their watch applied — and answer `sync` through it: ask the bucket's stream leader for
 * its last sequence (every write acknowledged before the call is at or below it) and wait, bounded,
 * until the watch has applied it. A watch delivers in stream order, so by then the copy holds
 * every such write.
 */
import type { NatsContext } from "./nats-context.js";

/** How long `sync` waits for the copy to reach the bucket's last revision (a bound: the watch delivers in milliseconds). */
export const syncWaitMs = 10_000;

export class AppliedRevision {
  /** The stream sequence of the last change the watch applied. */
  value = 0;
  private readonly waiters = new Set<{ revision: number; resolve: () => void }>();
  private closed = false;

  constructor(private readonly ctx: NatsContext) {}

  /** The watch applied `revision` (in stream order; a lower one, from a restarted watch, changes nothing). */
  advance(revision: number): void {
    if (revision <= this.value) return;
    this.value = revision;
    for (const waiter of this.waiters) {
      if (waiter.revision <= revision) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Waits up to `timeoutMs` for the watch to apply `revision`; whether it did. */
  within(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.value >= revision || this.closed) return Promise.resolve(this.value >= revision);
    return new Promise((resolve) => {
      const waiter = {
        revision,
        resolve: () => {
          this.ctx.clock.clearTimer(timer);
          resolve(this.value >= revision);
        },
      };
      const timer = this.ctx.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs, { unref: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * Brings the copy up to the store: reads the stream's last sequence from its leader and waits
   * for the watch to apply it. Resolves whether the copy changed since the call began. A leader
   * that cannot be asked, or a watch that does not get there within syncWaitMs, is logged and
   * the copy answers as it is (the lag the cluster had before sync).
   */
  async sync(stream: string, what: string): Promise<boolean> {
    const before = this.value;
    if (this.closed) return false;
    let lastRevision: number;
    try {
      // Stream info is the leader's answer: every write acknowledged before this call is at or below its last sequence.
      lastRevision = (await this.ctx.jsm.streams.info(stream)).state.last_seq;
    } catch (error) {
      this.ctx.logger.warn({ stream, err: error }, `cannot read the ${what} bucket's last revision; answering from the copy`);
      return this.value > before;
    }
    if (!(await this.within(lastRevision, syncWaitMs))) {
      this.ctx.logger.warn({ stream, revision: lastRevision, applied: this.value }, `the ${what} bucket's watch has not reached the bucket's last revision; answering from the copy`);
    }
    return this.value > before;
  }

  /** Releases every waiter (the part is closing). */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }
}
