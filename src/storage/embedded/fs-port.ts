/**
 * The filesystem port: the few calls the embedded engine makes, behind an interface, so tests can
 * substitute a simulated disk that tears writes, fails fsync, runs out of space or "loses power"
 * (test/storage/sim-fs.ts). The engine never imports node:fs itself.
 *
 * Calls reject with Node-style errors carrying `code` (ENOENT, ENOSPC, EIO…); the engine turns
 * them into outcome values at its interface.
 */
import * as fs from "node:fs";
import { dirname } from "node:path";
import { lockDataDir, type DirLock } from "./dir-lock.js";
import type { Clock } from "../../util/clock.js";
import { observedSync, syncObserver } from "./sync-observer.js";

export type { DirLock } from "./dir-lock.js";

export type OpenMode =
  /** Read only; the file must exist. */
  | "read"
  /** Read and write; the file must exist. */
  | "readWrite"
  /** Read and write; created empty, or emptied if it exists. */
  | "createTruncate";

export interface OpenOptions {
  /**
   * Every write returns only once its data, and the size that reaches it, are durable (O_DSYNC):
   * a write and an fdatasync in one call, so one trip through the threadpool instead of two.
   */
  dsync?: boolean;
  /**
   * O_DIRECT: writes go from the caller's buffer to the device, not through the page cache (whose
   * fresh pages cost more CPU than the disk write on a VM). Buffers, positions and lengths must
   * be aligned to the device's block size; a filesystem without it (tmpfs) rejects the open
   * (EINVAL). Data and size are durable only after datasync, as without it.
   */
  direct?: boolean;
}

export interface FileHandlePort {
  /** Reads up to `length` bytes at `position`; returns how many were read (fewer at end of file). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Writes the buffers in order at `position`; returns bytes written, which may be fewer than asked. */
  writev(buffers: readonly Buffer[], position: number): Promise<number>;
  /** Makes the file's data (and its size) durable: fdatasync. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface FsPort {
  open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandlePort>;
  readdir(path: string): Promise<DirEntry[]>;
  /**
   * Creates the directory and any missing parents; succeeds if it exists. A path component that
   * is not a directory rejects with ENOTDIR whose `path` names it.
   */
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** Makes the directory's entries (creations, renames, removals) durable. */
  syncDir(path: string): Promise<void>;
  /** Whether a path exists (file or directory). */
  exists(path: string): Promise<boolean>;
  /**
   * Reads up to `buffer.length` bytes at `position` of the file at `path` on the calling thread
   * (open, pread, close); answers how many. Only for small reads of files the page cache most
   * likely holds: there three threadpool round trips cost several times the syscalls (bench/s3,
   * a 1 KiB GetObject of a spilled blob: ~50 µs of CPU more). Optional; callers without it read
   * through open and read.
   */
  readSync?(path: string, buffer: Buffer, position: number): number;
  /**
   * Takes the directory's one-server lock, which the system releases if the process dies
   * (src/storage/embedded/dir-lock.ts); rejects with a DataDirError while another holds it. Its
   * waits run on `clock` (the engine's).
   */
  lockDir(path: string, clock: Clock): Promise<DirLock>;
}

/** Error codes that mean the disk (or quota) is full. */
export function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** IOV_MAX on Linux: a writev with more buffers is split. */
const iovecsMax = 1024;

const { O_RDONLY, O_RDWR, O_CREAT, O_TRUNC, O_DSYNC, O_DIRECT = 0 } = fs.constants;
const modeFlags: Record<OpenMode, number> = { read: O_RDONLY, readWrite: O_RDWR, createTruncate: O_RDWR | O_CREAT | O_TRUNC };

function call<T>(run: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

/**
 * Numeric file descriptors and the callback API: the cheapest path through libuv (no FileHandle
 * objects, one threadpool hop per call).
 */
class NodeFileHandle implements FileHandlePort {
  constructor(
    private readonly fd: number,
    /** Opened O_DSYNC: each write is also a sync (timed as one for /metrics, sync-observer.ts). */
    private readonly dsync: boolean,
  ) {}
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return call((done) => fs.read(this.fd, buffer, offset, length, position, done));
  }
  writev(buffers: readonly Buffer[], position: number): Promise<number> {
    const slice = buffers.length > iovecsMax ? buffers.slice(0, iovecsMax) : buffers;
    if (this.dsync && syncObserver() !== undefined) return observedSync("dsync_write", () => call((done) => fs.writev(this.fd, slice as Buffer[], position, done)));
    return call((done) => fs.writev(this.fd, slice as Buffer[], position, done));
  }
  datasync(): Promise<void> {
    if (syncObserver() !== undefined) return observedSync("fdatasync", () => call<void>((done) => fs.fdatasync(this.fd, (error) => done(error, undefined))));
    return call<void>((done) => fs.fdatasync(this.fd, (error) => done(error, undefined)));
  }
  truncate(length: number): Promise<void> {
    return call<void>((done) => fs.ftruncate(this.fd, length, (error) => done(error, undefined)));
  }
  async size(): Promise<number> {
    const stats = await call<fs.Stats>((done) => fs.fstat(this.fd, done));
    return stats.size;
  }
  close(): Promise<void> {
    return call<void>((done) => fs.close(this.fd, (error) => done(error, undefined)));
  }
}

