/**
 * The object store on NATS JetStream (docs/formats/nats.md "Objects"): records (buckets, objects,
 * uploads, parts) in one KV bucket, `<prefix>-objects`, keyed as nats-objects-keys.ts says and
 * followed by a process-local copy (nats-objects-copy.ts, through nats-tables-kv.ts's watch);
 * bytes in the stream `<prefix>-blobs` (nats-objects-blobs.ts). Reads of records are the copy's.
 *
 * A write checks what it names in the copy first — its bucket, its upload, its blobs live
 * (pending on this node, or named by a record) — and answers "gone" if not; then publishes, and
 * resolves once acknowledged and applied to the copy. A compare-and-set (a bucket's settings, an
 * object) is decided by the stream leader, as the tables' are. The copy's checks see another
 * node's change once its watch has delivered it (milliseconds); a write that raced another node's
 * drop or abort lands under a bucket incarnation or upload no record holds: invisible, and purged
 * (with the blobs only it named) by the drop or the next open.
 *
 * Blobs: written first (invisible), named by a commit, and removed `releaseGraceMs` after the last
 * record naming them went (each node that sees the release removes them, if nothing names them by
 * then), so a GetObject that read a record just before it was replaced still reads its bytes.
 * Blobs nothing names — a crash between writeBlob and the commit, a release whose removal did not
 * happen — are swept when the store opens and every `sweepIntervalMs`: complete ones once
 * unnamed for `orphanGraceMs` (another node may be about to commit one), incomplete ones (no end
 * marker: a writer that died) after `incompleteGraceMs`.
 */
import type {
  BlobOutcome, BlobRef, BucketExists, BucketRecord, CasOutcome, Expectation, ObjectRecord, ObjectStore, PartRecord,
  StorageFailure, UploadRecord, VersionedObject, WriteBlobOptions, WriteOutcome,
} from "../types.js";
import type { Timer } from "../../util/clock.js";
import { newBlobId } from "../objects/blob-ids.js";
import type { NatsContext, NatsPart } from "./nats-context.js";
import { WatchedBucket, closedFailure, type KvWriteOutcome } from "./nats-tables-kv.js";
import { ObjectsCopy, type BucketCopy, type StoredBucket } from "./nats-objects-copy.js";
import { BlobStream } from "./nats-objects-blobs.js";
import { bucketKey, incarnationFilter, objectKey, partKey, partsFilter, uploadKey } from "./nats-objects-keys.js";

/** The records bucket's name after the prefix: `<prefix>-objects`. */
export const objectsBucketSuffix = "objects";
/** How long a released blob's bytes stay readable (as the embedded engine's). */
export const releaseGraceMs = 10_000;
/** How long a complete blob nothing names is kept by the sweep (a commit through another node may be on its way). */
export const orphanGraceMs = 60 * 60 * 1000;
/** How long a blob without its end marker is kept by the sweep (a writer still streaming a large upload). */
export const incompleteGraceMs = 24 * 60 * 60 * 1000;
export const sweepIntervalMs = 30 * 60 * 1000;
const dropAttemptsMax = 4;

const done: WriteOutcome = { ok: true };

/** Opens (creating if needed) the records bucket and the blob stream; resolves once the copy holds the records. */
export async function openNatsObjects(ctx: NatsContext): Promise<ObjectStore & NatsPart> {
  const blobs = await BlobStream.open(ctx);
  let store: NatsObjectStore | undefined;
  const copy = new ObjectsCopy(ctx.logger, (blobIds) => store?.released(blobIds));
  const bucket = await WatchedBucket.open(ctx, copy, { suffix: objectsBucketSuffix, description: "Tributary object records (docs/formats/nats.md)", what: "objects" });
  store = new NatsObjectStore(ctx, bucket, copy, blobs);
  // Records under incarnations no bucket holds: what a drop's purge left (a crash, or a racing write).
  for (const incarnation of copy.takeStrays()) {
    await bucket.purge(incarnationFilter(incarnation)).catch((error: unknown) => ctx.logger.warn({ incarnation, err: error }, "cannot purge a dropped bucket's records; the next open tries again"));
  }
  store.startSweeping();
  return store;
}

