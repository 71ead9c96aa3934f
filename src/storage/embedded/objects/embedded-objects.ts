/**
 * The embedded engine's objects, under `<dataDir>/objects/` (docs/formats/objects.md): the
 * metadata in memory (StateObjectStore), made durable by one journal of mutations
 * (object-journal.ts), and each blob in a file of its own (blob-files.ts).
 *
 * A write applies in memory at once and resolves when its frame is durable. Frames queued while a
 * flush runs go out together in the next one: one writev and one fdatasync for all (group commit;
 * no fdatasync under --fsync never). A blob is always durable before any record naming it is
 * written (writeBlob resolves only then), so an acknowledged record never names missing bytes.
 * Blobs a write released are unlinked only after its frame is durable, and then only after a grace
 * period (`releaseGraceMs`), so a GetObject that read the record before it went still finds the
 * file; a crash in between leaves unreferenced files, which open removes, as it removes blobs written but never committed and
 * the temporary files of writes cut short.
 *
 * When the journal holds more than twice as many frames as there are live entries (and at least
 * `compactionFloorFrames`), it is rewritten as one frame per entry (temporary file, fdatasync,
 * rename, directory fsync) between flushes. A failed journal write fails every write of its flush;
 * before they are answered the journal is cut back to the end of the last acknowledged frame (a
 * refused frame may have reached the file before its fdatasync failed) and replayed, so memory is
 * the disk's state again; writes go on once the disk takes them.
 */
import { dirname } from "node:path";
import type { Logger } from "../../../util/logger.js";
import type { Random } from "../../../util/random.js";
import type { Clock, Timer } from "../../../util/clock.js";
import type { BlobOutcome, BlobRef, StorageFailure, WriteOutcome } from "../../types.js";
import { isNoSpace, isNotFound, readWholeFile, replaceFile, writeFully, type FileHandlePort, type FsPort } from "../fs-port.js";
import type { FsyncPolicy } from "../fsync-policy.js";
import { StateObjectStore, closedFailure, done, readChunkBytes } from "../../objects/state-object-store.js";
import type { ObjectMutation } from "../../objects/object-state.js";
import { newBlobId } from "../../objects/blob-ids.js";
import { BlobFiles, BlobIoError } from "./blob-files.js";
import { encodeObjectMutation, objectJournalHeader, replayObjectJournal } from "./object-journal.js";

const journalFileName = "journal";
/** A journal is not compacted below this many frames. */
export const compactionFloorFrames = 10_000;
/** How long a released blob stays readable by default: a GetObject reads the record, then the file. */
export const defaultReleaseGraceMs = 10_000;
/** Bytes of frames gathered per write while compacting. */
const compactionWriteBytes = 1024 * 1024;

export class ObjectDataError extends Error {
  override name = "ObjectDataError";
}

interface Pending {
  frame: Buffer;
  resolve: (outcome: WriteOutcome) => void;
}

export interface EmbeddedObjectOptions {
  fs: FsPort;
  /** `<dataDir>/objects` */
  dir: string;
  fsync: FsyncPolicy;
  random: Random;
  logger: Logger;
  /** Tests lower it to compact often. */
  compactionFloorFrames?: number;
  clock: Clock;
  /** How long a released blob's file stays for readers that read its record before it went (0: unlink at once). */
  releaseGraceMs?: number;
}

export class EmbeddedObjectStore extends StateObjectStore {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: StorageFailure | undefined;
  private recovering: Promise<void> | undefined;
  /**
   * Where the journal's acknowledged frames end, when a flush failed: frames written past it were
   * refused (their fdatasync may have failed after the write landed) and are cut. Undefined after
   * a failed compaction, whose file (old or new) holds exactly the acknowledged frames.
   */
  private cutAtBytes: number | undefined;
  /** Blob ids being written or removed: not to be drawn again meanwhile. */
  private readonly busy = new Set<string>();
  /** Released blobs whose files wait out the grace period, with their timers. */
  private readonly graves = new Map<string, Timer>();

  private constructor(
    private readonly options: EmbeddedObjectOptions,
    private readonly blobs: BlobFiles,
    private handle: FileHandlePort,
    private journalBytes: number,
    private journalFrames: number,
  ) {
    super();
  }

