/**
 * The object store's metadata in memory, shared by both engines: buckets, each with its objects in
 * UTF-8 key order (SortedKeys over objectSortKey) and its uploads with their parts, and a count of
 * the records naming each blob. It changes only through `apply(mutation)`: the memory engine
 * applies a mutation and is done, the embedded engine also journals it (the journal's frames are
 * these mutations) and replays them at open into a fresh ObjectState.
 *
 * Revisions are not stored: a state replayed from disk numbers its entries afresh, and one replacing
 * another (a journal replayed after a failed write) continues after it (`continueAfter`), so a
 * compare-and-set made against the old copy cannot succeed against the new one by accident.
 */
import type { BlobRef, BucketRecord, Expectation, ObjectRecord, PartRecord, UploadRecord, VersionedObject } from "../types.js";
import { AssertionFailure, assert } from "../../util/assert.js";
import { deepFreeze } from "../../util/freeze.js";
import { SortedKeys } from "./sorted-keys.js";

export type ObjectMutation =
  | { op: "bucket"; bucket: BucketRecord }
  | { op: "drop-bucket"; name: string }
  | { op: "object"; bucket: string; key: string; record: ObjectRecord }
  | { op: "delete-object"; bucket: string; key: string }
  | { op: "upload"; bucket: string; upload: UploadRecord }
  | { op: "part"; bucket: string; uploadId: string; part: PartRecord }
  | { op: "remove-upload"; bucket: string; uploadId: string };

interface UploadState {
  readonly upload: UploadRecord;
  readonly parts: Map<number, PartRecord>;
}

interface BucketState {
  record: BucketRecord;
  revision: number;
  readonly objects: SortedKeys<VersionedObject>;
  readonly uploads: Map<string, UploadState>;
  sizeBytes: number;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A key's sort key: the latin1 rendering of its UTF-8 bytes, one code unit per byte, so that JS
 * string order is S3's byte order (UTF-16 order puts U+E000–U+FFFF after U+10000 and up; UTF-8 does not).
 * Keys must be well-formed: a lone surrogate has no UTF-8 form (it would collide with U+FFFD).
 */
export function objectSortKey(key: string): string {
  assert(!loneSurrogate.test(key), "an object key must be well-formed UTF-16 (no lone surrogates)");
  return Buffer.from(key, "utf8").toString("latin1");
}

/**
 * A start key (`afterKey`) that lists on past every key starting with `prefix`: for a listing with
 * a delimiter, which reports a common prefix once and must not walk the keys under it. No key of
 * at most 1,024 UTF-8 bytes sorts after it and still starts with `prefix`: U+10FFFF is the largest
 * character, and 256 of them are 1,024 bytes.
 *
 * @example
 *   store.listObjects(bucket, { prefix: "", afterKey: keyAfterPrefix("logs/"), limit: 1000 });
 */
export function keyAfterPrefix(prefix: string): string {
  return prefix + "\u{10FFFF}".repeat(256);
}

/** The blobs a mutation names (a new record's or part's). */
export function blobsNamed(mutation: ObjectMutation): readonly BlobRef[] {
  if (mutation.op === "object") return mutation.record.blobs;
  if (mutation.op === "part") return [mutation.part.blob];
  return [];
}

export class ObjectState {
  private readonly buckets = new Map<string, BucketState>();
  private readonly references = new Map<string, number>();
  private revision = 0;
  /** Buckets, objects, uploads and parts: what a compacted journal holds one frame for. */
  private entries = 0;

  get liveEntries(): number {
    return this.entries;
  }

  /** Whether any record names the blob. */
  isReferenced(blobId: string): boolean {
    return this.references.has(blobId);
  }

  referencedBlobIds(): IterableIterator<string> {
    return this.references.keys();
  }

  /** Gives every entry a revision above `revision` and continues from there. */
  continueAfter(revision: number): void {
    this.revision = Math.max(this.revision, revision);
    for (const bucket of this.buckets.values()) {
      bucket.revision = ++this.revision;
      for (const [sortKey, entry] of bucket.objects.from(undefined)) {
        bucket.objects.set(sortKey, Object.freeze({ key: entry.key, record: entry.record, revision: ++this.revision }));
      }
    }
  }

  lastRevision(): number {
    return this.revision;
  }

