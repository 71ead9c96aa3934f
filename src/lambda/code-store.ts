/**
 * Deployment packages and layer archives, kept as objects of the storage engine's ObjectStore in
 * an internal bucket no user can see or name: `_tributary-lambda-code` is not a valid S3 bucket
 * name (S3's router refuses a leading underscore) and it belongs to the account
 * `tributary-internal`, which no caller is (ListBuckets shows a caller only its own buckets).
 * Objects are keyed by the caller's account and the zip's SHA-256, so identical code is stored
 * once per account and a CodeRef stays valid for as long as the object exists. Zips are small
 * (50 MB at most), so they are written and read whole.
 *
 * **Collection.** A zip is removed once no record names it: no function's `$LATEST`, published
 * version or attached layer, and no layer version (`collect`, called after the records that named
 * it were changed or deleted: DeleteFunction, UpdateFunctionCode, UpdateFunctionConfiguration,
 * DeleteLayerVersion). New references appear only through requests that first `pin` the zip (a
 * CodeLease: putZip, or a layer being attached) and release the pin after committing the record
 * that names it; PublishVersion copies a reference `$LATEST` already holds. So `collect` scans the
 * account's records, then — under a short lock that putZip's "is it already stored?" check also
 * takes — deletes only a zip no pin holds; a pinned one is collected again when its last pin is
 * released. Records are changed before zips are deleted: a crash in between leaks a zip, never
 * loses one.
 *
 * **Across nodes.** Pins are in this process, so each pin also leaves a mark in storage: the zip's
 * object carries, per node, when that node last pinned it (`meta.pinnedMs`, written before the
 * pin is used, by a compare-and-set; refreshed when older than a third of the grace period). A
 * collection deletes a zip only if, besides being unreferenced and unpinned here, every other
 * node's mark is older than `codePinGraceMs` before its reference scan began, and only by a
 * compare-and-set on the revision it judged (a pin marked meanwhile makes the deletion a
 * conflict, and a pin that meets the deletion writes the zip again). So a zip is lost only if a
 * request held its pin for over two thirds of the grace period (ten minutes) before committing the
 * record naming it — far longer than any request runs — or the nodes' clocks disagree by that
 * much. A zip another node marked recently is collected again once its mark is that old (a timer
 * here; a node stopped before leaks it, as a crash does). One node alone marks only for itself and
 * collects at once, as before.
 */
import { createHash } from "node:crypto";
import type { ObjectStore, VersionedObject } from "../storage/types.js";
import type { Clock, Timer } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { systemRandom } from "../util/random.js";
import { randomUUIDFrom } from "../util/uuid.js";
import type { CodeRef, CodeStore } from "./model.js";

export const codeBucketName = "_tributary-lambda-code";
export const codeBucketAccountId = "tributary-internal";

/** How long another node's pin mark keeps a zip from collection: far past any request holding a pin. */
export const codePinGraceMs = 15 * 60_000;
/** A node's mark younger than this is not written again (two thirds of the grace period stay as margin). */
const pinMarkRefreshMs = codePinGraceMs / 3;
/** Attempts at marking a zip against concurrent writers of its object before giving up. */
const markAttemptsMax = 20;

/** Node id → when that node last pinned the zip (its clock). */
type PinMarks = Readonly<Record<string, number>>;

/** The object keys of the zips an account's records name (functions, versions, their layers, layer versions). */
export type CodeReferences = (accountId: string) => Promise<ReadonlySet<string>>;

/** The zips one request pinned: released (in a finally) once the record naming them is committed, or the request failed. */
export interface CodeLease {
  readonly accountId: string;
  readonly objectKeys: string[];
  release(): void;
}

export class ObjectCodeStore implements CodeStore {
  /** Object key → pins held by requests between storing (or attaching) a zip and committing the record naming it. */
  private readonly pins = new Map<string, number>();
  /** Zips a collection found unreferenced but pinned: collected again when the last pin goes. */
  private readonly deferred = new Map<string, string>();
  /** Zips another node marked recently: collected again when the mark is old enough (object key → timer). */
  private readonly retries = new Map<string, Timer>();
  /** Orders putZip's existence check against collect's pin check and deletion. */
  private lockTail: Promise<void> = Promise.resolve();

  /** `nodeId`: this store's name in the zips' pin marks, unique per process (random unless a test names it). */
  constructor(
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly references: CodeReferences,
    private readonly logger: Logger,
    private readonly nodeId: string = randomUUIDFrom(systemRandom),
  ) {}

  private async locked<T>(run: () => Promise<T>): Promise<T> {
    const previous = this.lockTail;
    let unlock!: () => void;
    this.lockTail = new Promise((resolve) => (unlock = resolve));
    await previous;
    try {
      return await run();
    } finally {
      unlock();
    }
  }

