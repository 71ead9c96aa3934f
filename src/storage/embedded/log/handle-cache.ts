/**
 * A bounded pool of read-only file handles, least recently used first out, so reads of many
 * segments never hold more than `handlesMax` descriptors (plus those pinned by reads in flight).
 */
import type { FileHandlePort, FsPort } from "../fs-port.js";

interface Entry {
  path: string;
  opening: Promise<FileHandlePort>;
  pins: number;
  evicted: boolean;
  closing?: Promise<void>;
}

export class HandleCache {
  /** Insertion order is recency order: a use moves the entry to the end. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly fs: FsPort,
    private readonly handlesMax: number,
  ) {}

  /** Runs `use` with an open read handle for `path`; the handle stays open until `use` settles. */
  async with<T>(path: string, use: (handle: FileHandlePort) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path);
    if (entry) {
      this.entries.delete(path);
      this.entries.set(path, entry);
    } else {
      entry = { path, opening: this.fs.open(path, "read"), pins: 0, evicted: false };
      this.entries.set(path, entry);
      entry.opening.catch(() => this.entries.get(path) === entry && this.entries.delete(path));
      this.evictIdle();
    }
    entry.pins++;
    try {
      return await use(await entry.opening);
    } finally {
      entry.pins--;
      if (entry.evicted && entry.pins === 0) void this.closeEntry(entry);
    }
  }

  /** Forgets a path (its file is being deleted); the handle closes once no read uses it. */
  forget(path: string): void {
    const entry = this.entries.get(path);
    if (!entry) return;
    this.entries.delete(path);
    entry.evicted = true;
    if (entry.pins === 0) void this.closeEntry(entry);
  }

  /** Forgets every path under a directory prefix. */
  forgetUnder(prefix: string): void {
    for (const path of [...this.entries.keys()]) if (path.startsWith(prefix)) this.forget(path);
  }

  /** Closes every idle handle now; handles in use close when their reads finish. */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    for (const entry of entries) this.forget(entry.path);
    await Promise.all(entries.filter((entry) => entry.pins === 0).map((entry) => this.closeEntry(entry)));
  }

  private evictIdle(): void {
    if (this.entries.size <= this.handlesMax) return;
    for (const entry of this.entries.values()) {
      if (this.entries.size <= this.handlesMax) break;
      if (entry.pins > 0) continue;
      this.forget(entry.path);
    }
  }

  private closeEntry(entry: Entry): Promise<void> {
    entry.closing ??= entry.opening.then(
      (handle) => handle.close(),
      () => undefined,
    ).catch(() => {
      // A handle that failed to close holds nothing more we could release.
    });
    return entry.closing;
  }
}
