/**
 * The objects part's process-local copy of its bucket (nats-objects-keys.ts): buckets, each with
 * its objects in S3's order (UTF-8 bytes: SortedKeys over objectSortKey) and its uploads with their
 * parts, and a count of the records naming each blob. WatchedBucket feeds it (nats-tables-kv.ts).
 *
 * Records go with what owns them: a bucket's record deleted (a drop, through any node) takes its
 * incarnation's objects and uploads; an upload's record deleted takes its parts. Records of an
 * incarnation or upload the copy does not hold are ignored (writes that raced a drop or an abort;
 * the drop's purge, or the next open's, removes them). A blob whose last naming record goes is
 * announced through `onReleased`, for the store to remove after a grace period.
 */
import type { BlobRef, BucketRecord, ObjectRecord, PartRecord, UploadRecord, VersionedObject } from "../types.js";
import type { Logger } from "../../util/logger.js";
import { deepFreeze } from "../../util/freeze.js";
import { SortedKeys } from "../objects/sorted-keys.js";
import { listSortedObjects, objectSortKey, type ListObjectsOptions } from "../objects/object-state.js";
import type { KvFollower } from "./nats-tables-kv.js";
import { bucketKey, objectKey, parseObjectsKey, partKey, uploadKey } from "./nats-objects-keys.js";

interface UploadCopy {
  readonly upload: UploadRecord;
  readonly revision: number;
  readonly parts: Map<number, { part: PartRecord; revision: number }>;
}

export interface BucketCopy {
  readonly record: BucketRecord;
  readonly revision: number;
  readonly incarnation: string;
  readonly objects: SortedKeys<VersionedObject>;
  readonly uploads: Map<string, UploadCopy>;
  sizeBytes: number;
}

/** A bucket's stored value. */
export interface StoredBucket {
  record: BucketRecord;
  incarnation: string;
}

