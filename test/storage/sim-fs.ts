/**
 * A simulated disk behind the fs port, modelling what survives a crash (as redpanda's
 * failure probes do for its storage):
 *
 * - File contents: every write lands in the "page cache" at once (reads see it) and becomes
 *   durable only at datasync. At a crash, a file keeps its durable bytes plus some prefix of the
 *   writes made since — the last of them possibly torn (cut short, or garbage).
 * - Directories: creations, renames and removals are durable only after syncDir of that
 *   directory; at a crash each directory keeps its durable entries plus some prefix of the changes
 *   made since.
 * - Faults: `inject` can fail any call (with `partialBytes`, a write lands partly first), and
 *   `capacityBytes` makes writes fail with ENOSPC (after a short write) when the disk is full.
 * - `delay` can hold any call (to prove ordering); `crash()` freezes the disk: every call from then
 *   on never settles, so the old engine is dead, and `crashImage()` gives the disk after reboot.
 * - Directory locks (`lockDir`) live with this disk object, as the real ones live with the
 *   process: released by `release()`, and absent from a crash image (the holder died).
 */
import type { DirEntry, DirLock, FileHandlePort, FsPort, OpenMode, OpenOptions } from "../../src/storage/embedded/fs-port.js";
import { DataDirError } from "../../src/storage/embedded/data-dir-error.js";
/** Any source of random integers in [0, bound). */
export interface IntSource {
  int(bound: number): number;
}

export type SimOpKind = "open" | "read" | "writev" | "datasync" | "truncate" | "size" | "close" | "readdir" | "mkdir" | "rename" | "unlink" | "rmdir" | "syncDir" | "exists";

export interface SimOp {
  kind: SimOpKind;
  path: string;
  /** For writev: bytes asked to write. */
  bytes?: number;
}

export type SimFault = NodeJS.ErrnoException & { partialBytes?: number };

/** A file's bytes with spare capacity, so appends are not quadratic. */
class Growable {
  private buffer = Buffer.alloc(0);
  length = 0;

