/**
 * The embedded engine's objects, under `<dataDir>/objects/` (docs/formats/objects.md): the
 * metadata in memory (StateObjectStore), made durable by one journal of mutations
 * (object-journal.ts); each large blob in a file of its own (blob-files.ts), each small one inline.
 *
 * A write applies in memory at once and resolves when its frame is durable. Frames queued while a
 * flush runs go out together in the next one: one writev and one fdatasync for all (group commit;
 * no fdatasync under --fsync never).
 *
 * Small blobs (at most `inlineBytesMax`) are inline: writeBlob keeps their bytes in memory and
 * resolves at once (pending), and the frame of the first record naming one carries its bytes, so a
 * small PutObject costs its share of one group commit and no file operation. Replay restores them.
 * When the inline bytes held pass `inlineBudgetBytes`, they are spilled to blob files in the
 * background while writes go on (each written and fdatasynced, each directory touched fsynced
 * once), then a compaction writes the journal without their bytes and lets go of them: memory
 * stays bounded and millions of small objects end up as files. Should writes outpace the spill,
 * past twice the budget new blobs go straight to files until it catches up.
 *
 * A large blob is written straight to its file and fdatasynced before writeBlob resolves; its
 * directory entry is made durable by the flush that writes the first frame naming it (one fsync per
 * directory touched, for the whole batch), so an acknowledged record never names missing bytes.
 * Blobs a write released are dropped only after its frame is durable, and then only after a grace
 * period (`releaseGraceMs`), so a GetObject that read the record before it went still finds the
 * bytes; a crash in between leaves unreferenced files, which open removes, as it removes blob files
 * written but never committed (whole or cut short) and those of a spill the crash interrupted.
 *
 * When the journal holds more than twice as many frames as there are live entries (and at least
 * `compactionFloorFrames`), or many more bytes than its live entries need, it is rewritten as one
 * frame per entry (temporary file, fdatasync, rename, directory fsync) between flushes. A failed
 * journal write fails every write of its flush; before they are answered the journal is cut back
 * to the end of the last acknowledged frame (a refused frame may have reached the file before its
 * fdatasync failed) and replayed, so memory is the disk's state again; writes go on once the disk
 * takes them.
 */
import { dirname } from "node:path";
import type { Logger } from "../../../util/logger.js";
import type { Random } from "../../../util/random.js";
import type { Clock, Timer } from "../../../util/clock.js";
import type { BlobOutcome, BlobRef, StorageFailure, WriteBlobOptions, WriteOutcome } from "../../types.js";
import { isNoSpace, isNotFound, readWholeFile, replaceFile, writeFully, type FileHandlePort, type FsPort } from "../fs-port.js";
import type { FsyncPolicy } from "../fsync-policy.js";
import { StateObjectStore, closedFailure, done, readChunkBytes } from "../../objects/state-object-store.js";
import { blobsNamed, type ObjectMutation } from "../../objects/object-state.js";
import { newBlobId } from "../../objects/blob-ids.js";
import { BlobFiles, BlobIoError } from "./blob-files.js";
import { encodeObjectMutation, encodeSnapshot, frameBytes, objectJournalHeader, objectJournalVersion, replayObjectJournal } from "./object-journal.js";

const journalFileName = "journal";
/** A journal is not compacted below this many frames. */
export const compactionFloorFrames = 10_000;
/** How long a released blob stays readable by default: a GetObject reads the record, then the file. */
export const defaultReleaseGraceMs = 10_000;
/** Bytes of frames gathered per write while compacting. */
const compactionWriteBytes = 1024 * 1024;
/** The largest blob kept inline (in memory, carried by its journal frame) by default. */
export const defaultInlineBytesMax = 64 * 1024;
/** Inline bytes held in memory past which the next compaction spills them to files, by default. */
export const defaultInlineBudgetBytes = 64 * 1024 * 1024;
/** A journal is not compacted for its bytes below this size. */
export const compactionFloorBytes = 64 * 1024 * 1024;
/** What a frame costs beside its inline bytes, for the bytes rule of compaction (an estimate). */
const liveEntryBytesEstimate = 512;
/** Spill files written at once. */
const spillConcurrency = 8;