/** The real filesystem. */
export const nodeFs: FsPort = {
  async open(path, mode, options) {
    const flags = modeFlags[mode] | (options?.dsync === true ? O_DSYNC : 0) | (options?.direct === true ? O_DIRECT : 0);
    const fd = await call<number>((done) => fs.open(path, flags, 0o644, done));
    return new NodeFileHandle(fd, options?.dsync === true);
  },
  async readdir(path) {
    const entries = await fs.promises.readdir(path, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
  },
  mkdir: (path) => makeDirectories(path),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  rmdir: (path) => fs.promises.rmdir(path),
  async syncDir(path) {
    const fd = await call<number>((done) => fs.open(path, "r", done));
    try {
      const sync = () => call<void>((done) => fs.fsync(fd, (error) => done(error, undefined)));
      await (syncObserver() === undefined ? sync() : observedSync("fsync", sync));
    } finally {
      await call<void>((done) => fs.close(fd, (error) => done(error, undefined)));
    }
  },
  async exists(path) {
    try {
      await fs.promises.access(path);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  },
  lockDir: (path, clock) => lockDataDir(path, clock),
  readSync(path, buffer, position) {
    const fd = fs.openSync(path, "r");
    try {
      let done = 0;
      while (done < buffer.length) {
        const count = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
        if (count === 0) break;
        done += count;
      }
      return done;
    } finally {
      fs.closeSync(fd);
    }
  },
};

/**
 * mkdir -p, one component at a time and each at most twice; `mode` for each directory it creates.
 * Not Node's `recursive: true`: on a filesystem that answers ENOENT although the parent exists
 * (/proc), Node retries forever — a server given `--data-dir /proc/foo` hung. A component that is
 * a file rejects with ENOTDIR whose `path` names it.
 */
export async function makeDirectories(path: string, mode?: number): Promise<void> {
  const first = await mkdirOnce(path, mode);
  if (first === undefined) return;
  const parent = dirname(path);
  if (parent === path || (first.code !== "ENOENT" && first.code !== "ENOTDIR")) throw first;
  // Missing parent (ENOENT), or one that is a file (ENOTDIR): the parent's own creation names it.
  await makeDirectories(parent, mode);
  const second = await mkdirOnce(path, mode);
  if (second !== undefined) throw second;
}

/** Creates one directory; undefined if it is there now, else the error (EEXIST on a file becomes ENOTDIR). */
async function mkdirOnce(path: string, mode: number | undefined): Promise<NodeJS.ErrnoException | undefined> {
  try {
    await fs.promises.mkdir(path, mode === undefined ? undefined : { mode });
    return undefined;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (failure.code !== "EEXIST") return failure;
    const stats = await fs.promises.stat(path);
    if (stats.isDirectory()) return undefined;
    return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: "ENOTDIR", path, syscall: "mkdir" });
  }
}

/** Writes every byte, continuing after short writes; rejects with the error that stopped it. */
export async function writeFully(handle: FileHandlePort, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  let at = position;
  while (pending.length > 0) {
    const written = await handle.writev(pending, at);
    if (written <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    at += written;
    pending = dropBytes(pending, written);
  }
}

function dropBytes(buffers: readonly Buffer[], count: number): Buffer[] {
  const out: Buffer[] = [];
  let left = count;
  for (const buffer of buffers) {
    if (left >= buffer.length) {
      left -= buffer.length;
      continue;
    }
    out.push(left > 0 ? buffer.subarray(left) : buffer);
    left = 0;
  }
  return out;
}

/** Reads exactly `length` bytes at `position`, or fewer only at end of file. */
export async function readFully(handle: FileHandlePort, buffer: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const count = await handle.read(buffer, done, length - done, position + done);
    if (count === 0) break;
    done += count;
  }
  return done;
}

/** Reads a whole (small) file. */
export async function readWholeFile(fsPort: FsPort, path: string): Promise<Buffer> {
  const handle = await fsPort.open(path, "read");
  try {
    const size = await handle.size();
    const buffer = Buffer.alloc(size);
    const count = await readFully(handle, buffer, size, 0);
    return buffer.subarray(0, count);
  } finally {
    await handle.close();
  }
}

/**
 * Replaces a file atomically: write a temporary sibling, make it durable, rename it over the
 * target, make the directory durable. After a crash the target holds the old or the new bytes.
 * With `durable: false` the fsyncs are skipped (for files that are only hints, checked on load).
 */
export async function replaceFile(fsPort: FsPort, dir: string, name: string, bytes: Buffer, durable: boolean): Promise<void> {
  const target = `${dir}/${name}`;
  const temporary = `${target}.tmp`;
  const handle = await fsPort.open(temporary, "createTruncate");
  try {
    await writeFully(handle, [bytes], 0);
    if (durable) await handle.datasync();
  } finally {
    await handle.close();
  }
  await fsPort.rename(temporary, target);
  if (durable) await fsPort.syncDir(dir);
}

/** Removes a directory tree (only what the engine itself created: files and directories). */
export async function removeTree(fsPort: FsPort, path: string): Promise<void> {
  let entries: DirEntry[];
  try {
    entries = await fsPort.readdir(path);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  for (const entry of entries) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) await removeTree(fsPort, child);
    else await fsPort.unlink(child).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
  }
  await fsPort.rmdir(path).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
}
