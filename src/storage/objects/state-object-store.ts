/**
 * What both engines' ObjectStores share: the metadata (ObjectState) with its checks, and the
 * order of a write — refuse (bucket or upload gone, blob released), check the expectation, apply
 * in memory, all in one synchronous step so racing writes through one engine serialise; then
 * `persist` (nothing in memory, the journal on disk), and only once that is durable remove the
 * blobs the write released. An engine supplies persist and the blob bytes.
 *
 * Blobs are pending from writeBlob until a record names them or discardBlob drops them; a blob is
 * live while pending or named. A record naming a blob that is not live is refused: the blob was
 * released meanwhile (a CopyObject whose source was deleted under it) and its bytes may be gone.
 */
import type {
  BlobOutcome, BlobRef, BucketExists, BucketRecord, CasOutcome, Expectation, ObjectRecord, ObjectStore, PartRecord,
  StorageFailure, UploadRecord, VersionedObject, WriteBlobOptions, WriteOutcome,
} from "../types.js";
import { ObjectState, blobsNamed, type ObjectMutation } from "./object-state.js";
import { frozenCopy } from "./frozen-copy.js";

export const done: WriteOutcome = { ok: true };
export const closedFailure: StorageFailure = { kind: "closed", message: "the engine is closed" };
/** The most a readBlob chunk holds. */
export const readChunkBytes = 1024 * 1024;

export abstract class StateObjectStore implements ObjectStore {
  protected state = new ObjectState();
  /** Blobs written and neither named by a record nor discarded yet. */
  protected readonly pending = new Set<string>();
  /**
   * Blobs a write released whose removal waits for that write to be durable: not live, but their
   * bytes are still there (or about to go), so their ids must not be drawn again meanwhile.
   */
  protected readonly releasing = new Set<string>();
  protected closed = false;

  /** Makes an applied mutation durable; resolves with its outcome. */
  protected abstract persist(mutation: ObjectMutation): Promise<WriteOutcome>;
  /** Removes a blob's bytes now (no record names it and it is not pending). */
  protected abstract removeBlob(blobId: string): Promise<void>;
  /**
   * Removes the bytes of blobs whose last record went (one write's), once readers that read the
   * record before it went have had their time: a GetObject reads the record, then the blob (a grace
   * period, docs/formats/objects.md "Blobs"). By default at once.
   */
  protected async releaseBlobs(blobIds: readonly string[]): Promise<void> {
    for (const blobId of blobIds) await this.removeBlob(blobId);
  }

  abstract writeBlob(source: AsyncIterable<Uint8Array>, options?: WriteBlobOptions): Promise<BlobOutcome>;

  /** Bytes the caller has in one buffer, handed over (ObjectStore.writeBlobBytes); by default streamed in as one chunk. */
  writeBlobBytes(bytes: Buffer): Promise<BlobOutcome> {
    return this.writeBlob(oneChunk(bytes), { sizeBytesHint: bytes.length });
  }
  abstract readBlob(blob: BlobRef, startByte?: number, endByteExclusive?: number): AsyncIterable<Buffer>;

  protected isLive(blobId: string): boolean {
    return this.pending.has(blobId) || this.state.isReferenced(blobId);
  }

  async listBuckets(): Promise<readonly BucketRecord[]> {
    return this.state.listBuckets();
  }

  async getBucket(name: string): Promise<{ bucket: BucketRecord; revision: number } | undefined> {
    return this.state.getBucket(name);
  }

  async createBucket(bucket: BucketRecord): Promise<WriteOutcome | BucketExists> {
    const outcome = await this.write({ op: "bucket", bucket: frozenCopy(bucket) }, { expectedRevision: "absent" });
    if (outcome.ok) return done;
    if ("failure" in outcome) return outcome;
    // The name is taken (write checks and applies in one step, so of two racing creations one wins).
    return { ok: false, exists: true, accountId: this.state.getBucket(bucket.Name)?.bucket.accountId ?? "" };
  }