export class ObjectDataError extends Error {
  override name = "ObjectDataError";
}

interface Pending {
  /** The frame's buffers, written one after the other. */
  frame: Buffer[];
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
  /** The largest blob kept inline (0: every blob is a file). */
  inlineBytesMax?: number;
  /** Inline bytes held past which a compaction spills them to files (tests lower it). */
  inlineBudgetBytes?: number;
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
  /** Inline blobs' bytes: pending, named (their bytes in the journal), or in their grace period. */
  private inline = new Map<string, Buffer>();
  private inlineBytes = 0;
  /** Inline blobs no frame has carried yet: the first frame naming one carries its bytes. */
  private unjournaled = new Set<string>();
  /** Blob directories with entries not yet fsynced: synced before the next frames are written. */
  private readonly dirtyDirs = new Set<string>();
  /** Inline bytes (not yet spilled) at which the next spill starts (moves up after a spill left some). */
  private spillAtBytes: number;
  /** The spill writing files, while it runs. */
  private spilling: Promise<void> | undefined;
  /** Inline blobs whose files a spill made durable; the next compaction drops their bytes from the journal and memory. */
  private readonly spilled = new Map<string, Buffer>();
  private spilledBytes = 0;
  /** A spill finished: the next flush compacts. */
  private spillDone = false;

  private constructor(
    private readonly options: EmbeddedObjectOptions,
    private readonly blobs: BlobFiles,
    private handle: FileHandlePort,
    private journalBytes: number,
    private journalFrames: number,
  ) {
    super();
    this.spillAtBytes = this.inlineBudgetBytes();
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
    if (replay.version !== objectJournalVersion) {
      // An older journal: rewritten once in the current format (its state, one frame per entry, as
      // a compaction writes it), so every frame after the header is of the version it names
      // (durable: it replaces the file whole).
      const { parts, frames } = encodeSnapshot(replay.state.snapshot(), (blobId) => replay.inline.get(blobId));
      const rewritten = Buffer.concat([objectJournalHeader(), ...parts]);
      await replaceFile(fs, dir, journalFileName, rewritten, true);
      replay.validBytes = rewritten.length;
      replay.frames = frames;
      replay.torn = false;
    }
    const handle = await fs.open(path, "readWrite");
    if (replay.torn) {
      logger.warn({ path, validBytes: replay.validBytes }, "cutting a torn tail off the object journal");
      await handle.truncate(replay.validBytes);
      await handle.datasync();
    }
    const blobs = new BlobFiles(fs, dir, durable);
    // A file for an inline blob is a spill a crash interrupted: the journal carries its bytes.
    const { kept, removed } = await blobs.sweep((blobId) => replay.state.isReferenced(blobId) && !replay.inline.has(blobId));
    if (removed > 0) logger.info({ dir, removed }, "removed orphan blobs and temporary files (writes a crash cut short, releases not yet done)");
    for (const blobId of replay.state.referencedBlobIds()) {
      if (!kept.has(blobId) && !replay.inline.has(blobId)) logger.error({ dir, blobId }, "an object record names a blob file that is missing (lost with --fsync never?)");
    }
    // The entries of journal, blobs/ and tmp/, and of objects/ itself, before any write is acknowledged.
    if (durable) {
      await fs.syncDir(dir);
      await fs.syncDir(dirname(dir));
    }
    const store = new EmbeddedObjectStore(options, blobs, handle, replay.validBytes, replay.frames);
    store.state = replay.state;
    store.setInline(replay.inline);
    return store;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    // Its files stay (the journal carries their bytes: the next open removes them).
    await this.spilling;
    await this.handle.close().catch(() => undefined);
    // No reader outlives the engine: the graves go now.
    for (const [blobId, timer] of [...this.graves]) {
      this.options.clock.clearTimer(timer);
      this.graves.delete(blobId);
      await this.removeBlob(blobId);
    }
  }

  // --- blobs ---------------------------------------------------------------------------------