  /** Loads the journal (cutting a torn tail) and removes orphan blobs and temporary files. */
  static async open(options: EmbeddedObjectOptions): Promise<EmbeddedObjectStore> {
    const { fs, dir, logger } = options;
    const durable = options.fsync !== "never";
    await fs.mkdir(dir);
    const path = `${dir}/${journalFileName}`;
    // A compaction a crash cut short: the journal beside it is whole.
    await fs.unlink(`${path}.tmp`).catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
    let bytes: Buffer;
    try {
      bytes = await readWholeFile(fs, path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // Durable whatever the policy (once per data directory): a power loss must not leave a
      // journal without its header, which open would refuse as damage.
      await replaceFile(fs, dir, journalFileName, objectJournalHeader(), true);
      bytes = objectJournalHeader();
    }
    const replay = replayObjectJournal(bytes);
    if (!replay.ok) throw new ObjectDataError(`${path}: ${replay.reason}`);
    const handle = await fs.open(path, "readWrite");
    if (replay.torn) {
      logger.warn({ path, validBytes: replay.validBytes }, "cutting a torn tail off the object journal");
      await handle.truncate(replay.validBytes);
      await handle.datasync();
    }
    const blobs = new BlobFiles(fs, dir, durable);
    const { kept, removed } = await blobs.sweep((blobId) => replay.state.isReferenced(blobId));
    if (removed > 0) logger.info({ dir, removed }, "removed orphan blobs and temporary files (writes a crash cut short, releases not yet done)");
    for (const blobId of replay.state.referencedBlobIds()) {
      if (!kept.has(blobId)) logger.error({ dir, blobId }, "an object record names a blob file that is missing (lost with --fsync never?)");
    }
    // The entries of journal, blobs/ and tmp/, and of objects/ itself, before any write is acknowledged.
    if (durable) {
      await fs.syncDir(dir);
      await fs.syncDir(dirname(dir));
    }
    const store = new EmbeddedObjectStore(options, blobs, handle, replay.validBytes, replay.frames);
    store.state = replay.state;
    return store;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.handle.close().catch(() => undefined);
    // No reader outlives the engine: the graves go now.
    for (const [blobId, timer] of [...this.graves]) {
      this.options.clock.clearTimer(timer);
      this.graves.delete(blobId);
      await this.removeBlob(blobId);
    }
  }

  // --- blobs ---------------------------------------------------------------------------------

  async writeBlob(source: AsyncIterable<Uint8Array>): Promise<BlobOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    const blobId = newBlobId(this.options.random, (id) => this.isLive(id) || this.busy.has(id) || this.graves.has(id));
    this.busy.add(blobId);
    try {
      const sizeBytes = await this.blobs.write(blobId, source);
      this.pending.add(blobId);
      return { ok: true, blob: { blobId, sizeBytes } };
    } catch (error) {
      if (!(error instanceof BlobIoError)) throw error;
      return { ok: false, failure: failureOf(error.cause ?? error, "writing a blob") };
    } finally {
      this.busy.delete(blobId);
    }
  }

  readBlob(blob: BlobRef, startByte = 0, endByteExclusive = blob.sizeBytes): AsyncIterable<Buffer> {
    return this.blobs.read(blob.blobId, startByte, Math.min(endByteExclusive, blob.sizeBytes), readChunkBytes);
  }

  protected override async releaseBlobs(blobIds: readonly string[]): Promise<void> {
    const graceMs = this.options.releaseGraceMs ?? defaultReleaseGraceMs;
    if (graceMs <= 0 || this.closed) {
      for (const blobId of blobIds) await this.removeBlob(blobId);
      return;
    }
    // One timer for the write's releases (a dropped bucket may release many). A crash before it
    // fires leaves files no record names: open removes them.
    const batch = [...blobIds];
    const timer = this.options.clock.setTimeout(() => {
      void (async () => {
        for (const blobId of batch) {
          if (this.graves.get(blobId) !== timer) continue;
          this.graves.delete(blobId);
          await this.removeBlob(blobId);
        }
      })();
    }, graceMs, { unref: true });
    for (const blobId of batch) this.graves.set(blobId, timer);
  }

  protected async removeBlob(blobId: string): Promise<void> {
    this.busy.add(blobId);
    try {
      await this.blobs.remove(blobId);
    } catch (error) {
      // The file stays; no record names it, so the next open removes it.
      this.options.logger.warn({ err: error, blobId }, "could not remove a released blob; the next open will");
    } finally {
      this.busy.delete(blobId);
    }
  }

  // --- the journal ---------------------------------------------------------------------------

  protected persist(mutation: ObjectMutation): Promise<WriteOutcome> {
    if (this.failure !== undefined || this.recovering !== undefined) {
      // Memory already holds this change; a recovery replaces memory with the disk's state, so
      // the change is written again after it, if it still applies.
      return this.afterRecovery(mutation);
    }
    return new Promise((resolve) => {
      this.queue.push({ frame: encodeObjectMutation(mutation), resolve });
      this.flushing ??= this.flushAll();
    });
  }

  private async afterRecovery(mutation: ObjectMutation): Promise<WriteOutcome> {
    this.recovering ??= this.idle()
      .then(() => this.recover())
      .finally(() => (this.recovering = undefined));
    await this.recovering;
    if (this.failure !== undefined) return { ok: false, failure: this.failure };
    return { ok: false, failure: { kind: "io", message: "the object journal was recovered after a failed write; this change was not kept — write again" } };
  }