export class ObjectsCopy implements KvFollower {
  private readonly buckets = new Map<string, BucketCopy>();
  private readonly incarnations = new Map<string, BucketCopy>();
  /** Incarnations seen in records with no bucket holding them (orphans, once loaded). */
  private readonly strays = new Set<string>();
  private readonly references = new Map<string, number>();
  private sortedBuckets: BucketRecord[] | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly onReleased: (blobIds: readonly string[]) => void,
  ) {}

  // --- KvFollower ------------------------------------------------------------------------------

  revisionOf(key: string): number | undefined {
    const parsed = parseObjectsKey(key);
    if (parsed === undefined) return undefined;
    if (parsed.kind === "bucket") return this.buckets.get(parsed.name)?.revision;
    const bucket = this.incarnations.get(parsed.incarnation);
    if (parsed.kind === "object") return bucket?.objects.get(objectSortKey(parsed.key))?.revision;
    const upload = bucket?.uploads.get(parsed.uploadId);
    if (parsed.kind === "upload") return upload?.revision;
    return upload?.parts.get(parsed.partNumber)?.revision;
  }

  apply(key: string, revision: number, value: Uint8Array | undefined): void {
    const parsed = parseObjectsKey(key);
    if (parsed === undefined) return;
    const released: string[] = [];
    const decoded = value === undefined ? undefined : this.decode(key, value);
    if (parsed.kind === "bucket") {
      this.applyBucket(parsed.name, revision, decoded as StoredBucket | undefined, released);
    } else {
      const bucket = this.incarnations.get(parsed.incarnation);
      if (bucket === undefined) {
        if (decoded !== undefined) this.strays.add(parsed.incarnation);
      } else if (parsed.kind === "object") {
        this.applyObject(bucket, parsed.key, revision, decoded as ObjectRecord | undefined, released);
      } else if (parsed.kind === "upload") {
        this.applyUpload(bucket, parsed.uploadId, revision, decoded as UploadRecord | undefined, released);
      } else {
        this.applyPart(bucket, parsed.uploadId, parsed.partNumber, revision, decoded as PartRecord | undefined, released);
      }
    }
    if (released.length > 0) this.onReleased(released);
  }

  *keys(): Iterable<string> {
    for (const [name, bucket] of this.buckets) {
      yield bucketKey(name);
      for (const [, entry] of bucket.objects.from(undefined)) yield objectKey(bucket.incarnation, entry.key);
      for (const [uploadId, upload] of bucket.uploads) {
        yield uploadKey(bucket.incarnation, uploadId);
        for (const partNumber of upload.parts.keys()) yield partKey(bucket.incarnation, uploadId, partNumber);
      }
    }
  }

  // --- reads -----------------------------------------------------------------------------------

  listBuckets(): readonly BucketRecord[] {
    this.sortedBuckets ??= [...this.buckets.values()].map((bucket) => bucket.record).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    return this.sortedBuckets;
  }

  bucket(name: string): BucketCopy | undefined {
    return this.buckets.get(name);
  }

  getObject(bucket: string, key: string): VersionedObject | undefined {
    return this.buckets.get(bucket)?.objects.get(objectSortKey(key));
  }

  listObjects(bucket: string, options: ListObjectsOptions): VersionedObject[] {
    return listSortedObjects(this.buckets.get(bucket)?.objects, options);
  }

  bucketStats(bucket: string): { objectCount: number; sizeBytes: number; uploadCount: number } {
    const state = this.buckets.get(bucket);
    return state === undefined ? { objectCount: 0, sizeBytes: 0, uploadCount: 0 } : { objectCount: state.objects.size, sizeBytes: state.sizeBytes, uploadCount: state.uploads.size };
  }

  getUpload(bucket: string, uploadId: string): UploadRecord | undefined {
    return this.buckets.get(bucket)?.uploads.get(uploadId)?.upload;
  }

  listUploads(bucket: string): UploadRecord[] {
    const uploads = [...(this.buckets.get(bucket)?.uploads.values() ?? [])].map((state) => ({ sortKey: objectSortKey(state.upload.key), upload: state.upload }));
    uploads.sort((a, b) => compareText(a.sortKey, b.sortKey) || a.upload.initiatedMs - b.upload.initiatedMs || compareText(a.upload.uploadId, b.upload.uploadId));
    return uploads.map((entry) => entry.upload);
  }

  listParts(bucket: string, uploadId: string): PartRecord[] {
    const parts = [...(this.buckets.get(bucket)?.uploads.get(uploadId)?.parts.values() ?? [])].map((entry) => entry.part);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  isReferenced(blobId: string): boolean {
    return this.references.has(blobId);
  }

  /** Incarnations records were found under with no bucket holding them (after loading: orphans); forgets them. */
  takeStrays(): string[] {
    const strays = [...this.strays].filter((incarnation) => !this.incarnations.has(incarnation));
    this.strays.clear();
    return strays;
  }

  // --- changes ---------------------------------------------------------------------------------

  private applyBucket(name: string, revision: number, stored: StoredBucket | undefined, released: string[]): void {
    const previous = this.buckets.get(name);
    this.sortedBuckets = undefined;
    if (stored !== undefined && previous?.incarnation === stored.incarnation) {
      // The same bucket's settings replaced: its contents stay.
      this.buckets.set(name, { ...previous, record: stored.record, revision, sizeBytes: previous.sizeBytes });
      const replaced = this.buckets.get(name)!;
      this.incarnations.set(stored.incarnation, replaced);
      return;
    }
    if (previous !== undefined) {
      this.buckets.delete(name);
      this.incarnations.delete(previous.incarnation);
      for (const [, entry] of previous.objects.from(undefined)) this.releaseAll(entry.record.blobs, released);
      for (const upload of previous.uploads.values()) this.releaseParts(upload, released);
    }
    if (stored === undefined) return;
    const bucket: BucketCopy = { record: stored.record, revision, incarnation: stored.incarnation, objects: new SortedKeys(), uploads: new Map(), sizeBytes: 0 };
    this.buckets.set(name, bucket);
    this.incarnations.set(stored.incarnation, bucket);
  }

  private applyObject(bucket: BucketCopy, key: string, revision: number, record: ObjectRecord | undefined, released: string[]): void {
    const sortKey = objectSortKey(key);
    // New references first: a record replaced by one naming the same blobs keeps them.
    if (record !== undefined) this.referenceAll(record.blobs);
    const previous = record === undefined ? bucket.objects.delete(sortKey) : bucket.objects.set(sortKey, Object.freeze({ key, record, revision }));
    if (record !== undefined) bucket.sizeBytes += record.sizeBytes;
    if (previous !== undefined) {
      bucket.sizeBytes -= previous.record.sizeBytes;
      this.releaseAll(previous.record.blobs, released);
    }
  }

  private applyUpload(bucket: BucketCopy, uploadId: string, revision: number, upload: UploadRecord | undefined, released: string[]): void {
    const previous = bucket.uploads.get(uploadId);
    if (upload === undefined) {
      if (previous === undefined) return;
      bucket.uploads.delete(uploadId);
      this.releaseParts(previous, released);
      return;
    }
    // An upload recorded again keeps its parts.
    bucket.uploads.set(uploadId, { upload, revision, parts: previous?.parts ?? new Map() });
  }

  private applyPart(bucket: BucketCopy, uploadId: string, partNumber: number, revision: number, part: PartRecord | undefined, released: string[]): void {
    const parts = bucket.uploads.get(uploadId)?.parts;
    if (parts === undefined) return;
    const previous = parts.get(partNumber);
    if (part === undefined) parts.delete(partNumber);
    else {
      this.referenceAll([part.blob]);
      parts.set(partNumber, { part, revision });
    }
    if (previous !== undefined) this.releaseAll([previous.part.blob], released);
  }

  private releaseParts(upload: UploadCopy, released: string[]): void {
    for (const { part } of upload.parts.values()) this.releaseAll([part.blob], released);
  }

  private referenceAll(blobs: readonly BlobRef[]): void {
    for (const blob of blobs) this.references.set(blob.blobId, (this.references.get(blob.blobId) ?? 0) + 1);
  }

  private releaseAll(blobs: readonly BlobRef[], released: string[]): void {
    for (const blob of blobs) {
      const count = this.references.get(blob.blobId) ?? 0;
      if (count > 1) this.references.set(blob.blobId, count - 1);
      else {
        this.references.delete(blob.blobId);
        released.push(blob.blobId);
      }
    }
  }

  private decode(key: string, value: Uint8Array): object | undefined {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.length).toString("utf8"));
      if (parsed !== null && typeof parsed === "object") return deepFreeze(parsed);
    } catch {
      // Reported below.
    }
    this.logger.error({ key }, "an objects bucket record is not JSON; treating it as absent");
    return undefined;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
