/**
 * A process-wide hook on the embedded engine's durability calls, for the fsync latency histogram
 * Prometheus' /metrics shows (src/server/prometheus): fdatasync of a file, fsync of a directory,
 * and a write through an O_DSYNC descriptor (fsync=always: that write is the segment's sync). The
 * real filesystem (fs-port.ts nodeFs) times a call only while an observer is set, so a process
 * that never serves /metrics pays one check of a variable per call.
 */

/** Which call made data durable: `fdatasync` (a file's data), `fsync` (a directory's entries), `dsync_write` (a write on an O_DSYNC descriptor). */
export type SyncOperation = "fdatasync" | "fsync" | "dsync_write";

export type SyncObserver = (operation: SyncOperation, seconds: number) => void;

let current: SyncObserver | undefined;

/** Sets the observer (one per process; a second replaces the first); undefined removes it. */
export function setSyncObserver(observer: SyncObserver | undefined): void {
  current = observer;
}

/** The observer now, or undefined: callers skip the timing altogether then. */
export function syncObserver(): SyncObserver | undefined {
  return current;
}

/** `run`, timed for the observer when one is set; otherwise `run` alone. */
export function observedSync<T>(operation: SyncOperation, run: () => Promise<T>): Promise<T> {
  const observer = current;
  if (observer === undefined) return run();
  const startedMs = performance.now();
  return run().finally(() => observer(operation, (performance.now() - startedMs) / 1000));
}
