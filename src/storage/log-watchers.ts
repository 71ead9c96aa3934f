/**
 * The listeners of one shard log's `watch`: an append announces the log's new end offset to each,
 * synchronously, once the records are readable (engines call `announce` right after the append is
 * acknowledged). With nobody watching an announce is one size check, so appends pay nothing for it.
 */
import type { LogWatch } from "./types.js";

export class LogWatchers {
  private readonly listeners = new Set<(endOffset: number) => void>();

  announce(endOffset: number): void {
    if (this.listeners.size === 0) return;
    for (const listener of this.listeners) listener(endOffset);
  }

  watch(listener: (endOffset: number) => void): LogWatch {
    // Each watch is its own entry, so one listener watched twice is stopped once per watch.
    const entry = (endOffset: number) => listener(endOffset);
    this.listeners.add(entry);
    return { stop: () => void this.listeners.delete(entry) };
  }
}