  lease(accountId: string): CodeLease {
    const objectKeys: string[] = [];
    let released = false;
    return {
      accountId,
      objectKeys,
      release: () => {
        if (released) return;
        released = true;
        for (const key of objectKeys) this.unpin(key);
      },
    };
  }

  /**
   * Runs a request that may store or attach zips under a lease released when it ends; if it
   * fails, what it stored and no record names is collected.
   */
  async withLease<T>(accountId: string, run: (lease: CodeLease) => Promise<T>): Promise<T> {
    const lease = this.lease(accountId);
    try {
      return await run(lease);
    } catch (error) {
      lease.release();
      await this.collect(accountId, lease.objectKeys).catch((failure: unknown) => this.logger.warn({ err: failure }, "deployment packages could not be collected"));
      throw error;
    } finally {
      lease.release();
    }
  }

  private pin(lease: CodeLease, objectKey: string): void {
    this.pins.set(objectKey, (this.pins.get(objectKey) ?? 0) + 1);
    lease.objectKeys.push(objectKey);
  }

  private unpin(objectKey: string): void {
    const left = (this.pins.get(objectKey) ?? 1) - 1;
    if (left > 0) {
      this.pins.set(objectKey, left);
      return;
    }
    this.pins.delete(objectKey);
    const accountId = this.deferred.get(objectKey);
    if (accountId === undefined) return;
    this.deferred.delete(objectKey);
    this.collect(accountId, [objectKey]).catch((error: unknown) => this.logger.warn({ err: error, objectKey }, "a deployment package could not be collected"));
  }

  /** Pins a stored zip (a layer being attached) if it still exists; false if it is gone. */
  async pinExisting(lease: CodeLease, code: CodeRef): Promise<boolean> {
    this.pin(lease, code.objectKey);
    return (await this.locked(() => this.mark(code.objectKey))) === "marked";
  }

  /**
   * Leaves this node's pin mark on a stored zip (a compare-and-set, retried against concurrent
   * writers); "absent" when the zip is not stored.
   */
  private async mark(objectKey: string): Promise<"marked" | "absent"> {
    for (let attempt = 0; attempt < markAttemptsMax; attempt++) {
      const stored = await this.objects.getObject(codeBucketName, objectKey);
      if (stored === undefined) return "absent";
      const nowMs = this.clock.nowMs();
      const marks = pinMarksOf(stored);
      if (nowMs - (marks[this.nodeId] ?? Number.NEGATIVE_INFINITY) < pinMarkRefreshMs) return "marked";
      const record = { ...stored.record, meta: { ...stored.record.meta, pinnedMs: this.marksWithOwn(marks, nowMs) } };
      const outcome = await this.objects.putObject(codeBucketName, objectKey, record, { expectedRevision: stored.revision });
      if (outcome.ok) return "marked";
      if ("failure" in outcome) throw new Error(`cannot pin a deployment package: ${outcome.failure.message}`, { cause: outcome.failure.cause });
    }
    throw new Error(`cannot pin the deployment package ${objectKey}: its object kept changing`);
  }

  /** The marks with this node's set to now, dropping those too old to hold anything. */
  private marksWithOwn(marks: PinMarks, nowMs: number): PinMarks {
    const kept = Object.entries(marks).filter(([node, markedMs]) => node !== this.nodeId && nowMs - markedMs < codePinGraceMs);
    return Object.fromEntries([...kept, [this.nodeId, nowMs]]);
  }

  /** When another node's newest mark lets the zip go (it held none since `scanStartedMs - codePinGraceMs`), or undefined if none holds it. */
  private heldByOthersUntilMs(stored: VersionedObject, scanStartedMs: number): number | undefined {
    let newestMs: number | undefined;
    for (const [node, markedMs] of Object.entries(pinMarksOf(stored))) {
      if (node === this.nodeId || markedMs <= scanStartedMs - codePinGraceMs) continue;
      newestMs = Math.max(newestMs ?? markedMs, markedMs);
    }
    return newestMs === undefined ? undefined : newestMs + codePinGraceMs;
  }

  /** Collects `objectKey` again once the marks that held it are old enough (one timer per zip). */
  private retryLater(accountId: string, objectKey: string, untilMs: number): void {
    if (this.retries.has(objectKey)) return;
    const delayMs = Math.max(0, untilMs - this.clock.nowMs()) + 1;
    const timer = this.clock.setTimeout(
      () => {
        this.retries.delete(objectKey);
        this.collect(accountId, [objectKey]).catch((error: unknown) => this.logger.warn({ err: error, objectKey }, "a deployment package could not be collected"));
      },
      delayMs,
      { unref: true },
    );
    this.retries.set(objectKey, timer);
  }