  updateBucket(bucket: BucketRecord, expect: Expectation): Promise<CasOutcome> {
    return this.write({ op: "bucket", bucket: frozenCopy(bucket) }, expect) as Promise<CasOutcome>;
  }

  dropBucket(name: string): Promise<WriteOutcome> {
    return this.write({ op: "drop-bucket", name }) as Promise<WriteOutcome>;
  }

  async getObject(bucket: string, key: string): Promise<VersionedObject | undefined> {
    return this.state.getObject(bucket, key);
  }

  putObject(bucket: string, key: string, record: ObjectRecord): Promise<WriteOutcome>;
  putObject(bucket: string, key: string, record: ObjectRecord, expect: Expectation): Promise<CasOutcome>;
  putObject(bucket: string, key: string, record: ObjectRecord, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write({ op: "object", bucket, key, record: frozenCopy(record) }, expect);
  }

  deleteObject(bucket: string, key: string): Promise<WriteOutcome>;
  deleteObject(bucket: string, key: string, expect: Expectation): Promise<CasOutcome>;
  deleteObject(bucket: string, key: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write({ op: "delete-object", bucket, key }, expect);
  }

  async listObjects(bucket: string, options: { afterKey?: string; prefix?: string; limit: number }): Promise<VersionedObject[]> {
    return this.state.listObjects(bucket, options);
  }

  async bucketStats(bucket: string): Promise<{ objectCount: number; sizeBytes: number; uploadCount: number }> {
    return this.state.bucketStats(bucket);
  }

  createUpload(bucket: string, upload: UploadRecord): Promise<WriteOutcome> {
    return this.write({ op: "upload", bucket, upload: frozenCopy(upload) }) as Promise<WriteOutcome>;
  }

  async getUpload(bucket: string, uploadId: string): Promise<UploadRecord | undefined> {
    return this.state.getUpload(bucket, uploadId);
  }

  async listUploads(bucket: string): Promise<readonly UploadRecord[]> {
    return this.state.listUploads(bucket);
  }

  putPart(bucket: string, uploadId: string, part: PartRecord): Promise<WriteOutcome> {
    return this.write({ op: "part", bucket, uploadId, part: frozenCopy(part) }) as Promise<WriteOutcome>;
  }

  async listParts(bucket: string, uploadId: string): Promise<readonly PartRecord[]> {
    return this.state.listParts(bucket, uploadId);
  }

  removeUpload(bucket: string, uploadId: string): Promise<WriteOutcome> {
    return this.write({ op: "remove-upload", bucket, uploadId }) as Promise<WriteOutcome>;
  }

  async discardBlob(blob: BlobRef): Promise<void> {
    this.pending.delete(blob.blobId);
    if (!this.isLive(blob.blobId)) await this.removeBlob(blob.blobId);
  }

  private async write(mutation: ObjectMutation, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    // Refusal, expectation and change in one synchronous step: no other write comes between.
    const refusal = this.state.refusal(mutation, (blobId) => this.isLive(blobId));
    if (refusal !== undefined) return { ok: false, failure: { kind: "gone", ...refusal } };
    const conflict = this.state.conflict(mutation, expect);
    if (conflict !== undefined) return { ok: false, conflict };
    const { revision, released } = this.state.apply(mutation);
    for (const blob of blobsNamed(mutation)) this.pending.delete(blob.blobId);
    for (const blobId of released) this.releasing.add(blobId);
    const outcome = await this.persist(mutation);
    // From here releaseBlobs (in the same synchronous step) keeps the ids taken until the bytes go.
    for (const blobId of released) this.releasing.delete(blobId);
    if (!outcome.ok) return outcome;
    // Only now, with the change durable, may the bytes go; a record written meanwhile may name them again.
    const unnamed = released.filter((blobId) => !this.isLive(blobId));
    if (unnamed.length > 0) await this.releaseBlobs(unnamed);
    // An unconditional write answers as it always has; a compare-and-set also gives the revision.
    return expect === undefined ? done : { ok: true, revision };
  }
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Buffer> {
  yield bytes;
}