  // --- reads ---------------------------------------------------------------------------------

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].map((bucket) => bucket.record).sort((a, b) => compareText(a.Name, b.Name));
  }

  getBucket(name: string): { bucket: BucketRecord; revision: number } | undefined {
    const bucket = this.buckets.get(name);
    return bucket === undefined ? undefined : { bucket: bucket.record, revision: bucket.revision };
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  getObject(bucket: string, key: string): VersionedObject | undefined {
    return this.buckets.get(bucket)?.objects.get(objectSortKey(key));
  }

  listObjects(bucket: string, options: ListObjectsOptions): VersionedObject[] {
    return listSortedObjects(this.buckets.get(bucket)?.objects, options);
  }

  bucketStats(bucket: string): { objectCount: number; sizeBytes: number; uploadCount: number } {
    const state = this.buckets.get(bucket);
    if (state === undefined) return { objectCount: 0, sizeBytes: 0, uploadCount: 0 };
    return { objectCount: state.objects.size, sizeBytes: state.sizeBytes, uploadCount: state.uploads.size };
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
    const parts = [...(this.buckets.get(bucket)?.uploads.get(uploadId)?.parts.values() ?? [])];
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  // --- writes --------------------------------------------------------------------------------

  /**
   * Why the mutation cannot apply now, or undefined if it can: its bucket or upload is gone (a
   * racing drop or abort), or it names a blob that is not `live` (released meanwhile).
   */
  refusal(mutation: ObjectMutation, live: (blobId: string) => boolean): { gone: "bucket" | "upload" | "blob"; message: string } | undefined {
    if (mutation.op === "bucket" || mutation.op === "drop-bucket") return undefined;
    const bucket = this.buckets.get(mutation.bucket);
    if (bucket === undefined) return { gone: "bucket", message: `no bucket named ${mutation.bucket}` };
    if (mutation.op === "part" && !bucket.uploads.has(mutation.uploadId)) return { gone: "upload", message: `no upload ${mutation.uploadId} in bucket ${mutation.bucket}` };
    for (const blob of blobsNamed(mutation)) {
      if (!live(blob.blobId)) return { gone: "blob", message: `blob ${blob.blobId} was released (its last record went) or never written` };
    }
    return undefined;
  }

  /** Where the entry is, if that is not where `expect` says (objects and buckets). */
  conflict(mutation: ObjectMutation, expect: Expectation | undefined): { revision: number | "absent" } | undefined {
    if (expect === undefined) return undefined;
    let revision: number | "absent";
    if (mutation.op === "bucket") revision = this.buckets.get(mutation.bucket.Name)?.revision ?? "absent";
    else if (mutation.op === "object" || mutation.op === "delete-object") revision = this.getObject(mutation.bucket, mutation.key)?.revision ?? "absent";
    else throw new AssertionFailure(`no compare-and-set for ${mutation.op}`);
    return revision === expect.expectedRevision ? undefined : { revision };
  }

  /**
   * Applies a mutation that `refusal` accepted; answers its revision and the blobs no record names
   * any more. The mutation's records are kept as they are (frozen): callers pass copies.
   */
  apply(mutation: ObjectMutation): { revision: number; released: string[] } {
    const revision = ++this.revision;
    const released: string[] = [];
    // New references first: a record replaced by one naming the same blobs keeps them.
    for (const blob of blobsNamed(mutation)) this.reference(blob.blobId);
    switch (mutation.op) {
      case "bucket": {
        const bucket = this.buckets.get(mutation.bucket.Name);
        if (bucket === undefined) {
          this.buckets.set(mutation.bucket.Name, { record: deepFreeze(mutation.bucket), revision, objects: new SortedKeys(), uploads: new Map(), sizeBytes: 0 });
          this.entries++;
        } else {
          bucket.record = deepFreeze(mutation.bucket);
          bucket.revision = revision;
        }
        break;
      }
      case "drop-bucket": {
        const bucket = this.buckets.get(mutation.name);
        if (bucket === undefined) break;
        this.buckets.delete(mutation.name);
        this.entries -= 1 + bucket.objects.size + bucket.uploads.size;
        for (const [, entry] of bucket.objects.from(undefined)) this.releaseRecord(entry.record, released);
        for (const upload of bucket.uploads.values()) this.releaseUpload(upload, released);
        break;
      }
      case "object": {
        const bucket = this.bucket(mutation.bucket);
        const record = deepFreeze(mutation.record);
        const previous = bucket.objects.set(objectSortKey(mutation.key), Object.freeze({ key: mutation.key, record, revision }));
        bucket.sizeBytes += record.sizeBytes;
        if (previous === undefined) this.entries++;
        else this.dropRecord(bucket, previous.record, released);
        break;
      }
      case "delete-object": {
        const bucket = this.buckets.get(mutation.bucket);
        const previous = bucket?.objects.delete(objectSortKey(mutation.key));
        if (bucket === undefined || previous === undefined) break;
        this.entries--;
        this.dropRecord(bucket, previous.record, released);
        break;
      }
      case "upload": {
        const uploads = this.bucket(mutation.bucket).uploads;
        // An upload recorded again keeps its parts.
        const previous = uploads.get(mutation.upload.uploadId);
        if (previous === undefined) this.entries++;
        uploads.set(mutation.upload.uploadId, { upload: deepFreeze(mutation.upload), parts: previous?.parts ?? new Map() });
        break;
      }
      case "part": {
        const parts = this.bucket(mutation.bucket).uploads.get(mutation.uploadId)!.parts;
        const previous = parts.get(mutation.part.partNumber);
        parts.set(mutation.part.partNumber, deepFreeze(mutation.part));
        if (previous === undefined) this.entries++;
        else this.release(previous.blob.blobId, released);
        break;
      }
      case "remove-upload": {
        const uploads = this.buckets.get(mutation.bucket)?.uploads;
        const upload = uploads?.get(mutation.uploadId);
        if (uploads === undefined || upload === undefined) break;
        uploads.delete(mutation.uploadId);
        this.entries--;
        this.releaseUpload(upload, released);
        break;
      }
    }
    return { revision, released };
  }

  /** Every entry as the mutation that recreates it: a compacted journal. */
  *snapshot(): Generator<ObjectMutation> {
    for (const [name, bucket] of this.buckets) {
      yield { op: "bucket", bucket: bucket.record };
      for (const [, entry] of bucket.objects.from(undefined)) yield { op: "object", bucket: name, key: entry.key, record: entry.record };
      for (const upload of bucket.uploads.values()) {
        yield { op: "upload", bucket: name, upload: upload.upload };
        for (const part of upload.parts.values()) yield { op: "part", bucket: name, uploadId: upload.upload.uploadId, part };
      }
    }
  }

  private bucket(name: string): BucketState {
    const bucket = this.buckets.get(name);
    assert(bucket !== undefined, `no bucket ${name}: refusal() must be asked first`);
    return bucket;
  }

  private dropRecord(bucket: BucketState, record: ObjectRecord, released: string[]): void {
    bucket.sizeBytes -= record.sizeBytes;
    this.releaseRecord(record, released);
  }

  private releaseRecord(record: ObjectRecord, released: string[]): void {
    for (const blob of record.blobs) this.release(blob.blobId, released);
  }

  private releaseUpload(upload: UploadState, released: string[]): void {
    for (const part of upload.parts.values()) {
      this.release(part.blob.blobId, released);
      this.entries--;
    }
  }

  private reference(blobId: string): void {
    this.references.set(blobId, (this.references.get(blobId) ?? 0) + 1);
  }

  private release(blobId: string, released: string[]): void {
    const count = this.references.get(blobId);
    assert(count !== undefined, `blob ${blobId} released more often than named`);
    if (count > 1) this.references.set(blobId, count - 1);
    else {
      this.references.delete(blobId);
      released.push(blobId);
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ListObjectsOptions {
  afterKey?: string;
  prefix?: string;
  limit: number;
}

/** ObjectStore.listObjects over a bucket's objects by sort key (every engine that keeps them in memory): in key order, after `afterKey`, under `prefix`. */
export function listSortedObjects(objects: SortedKeys<VersionedObject> | undefined, options: ListObjectsOptions): VersionedObject[] {
  const out: VersionedObject[] = [];
  if (objects === undefined || options.limit <= 0) return out;
  const prefix = options.prefix === undefined ? "" : objectSortKey(options.prefix);
  const after = options.afterKey === undefined ? undefined : objectSortKey(options.afterKey);
  // Start at whichever is later: just after `afterKey`, or at the prefix.
  const fromAfter = after !== undefined && after >= prefix;
  for (const [sortKey, entry] of objects.from(fromAfter ? after : prefix, !fromAfter)) {
    if (!sortKey.startsWith(prefix)) break;
    out.push(entry);
    if (out.length >= options.limit) break;
  }
  return out;
}