  /**
   * Removes the zips of `objectKeys` that no record of the account names and no request holds
   * (here, or through another node within the grace period). Never throws for a zip it cannot
   * delete (it stays: a leak, not a loss).
   */
  async collect(accountId: string, objectKeys: Iterable<string>): Promise<void> {
    const candidates = [...new Set(objectKeys)];
    if (candidates.length === 0) return;
    // Before the scan: a record the scan misses was committed after it began, by a request whose mark is younger than this.
    const scanStartedMs = this.clock.nowMs();
    const referenced = await this.references(accountId);
    const unreferenced = candidates.filter((key) => !referenced.has(key));
    if (unreferenced.length === 0) return;
    await this.locked(async () => {
      for (const key of unreferenced) {
        if (this.pins.has(key)) {
          this.deferred.set(key, accountId);
          continue;
        }
        const stored = await this.objects.getObject(codeBucketName, key);
        if (stored === undefined) continue;
        const heldUntilMs = this.heldByOthersUntilMs(stored, scanStartedMs);
        if (heldUntilMs !== undefined) {
          this.retryLater(accountId, key, heldUntilMs);
          continue;
        }
        // On the revision judged: a pin marked meanwhile (another node's) makes this a conflict, and the zip stays.
        const outcome = await this.objects.deleteObject(codeBucketName, key, { expectedRevision: stored.revision });
        if (!outcome.ok && "failure" in outcome) this.logger.warn({ objectKey: key, err: outcome.failure }, "a deployment package could not be deleted");
      }
    });
  }

  /** Creates the internal bucket if missing (at start, and after a reset dropped it). */
  async open(): Promise<void> {
    if ((await this.objects.getBucket(codeBucketName)) !== undefined) return;
    const outcome = await this.objects.createBucket({ Name: codeBucketName, accountId: codeBucketAccountId, region: this.region, createdAtMs: this.clock.nowMs(), settings: {} });
    if (!outcome.ok && !("exists" in outcome)) throw new Error(`cannot create the Lambda code bucket: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  /**
   * Stores `zip` for the lease's account and answers its CodeRef (CodeSha256 is base64 of its
   * SHA-256), pinned by the lease until it is released.
   */
  async putZip(lease: CodeLease, zip: Buffer): Promise<CodeRef> {
    const digest = createHash("sha256").update(zip).digest();
    const objectKey = `${lease.accountId}/${digest.toString("hex")}.zip`;
    const code: CodeRef = { objectKey, sha256Base64: digest.toString("base64"), sizeBytes: zip.length };
    // Pinned before the check: a collection that has not deleted it yet will not; one that is
    // deleting it finishes first (the lock), and the zip is then written again. Another node's
    // collection sees the mark, or its deletion meets it as a conflict.
    this.pin(lease, objectKey);
    for (let attempt = 0; attempt < markAttemptsMax; attempt++) {
      if ((await this.locked(() => this.mark(objectKey))) === "marked") return code;
      if (await this.writeZip(objectKey, zip)) return code;
    }
    throw new Error(`cannot store the deployment package ${objectKey}: its object kept changing`);
  }

  /** Stores the zip, marked by this node, if it is still absent; false if another writer stored it first. */
  private async writeZip(objectKey: string, zip: Buffer): Promise<boolean> {
    const blob = await this.objects.writeBlob(oneChunk(zip), { sizeBytesHint: zip.length });
    if (!blob.ok) throw new Error(`cannot store a deployment package: ${blob.failure.message}`, { cause: blob.failure.cause });
    const md5 = createHash("md5").update(zip).digest("hex");
    const nowMs = this.clock.nowMs();
    const written = await this.objects.putObject(
      codeBucketName,
      objectKey,
      { blobs: [blob.blob], sizeBytes: zip.length, lastModifiedMs: nowMs, meta: { ETag: `"${md5}"`, ContentType: "application/zip", pinnedMs: { [this.nodeId]: nowMs } } },
      { expectedRevision: "absent" },
    );
    if (written.ok) return true;
    await this.objects.discardBlob(blob.blob);
    if ("failure" in written) throw new Error(`cannot store a deployment package: ${written.failure.message}`, { cause: written.failure.cause });
    return false;
  }

  async readZip(code: CodeRef): Promise<Buffer> {
    const stored = await this.objects.getObject(codeBucketName, code.objectKey);
    if (stored === undefined) throw new Error(`the deployment package ${code.objectKey} is missing from the code bucket`);
    const chunks: Buffer[] = [];
    for (const blob of stored.record.blobs) {
      for await (const chunk of this.objects.readBlob(blob)) chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}

function pinMarksOf(stored: VersionedObject): PinMarks {
  const marks = stored.record.meta.pinnedMs;
  return typeof marks === "object" && marks !== null ? (marks as PinMarks) : {};
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}