class NatsObjectStore implements ObjectStore, NatsPart {
  /** Blobs this node wrote and no record names yet. */
  private readonly pending = new Set<string>();
  /** Released blobs waiting out their grace period. */
  private readonly releasing = new Map<string, Timer>();
  private sweepTimer: Timer | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly ctx: NatsContext,
    private readonly bucket: WatchedBucket,
    private readonly copy: ObjectsCopy,
    private readonly blobs: BlobStream,
  ) {}

  // --- buckets ---------------------------------------------------------------------------------

  async listBuckets(): Promise<readonly BucketRecord[]> {
    return this.copy.listBuckets();
  }

  async getBucket(name: string): Promise<{ bucket: BucketRecord; revision: number } | undefined> {
    const bucket = this.copy.bucket(name);
    return bucket === undefined ? undefined : { bucket: bucket.record, revision: bucket.revision };
  }

  async createBucket(record: BucketRecord): Promise<WriteOutcome | BucketExists> {
    const stored: StoredBucket = { record, incarnation: this.ctx.random.bytes(8).toString("hex") };
    const outcome = await this.bucket.write(bucketKey(record.Name), encode(stored), { expectedRevision: "absent" });
    if (outcome.ok) return done;
    if ("failure" in outcome) return outcome;
    // The conflict brought the copy up to the bucket there is.
    return { ok: false, exists: true, accountId: this.copy.bucket(record.Name)?.record.accountId ?? "" };
  }

  async updateBucket(record: BucketRecord, expect: Expectation): Promise<CasOutcome> {
    const current = await this.bucketNamed(record.Name);
    if (current === undefined) {
      if (expect.expectedRevision === "absent") return { ok: false, failure: { kind: "gone", gone: "bucket", message: `no bucket named ${record.Name}` } };
      return { ok: false, conflict: { revision: "absent" } };
    }
    // Under the revision expected the incarnation is this one: a different one fails the expectation.
    return this.settle(await this.bucket.write(bucketKey(record.Name), encode({ record, incarnation: current.incarnation }), expect), true);
  }

  async dropBucket(name: string): Promise<WriteOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    try {
      for (let attempt = 1; attempt <= dropAttemptsMax; attempt++) {
        const current = await this.bucketNamed(name);
        if (current === undefined) return done;
        const outcome = await this.bucket.write(bucketKey(name), undefined, { expectedRevision: current.revision });
        if ("failure" in outcome) return outcome;
        if ("conflict" in outcome) continue;
        // The copy dropped the contents (and released their blobs) when it applied the deletion.
        await this.bucket.purge(incarnationFilter(current.incarnation));
        return done;
      }
      return { ok: false, failure: { kind: "io", message: `objects bucket ${this.bucket.bucket}: the bucket ${name} kept changing while being dropped` } };
    } catch (error) {
      return { ok: false, failure: this.bucket.failureOf(error) };
    }
  }

  // --- objects ---------------------------------------------------------------------------------

  /** Brings the copy up to the bucket's last revision (nats-sync.ts): another node's acknowledged writes are then read. */
  sync(): Promise<boolean> {
    return this.bucket.sync();
  }

  async getObject(bucket: string, key: string): Promise<VersionedObject | undefined> {
    return this.copy.getObject(bucket, key);
  }

  putObject(bucket: string, key: string, record: ObjectRecord): Promise<WriteOutcome>;
  putObject(bucket: string, key: string, record: ObjectRecord, expect: Expectation): Promise<CasOutcome>;
  async putObject(bucket: string, key: string, record: ObjectRecord, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    const refusal = this.refusal(bucket, undefined, record.blobs);
    if (refusal !== undefined) return refusal;
    const outcome = await this.bucket.write(objectKey(this.copy.bucket(bucket)!.incarnation, key), encode(record), expect);
    if (outcome.ok) for (const blob of record.blobs) this.pending.delete(blob.blobId);
    return this.settle(outcome, expect !== undefined);
  }

  deleteObject(bucket: string, key: string): Promise<WriteOutcome>;
  deleteObject(bucket: string, key: string, expect: Expectation): Promise<CasOutcome>;
  async deleteObject(bucket: string, key: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    const refusal = this.refusal(bucket, undefined, []);
    if (refusal !== undefined) return refusal;
    return this.settle(await this.bucket.write(objectKey(this.copy.bucket(bucket)!.incarnation, key), undefined, expect), expect !== undefined);
  }

  async listObjects(bucket: string, options: { afterKey?: string; prefix?: string; limit: number }): Promise<VersionedObject[]> {
    return this.copy.listObjects(bucket, options);
  }

  async bucketStats(bucket: string): Promise<{ objectCount: number; sizeBytes: number; uploadCount: number }> {
    return this.copy.bucketStats(bucket);
  }

  // --- multipart uploads -----------------------------------------------------------------------

  async createUpload(bucket: string, upload: UploadRecord): Promise<WriteOutcome> {
    const refusal = this.refusal(bucket, undefined, []);
    if (refusal !== undefined) return refusal;
    return this.settle(await this.bucket.write(uploadKey(this.copy.bucket(bucket)!.incarnation, upload.uploadId), encode(upload)), false);
  }

  async getUpload(bucket: string, uploadId: string): Promise<UploadRecord | undefined> {
    return this.copy.getUpload(bucket, uploadId);
  }

  async listUploads(bucket: string): Promise<readonly UploadRecord[]> {
    return this.copy.listUploads(bucket);
  }

  async putPart(bucket: string, uploadId: string, part: PartRecord): Promise<WriteOutcome> {
    const refusal = this.refusal(bucket, uploadId, [part.blob]);
    if (refusal !== undefined) return refusal;
    const outcome = await this.bucket.write(partKey(this.copy.bucket(bucket)!.incarnation, uploadId, part.partNumber), encode(part));
    if (outcome.ok) this.pending.delete(part.blob.blobId);
    return this.settle(outcome, false);
  }

  async listParts(bucket: string, uploadId: string): Promise<readonly PartRecord[]> {
    return this.copy.listParts(bucket, uploadId);
  }

  async removeUpload(bucket: string, uploadId: string): Promise<WriteOutcome> {
    const refusal = this.refusal(bucket, undefined, []);
    if (refusal !== undefined) return refusal;
    const incarnation = this.copy.bucket(bucket)!.incarnation;
    const outcome = await this.bucket.write(uploadKey(incarnation, uploadId), undefined);
    if (!outcome.ok) return this.settle(outcome, false);
    // The copy dropped the parts (releasing their blobs) when it applied the deletion.
    try {
      await this.bucket.purge(partsFilter(incarnation, uploadId));
    } catch (error) {
      return { ok: false, failure: this.bucket.failureOf(error) };
    }
    return done;
  }

  // --- blobs -----------------------------------------------------------------------------------

  async writeBlob(source: AsyncIterable<Uint8Array>, _options?: WriteBlobOptions): Promise<BlobOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    const blobId = newBlobId(this.ctx.random, (id) => this.pending.has(id) || this.copy.isReferenced(id) || this.releasing.has(id));
    // Pending from the start: a sweep meanwhile must not take a blob being written.
    this.pending.add(blobId);
    let outcome: BlobOutcome;
    try {
      outcome = await this.blobs.write(blobId, source);
    } catch (error) {
      this.pending.delete(blobId);
      throw error;
    }
    if (!outcome.ok) this.pending.delete(blobId);
    return outcome;
  }

  readBlob(blob: BlobRef, startByte = 0, endByteExclusive = blob.sizeBytes): AsyncIterable<Buffer> {
    return this.blobs.read(blob, startByte, endByteExclusive);
  }

  async discardBlob(blob: BlobRef): Promise<void> {
    this.pending.delete(blob.blobId);
    if (this.isLive(blob.blobId)) return;
    await this.blobs.purge(blob.blobId).catch((error: unknown) => this.ctx.logger.warn({ blobId: blob.blobId, err: error }, "cannot remove a discarded blob; the sweep will"));
  }

  // --- life ------------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.bucket.close();
    this.ctx.clock.clearTimer(this.sweepTimer);
    // Released blobs not yet removed are left to the next sweep (they are unnamed).
    for (const timer of this.releasing.values()) this.ctx.clock.clearTimer(timer);
    this.releasing.clear();
    await this.sweeping;
  }

  /** The copy saw the last record naming these blobs go: remove them after the grace period, if still unnamed. */
  released(blobIds: readonly string[]): void {
    if (this.closed) return;
    for (const blobId of blobIds) {
      if (this.releasing.has(blobId)) continue;
      const timer = this.ctx.clock.setTimeout(() => {
        this.releasing.delete(blobId);
        if (this.closed || this.isLive(blobId)) return;
        this.blobs.purge(blobId).catch((error: unknown) => this.ctx.logger.warn({ blobId, err: error }, "cannot remove a released blob; the sweep will"));
      }, releaseGraceMs, { unref: true });
      this.releasing.set(blobId, timer);
    }
  }

  /** Sweeps now (in the background) and every sweepIntervalMs. */
  startSweeping(): void {
    const sweep = () => {
      if (this.closed || this.sweeping !== undefined) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.ctx.logger.warn({ err: error }, "the blob sweep failed; it runs again later"))
        .finally(() => (this.sweeping = undefined));
    };
    sweep();
    this.sweepTimer = this.ctx.clock.setInterval(sweep, sweepIntervalMs, { unref: true });
  }

  /** Removes blobs nothing names that are past their grace (see the module's comment). */
  private async sweep(): Promise<void> {
    const { complete, incomplete } = await this.blobs.list();
    const candidates = [...complete.map((blobId) => ({ blobId, incomplete: false })), ...incomplete.map((blobId) => ({ blobId, incomplete: true }))];
    for (const { blobId, incomplete: unfinished } of candidates) {
      if (this.closed) return;
      if (this.isLive(blobId) || this.releasing.has(blobId)) continue;
      const storedAtMs = await this.blobs.storedAtMs(blobId, unfinished);
      if (storedAtMs === undefined || this.isLive(blobId)) continue;
      if (this.ctx.clock.nowMs() - storedAtMs < (unfinished ? incompleteGraceMs : orphanGraceMs)) continue;
      this.ctx.logger.info({ blobId, incomplete: unfinished }, "removing a blob no record names");
      await this.blobs.purge(blobId);
    }
  }

  private isLive(blobId: string): boolean {
    return this.pending.has(blobId) || this.copy.isReferenced(blobId);
  }

  /** Why a write into `bucket` (and `uploadId`) naming `blobs` cannot be made now, as the outcome to answer. */
  private refusal(bucket: string, uploadId: string | undefined, blobs: readonly BlobRef[]): { ok: false; failure: StorageFailure } | undefined {
    if (this.closed) return { ok: false, failure: closedFailure };
    const state = this.copy.bucket(bucket);
    if (state === undefined) return gone("bucket", `no bucket named ${bucket}`);
    if (uploadId !== undefined && !state.uploads.has(uploadId)) return gone("upload", `no upload ${uploadId} in bucket ${bucket}`);
    for (const blob of blobs) {
      if (!this.isLive(blob.blobId)) return gone("blob", `blob ${blob.blobId} was released (its last record went) or never written`);
    }
    return undefined;
  }

  /** The bucket from the copy, or, if the copy has none, from the stream's leader (a creation through another node not seen yet). */
  private async bucketNamed(name: string): Promise<BucketCopy | undefined> {
    if (this.copy.bucket(name) === undefined) await this.bucket.refresh(bucketKey(name));
    return this.copy.bucket(name);
  }

  /** An unconditional write answers as the other engines do: no revision (it never meets a conflict). */
  private settle(outcome: KvWriteOutcome, conditional: true): CasOutcome;
  private settle(outcome: KvWriteOutcome, conditional: false): WriteOutcome;
  private settle(outcome: KvWriteOutcome, conditional: boolean): WriteOutcome | CasOutcome;
  private settle(outcome: KvWriteOutcome, conditional: boolean): WriteOutcome | CasOutcome {
    if (conditional) return outcome;
    return outcome.ok || !("failure" in outcome) ? done : outcome;
  }
}

function gone(what: "bucket" | "upload" | "blob", message: string): { ok: false; failure: StorageFailure } {
  return { ok: false, failure: { kind: "gone", gone: what, message } };
}

function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), "utf8");
}