  static of(bytes: Buffer): Growable {
    const out = new Growable();
    out.write(0, bytes);
    return out;
  }
  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
  /** Writes at a position, zero-filling any gap; returns the bytes it overwrote. */
  write(position: number, bytes: Buffer): Buffer {
    const end = position + bytes.length;
    this.reserve(end);
    if (position > this.length) this.buffer.fill(0, this.length, position);
    const overwritten = Buffer.from(this.buffer.subarray(position, Math.min(this.length, end)));
    bytes.copy(this.buffer, position);
    this.length = Math.max(this.length, end);
    return overwritten;
  }
  /** Sets the length; returns the bytes removed. */
  resize(length: number): Buffer {
    const removed = Buffer.from(this.buffer.subarray(length, this.length));
    this.reserve(length);
    if (length > this.length) this.buffer.fill(0, this.length, length);
    this.length = length;
    return removed;
  }
  private reserve(capacity: number): void {
    if (capacity <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(capacity, this.buffer.length * 2, 4096));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** One change since the last datasync, with what it replaced so a crash image can undo it. */
type FileChange =
  | { kind: "write"; position: number; bytes: Buffer; overwritten: Buffer; previousLength: number }
  | { kind: "truncate"; length: number; removed: Buffer; previousLength: number };

interface Inode {
  data: Growable;
  changes: FileChange[];
}

interface DirNode {
  kind: "dir";
  entries: Map<string, SimNode>;
  durableEntries: Map<string, SimNode>;
  changes: ({ kind: "set"; name: string; node: SimNode } | { kind: "delete"; name: string })[];
}

type SimNode = { kind: "file"; inode: Inode } | DirNode;

export type CrashMode =
  /** Power loss with nothing beyond the last syncs surviving. */
  | "durable-only"
  /** Power loss part-way through writing back: random prefixes survive, the last write torn. */
  | "random"
  /** The process died, the OS did not: everything written survives. */
  | "process";

export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function newDir(): DirNode {
  return { kind: "dir", entries: new Map(), durableEntries: new Map(), changes: [] };
}

export class SimFs implements FsPort {
  inject: ((op: SimOp) => SimFault | undefined) | undefined;
  delay: ((op: SimOp) => Promise<void> | undefined) | undefined;
  capacityBytes = Infinity;
  /** Totals, for asserting how much work something did. */
  readonly counts = { bytesRead: 0, bytesWritten: 0, datasyncs: 0, syncDirs: 0 };
  /** Every call, in order, when `recording` is on. */
  readonly log: SimOp[] = [];
  recording = false;
  private frozen = false;
  private root: DirNode = newDir();
  private readonly lockedDirs = new Set<string>();

  crash(): void {
    this.frozen = true;
  }

  /** The disk as a rebooted machine would find it. */
  crashImage(mode: CrashMode, random?: IntSource): SimFs {
    const image = new SimFs();
    const copies = new Map<Inode, Inode>();
    const pick = (length: number) => (mode === "process" ? length : mode === "durable-only" ? 0 : random!.int(length + 1));
    const fileImage = (inode: Inode): Inode => {
      let copy = copies.get(inode);
      if (copy) return copy;
      const data = Growable.of(inode.data.view());
      const kept = pick(inode.changes.length);
      for (let i = inode.changes.length - 1; i >= kept; i--) undo(data, inode.changes[i]!);
      const last = inode.changes[kept - 1];
      if (mode === "random" && last?.kind === "write" && random!.int(3) === 0) {
        // The last surviving write was torn: only part of it, or garbage, reached the platter.
        undo(data, last);
        const torn = Buffer.from(last.bytes.subarray(0, random!.int(last.bytes.length + 1)));
        if (random!.int(2) === 0) for (let j = 0; j < torn.length; j++) torn[j] = random!.int(256);
        data.write(last.position, torn);
      }
      copy = { data, changes: [] };
      copies.set(inode, copy);
      return copy;
    };
    const dirImage = (dir: DirNode): DirNode => {
      const entries = new Map(dir.durableEntries);
      const kept = pick(dir.changes.length);
      for (let i = 0; i < kept; i++) {
        const change = dir.changes[i]!;
        if (change.kind === "set") entries.set(change.name, change.node);
        else entries.delete(change.name);
      }
      const out = newDir();
      for (const [name, node] of entries) {
        const copied: SimNode = node.kind === "dir" ? dirImage(node) : { kind: "file", inode: fileImage(node.inode) };
        out.entries.set(name, copied);
        out.durableEntries.set(name, copied);
      }
      return out;
    };
    image.root = dirImage(this.root);
    return image;
  }

  /** Total bytes in live files (for the capacity check). */
  usedBytes(): number {
    let total = 0;
    const seen = new Set<Inode>();
    const walk = (dir: DirNode) => {
      for (const node of dir.entries.values()) {
        if (node.kind === "dir") walk(node);
        else if (!seen.has(node.inode)) {
          seen.add(node.inode);
          total += node.inode.data.length;
        }
      }
    };
    walk(this.root);
    return total;
  }

  /** Reads a file directly (for tests that corrupt or inspect bytes). */
  peek(path: string): Buffer {
    const node = this.lookup(path);
    if (node?.kind !== "file") throw errnoError("ENOENT", path);
    return Buffer.from(node.inode.data.view());
  }

  /** Replaces a file's bytes directly and durably (for tests that plant damage). */
  poke(path: string, bytes: Buffer): void {
    const node = this.lookup(path);
    if (node?.kind !== "file") throw errnoError("ENOENT", path);
    node.inode.data = Growable.of(bytes);
    node.inode.changes = [];
  }

  list(path: string): string[] {
    const node = this.lookup(path);
    return node?.kind === "dir" ? [...node.entries.keys()].sort() : [];
  }

  async open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandlePort> {
    await this.enter({ kind: "open", path });
    let node = this.lookup(path);
    if (!node) {
      if (mode !== "createTruncate") throw errnoError("ENOENT", `open '${path}'`);
      const { dir, name } = this.parent(path);
      const inode: Inode = { data: new Growable(), changes: [] };
      node = { kind: "file", inode };
      dir.entries.set(name, node);
      dir.changes.push({ kind: "set", name, node });
    } else if (node.kind === "dir") {
      throw errnoError("EISDIR", `open '${path}'`);
    } else if (mode === "createTruncate") {
      truncateInode(node.inode, 0);
    }
    return new SimHandle(this, node.inode, path, options?.dsync === true);
  }

  async readdir(path: string): Promise<DirEntry[]> {
    await this.enter({ kind: "readdir", path });
    const node = this.lookup(path);
    if (!node) throw errnoError("ENOENT", `readdir '${path}'`);
    if (node.kind !== "dir") throw errnoError("ENOTDIR", `readdir '${path}'`);
    return [...node.entries].map(([name, child]) => ({ name, isDirectory: child.kind === "dir" }));
  }

  async mkdir(path: string): Promise<void> {
    await this.enter({ kind: "mkdir", path });
    let dir = this.root;
    for (const part of parts(path)) {
      let child = dir.entries.get(part);
      if (!child) {
        child = newDir();
        dir.entries.set(part, child);
        dir.changes.push({ kind: "set", name: part, node: child });
      }
      if (child.kind !== "dir") throw errnoError("ENOTDIR", `mkdir '${path}'`);
      dir = child;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await this.enter({ kind: "rename", path: `${from} -> ${to}` });
    const source = this.parent(from);
    const node = source.dir.entries.get(source.name);
    if (!node) throw errnoError("ENOENT", `rename '${from}'`);
    const target = this.parent(to);
    source.dir.entries.delete(source.name);
    source.dir.changes.push({ kind: "delete", name: source.name });
    target.dir.entries.set(target.name, node);
    target.dir.changes.push({ kind: "set", name: target.name, node });
  }

  async unlink(path: string): Promise<void> {
    await this.enter({ kind: "unlink", path });
    const { dir, name } = this.parent(path);
    const node = dir.entries.get(name);
    if (!node) throw errnoError("ENOENT", `unlink '${path}'`);
    if (node.kind === "dir") throw errnoError("EISDIR", `unlink '${path}'`);
    dir.entries.delete(name);
    dir.changes.push({ kind: "delete", name });
  }

  async rmdir(path: string): Promise<void> {
    await this.enter({ kind: "rmdir", path });
    const { dir, name } = this.parent(path);
    const node = dir.entries.get(name);
    if (!node) throw errnoError("ENOENT", `rmdir '${path}'`);
    if (node.kind !== "dir") throw errnoError("ENOTDIR", `rmdir '${path}'`);
    if (node.entries.size > 0) throw errnoError("ENOTEMPTY", `rmdir '${path}'`);
    dir.entries.delete(name);
    dir.changes.push({ kind: "delete", name });
  }

  async syncDir(path: string): Promise<void> {
    await this.enter({ kind: "syncDir", path });
    const node = this.lookup(path);
    if (node?.kind !== "dir") throw errnoError("ENOENT", `syncDir '${path}'`);
    node.durableEntries = new Map(node.entries);
    node.changes = [];
    this.counts.syncDirs++;
  }

  async exists(path: string): Promise<boolean> {
    await this.enter({ kind: "exists", path });
    return this.lookup(path) !== undefined;
  }

  async lockDir(path: string): Promise<DirLock> {
    if (this.frozen) return never();
    if (this.lookup(path)?.kind !== "dir") throw errnoError("ENOENT", `lockDir '${path}'`);
    if (this.lockedDirs.has(path)) throw new DataDirError(`${path} is in use by another Tributary server`);
    this.lockedDirs.add(path);
    return {
      release: async () => {
        this.lockedDirs.delete(path);
      },
    };
  }

  /** Every call passes here: freeze, delay, record, inject. */
  async enter(op: SimOp): Promise<void> {
    if (this.frozen) return never();
    await new Promise((resolve) => setImmediate(resolve));
    const held = this.delay?.(op);
    if (held) await held;
    if (this.frozen) return never();
    if (this.recording) this.log.push(op);
    const fault = this.inject?.(op);
    if (fault && !(op.kind === "writev" && fault.partialBytes !== undefined)) throw fault;
    if (fault) throw Object.assign(fault, { pendingPartial: true });
  }

  private lookup(path: string): SimNode | undefined {
    let node: SimNode = this.root;
    for (const part of parts(path)) {
      if (node.kind !== "dir") return undefined;
      const child: SimNode | undefined = node.entries.get(part);
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  private parent(path: string): { dir: DirNode; name: string } {
    const all = parts(path);
    const name = all.pop()!;
    const dir = this.lookup("/" + all.join("/"));
    if (dir?.kind !== "dir") throw errnoError("ENOENT", `no directory for '${path}'`);
    return { dir, name };
  }
}

class SimHandle implements FileHandlePort {
  private closed = false;
  constructor(
    private readonly fs: SimFs,
    private readonly inode: Inode,
    private readonly path: string,
    /** O_DSYNC: a write lands, then syncs as its own step (a fault or power loss can come between). */
    private readonly dsync: boolean,
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    await this.enterOpen("read");
    const count = Math.max(0, Math.min(length, this.inode.data.length - position));
    this.inode.data.view().copy(buffer, offset, position, position + count);
    this.fs.counts.bytesRead += count;
    return count;
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<number> {
    const bytes = Buffer.concat(buffers);
    let allowed = bytes.length;
    try {
      await this.enterOpen("writev", bytes.length);
    } catch (error) {
      const fault = error as SimFault & { pendingPartial?: boolean };
      if (!fault.pendingPartial) throw error;
      this.land(bytes.subarray(0, Math.min(fault.partialBytes!, bytes.length)), position);
      delete fault.pendingPartial;
      throw fault;
    }
    const growth = Math.max(0, position + bytes.length - this.inode.data.length);
    const free = this.fs.capacityBytes - this.fs.usedBytes();
    if (growth > free) {
      allowed = Math.max(0, bytes.length - (growth - Math.max(0, free)));
      if (allowed === 0) throw errnoError("ENOSPC", `write '${this.path}'`);
    }
    this.land(bytes.subarray(0, allowed), position);
    if (this.dsync) await this.datasync();
    return allowed;
  }

  async datasync(): Promise<void> {
    await this.enterOpen("datasync");
    this.inode.changes = [];
    this.fs.counts.datasyncs++;
  }

  async truncate(length: number): Promise<void> {
    await this.enterOpen("truncate");
    truncateInode(this.inode, length);
  }

  async size(): Promise<number> {
    await this.enterOpen("size");
    return this.inode.data.length;
  }

  async close(): Promise<void> {
    if (this.closed) throw errnoError("EBADF", `close '${this.path}' twice`);
    await this.fs.enter({ kind: "close", path: this.path });
    this.closed = true;
  }

  private async enterOpen(kind: SimOpKind, bytes?: number): Promise<void> {
    if (this.closed) throw errnoError("EBADF", `${kind} on closed '${this.path}'`);
    const op: SimOp = { kind, path: this.path };
    if (bytes !== undefined) op.bytes = bytes;
    await this.fs.enter(op);
  }

  private land(bytes: Buffer, position: number): void {
    if (bytes.length === 0) return;
    const previousLength = this.inode.data.length;
    const overwritten = this.inode.data.write(position, bytes);
    this.inode.changes.push({ kind: "write", position, bytes: Buffer.from(bytes), overwritten, previousLength });
    this.fs.counts.bytesWritten += bytes.length;
  }
}

function parts(path: string): string[] {
  return path.split("/").filter((part) => part.length > 0);
}

function truncateInode(inode: Inode, length: number): void {
  const previousLength = inode.data.length;
  const removed = inode.data.resize(length);
  inode.changes.push({ kind: "truncate", length, removed, previousLength });
}

function undo(data: Growable, change: FileChange): void {
  if (change.kind === "write") {
    data.write(change.position, change.overwritten);
    data.resize(change.previousLength);
  } else {
    data.resize(change.previousLength);
    if (change.removed.length > 0) data.write(change.length, change.removed);
  }
}

function never(): Promise<never> {
  return new Promise(() => {});
}