  async writeBlob(source: AsyncIterable<Uint8Array>, options?: WriteBlobOptions): Promise<BlobOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    const inlineMax = this.options.inlineBytesMax ?? defaultInlineBytesMax;
    const hint = options?.sizeBytesHint;
    if (hint !== undefined && hint > inlineMax) return this.writeBlobFile(source);
    // Writes outpacing the spill: new blobs go to files (slower, bounded) until it catches up.
    if (this.inlineBytes >= 2 * this.inlineBudgetBytes()) return this.writeBlobFile(source);
    // Read while it stays small enough to carry inline; sized by the hint when there is one.
    const iterator = source[Symbol.asyncIterator]();
    let buffer = Buffer.allocUnsafe(hint !== undefined && hint >= 0 ? hint : Math.min(inlineMax, 16 * 1024));
    let filled = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      const chunk = next.value;
      if (filled + chunk.length > inlineMax) return this.writeBlobFile(continued(buffer.subarray(0, filled), chunk, iterator));
      if (filled + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(inlineMax, Math.max(2 * buffer.length, filled + chunk.length)));
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      // A copy: the source may reuse its buffer.
      buffer.set(chunk, filled);
      filled += chunk.length;
    }
    if (this.closed) return { ok: false, failure: closedFailure };
    // Not more memory than the bytes (a hint too large, or growth by doubling).
    return { ok: true, blob: this.keepInline(filled === buffer.length ? buffer : Buffer.from(buffer.subarray(0, filled))) };
  }

  /** A new inline blob: pending, its bytes in memory until the first frame naming it carries them. */
  private keepInline(bytes: Buffer): BlobRef {
    const blobId = newBlobId(this.options.random, (id) => this.isTaken(id));
    this.holdInline(blobId, bytes);
    this.unjournaled.add(blobId);
    this.pending.add(blobId);
    return { blobId, sizeBytes: bytes.length };
  }

  /** Small bytes are kept as they are (handed over: no copy) until their commit carries them; larger ones become a file. */
  override async writeBlobBytes(bytes: Buffer): Promise<BlobOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    if (bytes.length > (this.options.inlineBytesMax ?? defaultInlineBytesMax) || this.inlineBytes >= 2 * this.inlineBudgetBytes()) {
      return this.writeBlobFile(oneChunk(bytes));
    }
    return { ok: true, blob: this.keepInline(bytes) };
  }

  /** Whether a blob id is in use: live, being written or removed, released and waiting, or in its grace period. */
  private isTaken(blobId: string): boolean {
    return this.isLive(blobId) || this.busy.has(blobId) || this.releasing.has(blobId) || this.graves.has(blobId);
  }

  private async writeBlobFile(source: AsyncIterable<Uint8Array>): Promise<BlobOutcome> {
    const blobId = newBlobId(this.options.random, (id) => this.isTaken(id));
    this.busy.add(blobId);
    try {
      const { sizeBytes, dir } = await this.blobs.write(blobId, source);
      if (this.options.fsync !== "never") this.dirtyDirs.add(dir);
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
    // Looked up now: a spill writes the file before it lets go of the bytes.
    const bytes = this.inline.get(blob.blobId);
    const end = Math.min(endByteExclusive, blob.sizeBytes);
    if (bytes !== undefined) return inlineChunks(bytes, startByte, end);
    return this.blobs.read(blob.blobId, startByte, end, readChunkBytes);
  }

  readBlobAtOnce(blob: BlobRef, startByte: number, endByteExclusive: number): Buffer | Promise<Buffer> {
    const bytes = this.inline.get(blob.blobId);
    const end = Math.min(endByteExclusive, blob.sizeBytes);
    if (bytes !== undefined) return startByte === 0 && end === bytes.length ? bytes : bytes.subarray(startByte, end);
    return this.blobs.readAtOnce(blob.blobId, startByte, end);
  }

  /** Inline blobs' bytes held in memory (tests, metrics). */
  inlineBlobIds(): ReadonlySet<string> {
    return new Set(this.inline.keys());
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
    // A spilled blob released before a compaction let go of its bytes has a file too.
    const hadFile = this.forgetSpilled(blobId);
    if (this.dropInline(blobId) && !hadFile) return;
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
    // The first frame naming an inline blob carries its bytes.
    let carried: Map<string, Buffer> | undefined;
    for (const blob of blobsNamed(mutation)) {
      if (this.unjournaled.delete(blob.blobId)) (carried ??= new Map()).set(blob.blobId, this.inline.get(blob.blobId)!);
    }
    return new Promise((resolve) => {
      this.queue.push({ frame: encodeObjectMutation(mutation, carried), resolve });
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
    // A finished spill compacts even with nothing queued.
    while (this.queue.length > 0 || (this.spillDone && this.failure === undefined && !this.closed)) {
      if (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const outcome = await this.flush(batch);
        if (outcome.ok) for (const entry of batch) entry.resolve(outcome);
        else for (const entry of batch) failed.push({ entry, outcome });
        if (!outcome.ok) continue;
      }
      this.maybeSpill();
      if (this.shouldCompact()) {
        // The compacted journal holds every change applied so far: those queued meanwhile are in
        // it, and are answered with it (waiting for an empty queue would never compact under load).
        const absorbed = this.queue;
        this.queue = [];
        const compacted = await this.compact();
        if (compacted.ok) for (const entry of absorbed) entry.resolve(compacted);
        else for (const entry of absorbed) failed.push({ entry, outcome: compacted });
      }
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

  private async flush(batch: readonly Pending[]): Promise<WriteOutcome> {
    if (this.failure) return { ok: false, failure: this.failure };
    // The entries of blob files these frames name (and of others written since) first.
    const dirs = [...this.dirtyDirs];
    this.dirtyDirs.clear();
    try {
      for (const dir of dirs) await this.options.fs.syncDir(dir);
      const buffers: Buffer[] = [];
      let bytes = 0;
      for (const { frame } of batch) {
        for (const part of frame) buffers.push(part);
        bytes += frameBytes(frame);
      }
      await writeFully(this.handle, buffers, this.journalBytes);
      if (this.options.fsync !== "never") await this.handle.datasync();
      this.journalBytes += bytes;
      this.journalFrames += batch.length;
      return done;
    } catch (error) {
      for (const dir of dirs) this.dirtyDirs.add(dir);
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
      // Inline bytes: the journal's, and those of blobs still pending (never journaled) or in
      // their grace period (readers). Those a refused frame named are gone with it.
      const inline = replay.inline;
      for (const [blobId, bytes] of this.inline) {
        if (!inline.has(blobId) && (this.pending.has(blobId) || this.graves.has(blobId))) inline.set(blobId, bytes);
      }
      this.unjournaled = new Set([...this.unjournaled].filter((blobId) => this.pending.has(blobId)));
      // Spilled files stay spilled for blobs still inline; the others' files are orphans.
      for (const [blobId] of [...this.spilled]) {
        this.forgetSpilled(blobId);
        const bytes = inline.get(blobId);
        if (bytes !== undefined && replay.state.isReferenced(blobId)) {
          this.spilled.set(blobId, bytes);
          this.spilledBytes += bytes.length;
        } else await this.blobs.remove(blobId).catch(() => undefined);
      }
      this.spillDone = this.spilled.size > 0;
      this.setInline(inline);
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
    if (this.spillDone) return true;
    // Bytes of released inline blobs the journal still carries.
    const liveBytes = this.inlineBytes + liveEntryBytesEstimate * this.state.liveEntries;
    if (this.journalBytes > compactionFloorBytes && this.journalBytes > 2 * liveBytes) return true;
    return this.journalFrames > (this.options.compactionFloorFrames ?? compactionFloorFrames) && this.journalFrames > 2 * this.state.liveEntries;
  }

  private inlineBudgetBytes(): number {
    return this.options.inlineBudgetBytes ?? defaultInlineBudgetBytes;
  }

  /**
   * Rewrites the journal as the state in memory: what its frames hold plus the changes queued
   * behind them (the caller takes those from the queue in the same synchronous step).
   */
  private async compact(): Promise<WriteOutcome> {
    const { fs, dir } = this.options;
    // Durable whatever the policy: the rename must never put a file whose bytes a power loss can
    // take in place of a journal (--fsync never may lose recent changes, not the whole store).
    const durable = true;
    const temporary = `${dir}/${journalFileName}.tmp`;
    // Encoded in one synchronous pass: the state cannot change under it, and every change applied
    // after it is queued for the new journal.
    // Inline blobs whose files a spill made durable go without their bytes; the rest carry them.
    const dropped = new Map<string, Buffer>();
    const snapshot = encodeSnapshot(this.state.snapshot(), (blobId) => {
      const bytes = this.inline.get(blobId);
      if (bytes === undefined || this.spilled.get(blobId) !== bytes) return bytes;
      dropped.set(blobId, bytes);
      return undefined;
    });
    const buffers = [objectJournalHeader(), ...snapshot.parts];
    this.spillDone = false;
    let renamed = false;
    // The entries of blob files the queued changes name, before a journal naming them is durable.
    const dirs = [...this.dirtyDirs];
    this.dirtyDirs.clear();
    try {
      for (const blobDir of dirs) await fs.syncDir(blobDir);
      const out = await fs.open(temporary, "createTruncate");
      let at = 0;
      try {
        for (let index = 0; index < buffers.length; ) {
          const batch: Buffer[] = [];
          let batchBytes = 0;
          for (; index < buffers.length && batchBytes < compactionWriteBytes; index++) {
            batch.push(buffers[index]!);
            batchBytes += buffers[index]!.length;
          }
          await writeFully(out, batch, at);
          at += batchBytes;
        }
        if (durable) await out.datasync();
      } finally {
        await out.close();
      }
      await fs.rename(temporary, this.journalPath());
      renamed = true;
      if (durable) await fs.syncDir(dir);
      // The journal no longer carries their bytes: the files are theirs now (readers that looked
      // the bytes up before keep them).
      this.letGo(dropped);
      const handle = await fs.open(this.journalPath(), "readWrite");
      await this.handle.close().catch(() => undefined);
      this.handle = handle;
      this.journalBytes = at;
      this.journalFrames = snapshot.frames;
      return done;
    } catch (error) {
      for (const blobDir of dirs) this.dirtyDirs.add(blobDir);
      // Renamed: the new journal names their files. If not, the old one carries their bytes and the
      // files stay spilled for the next compaction.
      if (renamed) this.letGo(dropped);
      // The old journal is whole (the rename is atomic) but the handle may name a replaced file.
      this.failure = failureOf(error, `compacting ${this.journalPath()}`);
      this.cutAtBytes = undefined;
      this.options.logger.error({ err: error, path: this.journalPath() }, "object journal compaction failed; the next write reopens it first");
      return { ok: false, failure: this.failure };
    }
  }

  /**
   * Past the budget, starts a spill: the inline blobs records name, whose bytes the journal
   * carries, written to files in the background while writes go on (a few at once, each
   * fdatasynced, then each directory touched fsynced once). When it is done the next flush
   * compacts, writing the journal without their bytes. Durable whatever --fsync says: the journal
   * that no longer carries the bytes is.
   */
  private maybeSpill(): void {
    if (this.spilling !== undefined || this.closed || this.inlineBytes - this.spilledBytes <= this.spillAtBytes) return;
    const chosen: [string, Buffer][] = [];
    for (const [blobId, bytes] of this.inline) {
      if (this.state.isReferenced(blobId) && !this.unjournaled.has(blobId) && !this.spilled.has(blobId)) chosen.push([blobId, bytes]);
    }
    // Their ids stay taken while their files are written (one released meanwhile is not drawn again).
    for (const [blobId] of chosen) this.busy.add(blobId);
    const started = this.options.clock.nowMs();
    this.spilling = (async () => {
      const dirs = new Set<string>();
      const written: [string, Buffer][] = [];
      try {
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < chosen.length && !this.closed) {
            const entry = chosen[next++]!;
            dirs.add((await this.blobs.writeBytes(entry[0], entry[1])).dir);
            written.push(entry);
          }
        };
        await Promise.all(Array.from({ length: Math.min(spillConcurrency, chosen.length) }, worker));
        for (const dir of dirs) await this.options.fs.syncDir(dir);
        for (const [blobId, bytes] of written) {
          // Released (and its bytes dropped) meanwhile: the file is an orphan.
          if (this.inline.get(blobId) !== bytes) await this.blobs.remove(blobId).catch(() => undefined);
          else {
            this.spilled.set(blobId, bytes);
            this.spilledBytes += bytes.length;
          }
        }
        this.spillDone = this.spilled.size > 0;
        this.options.logger.info({ dir: this.options.dir, blobs: written.length, ms: this.options.clock.nowMs() - started }, "spilled inline blobs to files (inline bytes past the budget)");
      } catch (error) {
        // The journal carries their bytes: the files are orphans, which the next open removes.
        this.options.logger.warn({ err: error, dir: this.options.dir }, "spilling inline blobs to files failed; they stay inline");
        for (const [blobId] of written) await this.blobs.remove(blobId).catch(() => undefined);
      } finally {
        for (const [blobId] of chosen) this.busy.delete(blobId);
        this.spillAtBytes = Math.max(this.inlineBudgetBytes(), this.inlineBytes - this.spilledBytes + this.inlineBudgetBytes() / 2);
        this.spilling = undefined;
        if (this.spillDone && !this.closed) this.flushing ??= this.flushAll();
      }
    })();
  }

  /** After a compaction whose journal no longer carries them: the spilled blobs are files now. */
  private letGo(dropped: ReadonlyMap<string, Buffer>): void {
    for (const [blobId, bytes] of dropped) {
      if (this.inline.get(blobId) !== bytes) continue;
      this.forgetSpilled(blobId);
      this.dropInline(blobId);
    }
  }

  /** Forgets a spilled blob's file (answers whether there was one). */
  private forgetSpilled(blobId: string): boolean {
    const bytes = this.spilled.get(blobId);
    if (bytes === undefined) return false;
    this.spilled.delete(blobId);
    this.spilledBytes -= bytes.length;
    return true;
  }

  /** Waits until no flush, spill or compaction runs (tests: what is on disk is then settled). */
  async settled(): Promise<void> {
    for (;;) {
      await this.idle();
      if (this.spilling === undefined) {
        if (this.flushing === undefined) return;
        continue;
      }
      await this.spilling;
    }
  }

  private holdInline(blobId: string, bytes: Buffer): void {
    this.inline.set(blobId, bytes);
    this.inlineBytes += bytes.length;
  }

  /** Drops an inline blob's bytes; false if it is no inline blob. */
  private dropInline(blobId: string): boolean {
    const bytes = this.inline.get(blobId);
    if (bytes === undefined) return false;
    this.inline.delete(blobId);
    this.unjournaled.delete(blobId);
    this.inlineBytes -= bytes.length;
    return true;
  }

  private setInline(inline: Map<string, Buffer>): void {
    this.inline = inline;
    this.inlineBytes = 0;
    for (const bytes of inline.values()) this.inlineBytes += bytes.length;
  }

  private journalPath(): string {
    return `${this.options.dir}/${journalFileName}`;
  }
}

function failureOf(error: unknown, doing: string): StorageFailure {
  const message = `${doing}: ${(error as Error | undefined)?.message ?? String(error)}`;
  return { kind: isNoSpace(error) ? "no-space" : "io", message, cause: error };
}

/** An inline blob's bytes in [start, end), as copies (readers get their own bytes, as from a file). */
async function* inlineChunks(bytes: Buffer, start: number, end: number): AsyncIterable<Buffer> {
  for (let at = start; at < end; at += readChunkBytes) yield Buffer.from(bytes.subarray(at, Math.min(end, at + readChunkBytes)));
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Buffer> {
  yield bytes;
}

/** What was read, the chunk that did not fit, then the rest of the source. */
async function* continued(read: Buffer, chunk: Uint8Array, iterator: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield read;
  yield chunk;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield next.value;
  }
}