  private async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushAll(): Promise<void> {
    const failed: { entry: Pending; outcome: WriteOutcome }[] = [];
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const outcome = await this.flush(batch.map((entry) => entry.frame));
      if (outcome.ok) for (const entry of batch) entry.resolve(outcome);
      else for (const entry of batch) failed.push({ entry, outcome });
      if (outcome.ok && this.shouldCompact()) await this.compact();
    }
    if (this.failure !== undefined) {
      // Memory holds the failed writes: make it the disk's state again before they are answered.
      const recovery = this.recover();
      this.recovering = recovery;
      await recovery;
      this.recovering = undefined;
    }
    for (const { entry, outcome } of failed) entry.resolve(outcome);
    this.flushing = undefined;
  }

  private async flush(frames: Buffer[]): Promise<WriteOutcome> {
    if (this.failure) return { ok: false, failure: this.failure };
    try {
      await writeFully(this.handle, frames, this.journalBytes);
      if (this.options.fsync !== "never") await this.handle.datasync();
      for (const frame of frames) this.journalBytes += frame.length;
      this.journalFrames += frames.length;
      return done;
    } catch (error) {
      this.failure = failureOf(error, `writing ${this.journalPath()}`);
      this.cutAtBytes = this.journalBytes;
      this.options.logger.error({ err: error, path: this.journalPath() }, "object journal write failed; replaying it before writes go on");
      return { ok: false, failure: this.failure };
    }
  }

  /** After a failed write or compaction (no flush running): memory becomes the disk's state again. */
  private async recover(): Promise<void> {
    const path = this.journalPath();
    try {
      const bytes = await readWholeFile(this.options.fs, path);
      const replay = replayObjectJournal(this.cutAtBytes === undefined ? bytes : bytes.subarray(0, this.cutAtBytes));
      if (!replay.ok) throw new ObjectDataError(`${path}: ${replay.reason}`);
      const handle = await this.options.fs.open(path, "readWrite");
      await this.handle.close().catch(() => undefined);
      this.handle = handle;
      if (replay.validBytes !== bytes.length) {
        await handle.truncate(replay.validBytes);
        await handle.datasync();
      }
      replay.state.continueAfter(this.state.lastRevision());
      this.state = replay.state;
      this.journalBytes = replay.validBytes;
      this.journalFrames = replay.frames;
      this.failure = undefined;
      this.cutAtBytes = undefined;
      this.options.logger.warn({ path }, "object journal recovered after a failed write; writes resume");
    } catch (error) {
      this.failure = failureOf(error, `recovering ${path}`);
    }
  }

  private shouldCompact(): boolean {
    return this.journalFrames > (this.options.compactionFloorFrames ?? compactionFloorFrames) && this.journalFrames > 2 * this.state.liveEntries;
  }

  private async compact(): Promise<void> {
    // Memory holds changes the journal does not yet: the snapshot would not be the journal's state
    // plus the queue. The next flush tries again.
    if (this.queue.length > 0) return;
    const { fs, dir } = this.options;
    // Durable whatever the policy: the rename must never put a file whose bytes a power loss can
    // take in place of a journal (--fsync never may lose recent changes, not the whole store).
    const durable = true;
    const temporary = `${dir}/${journalFileName}.tmp`;
    // Encoded in one synchronous pass: the state cannot change under it, and every change applied
    // after it is queued for the new journal.
    const frames = [objectJournalHeader()];
    for (const mutation of this.state.snapshot()) frames.push(encodeObjectMutation(mutation));
    try {
      const out = await fs.open(temporary, "createTruncate");
      let at = 0;
      try {
        for (let index = 0; index < frames.length; ) {
          const batch: Buffer[] = [];
          let batchBytes = 0;
          for (; index < frames.length && batchBytes < compactionWriteBytes; index++) {
            batch.push(frames[index]!);
            batchBytes += frames[index]!.length;
          }
          await writeFully(out, batch, at);
          at += batchBytes;
        }
        if (durable) await out.datasync();
      } finally {
        await out.close();
      }
      await fs.rename(temporary, this.journalPath());
      if (durable) await fs.syncDir(dir);
      const handle = await fs.open(this.journalPath(), "readWrite");
      await this.handle.close().catch(() => undefined);
      this.handle = handle;
      this.journalBytes = at;
      this.journalFrames = frames.length - 1;
    } catch (error) {
      // The old journal is whole (the rename is atomic) but the handle may name a replaced file.
      this.failure = failureOf(error, `compacting ${this.journalPath()}`);
      this.cutAtBytes = undefined;
      this.options.logger.error({ err: error, path: this.journalPath() }, "object journal compaction failed; the next write reopens it first");
    }
  }

  private journalPath(): string {
    return `${this.options.dir}/${journalFileName}`;
  }
}

function failureOf(error: unknown, doing: string): StorageFailure {
  const message = `${doing}: ${(error as Error | undefined)?.message ?? String(error)}`;
  return { kind: isNoSpace(error) ? "no-space" : "io", message, cause: error };
}
