/** A reference data source's S3 object (S3ReferenceDataSource: BucketARN arn:aws:s3:::bucket, FileKey), read whole through the ObjectClient. */
import type { ObjectClient } from "../../storage/object-client/object-client.js";
import type { StoredApplication, StoredReference } from "../model.js";
import { analyticsRuntimeLimits, type RunnerDeps } from "./runner-deps.js";

/** The service's bound on a reference object. */
export const referenceBytesMax = 1024 * 1024 * 1024;

export type ReferenceOutcome = { ok: true; data: Buffer } | { ok: false; message: string };

export async function loadReference(objects: ObjectClient, reference: StoredReference): Promise<ReferenceOutcome> {
  const { BucketARN, FileKey } = reference.S3ReferenceDataSource;
  const bucket = BucketARN.replace(/^arn:[^:]*:s3:::/, "");
  const got = await objects.getObject({ Bucket: bucket, Key: FileKey });
  if (!got.ok) return { ok: false, message: `Reading the reference data s3://${bucket}/${FileKey} of table ${reference.TableName} failed: ${got.code}: ${got.message}` };
  if (got.sizeBytes > referenceBytesMax) return { ok: false, message: `The reference data s3://${bucket}/${FileKey} is larger than ${referenceBytesMax} bytes.` };
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(chunk);
  return { ok: true, data: Buffer.concat(chunks) };
}

/**
 * Loads every reference table of the application once, handing each object to `deliver`; one that
 * cannot be read is logged and tried again every `referenceRetryMs` in the background until it can
 * be or the application stops.
 */
export async function loadReferences(deps: RunnerDeps, application: StoredApplication, deliver: (table: string, data: Buffer) => void, stopped: () => boolean): Promise<void> {
  for (const reference of application.references) {
    const loaded = await loadReference(deps.objectClient, reference);
    if (loaded.ok) deliver(reference.TableName, loaded.data);
    else void retry(deps, application, reference, loaded.message, deliver, stopped);
  }
}

async function retry(deps: RunnerDeps, application: StoredApplication, reference: StoredReference, message: string, deliver: (table: string, data: Buffer) => void, stopped: () => boolean): Promise<void> {
  deps.logger.warn({ application: application.ApplicationName }, message);
  while (!stopped()) {
    try {
      await deps.clock.sleep(analyticsRuntimeLimits.referenceRetryMs, { unref: true });
    } catch {
      return;
    }
    if (stopped()) return;
    const loaded = await loadReference(deps.objectClient, reference);
    if (loaded.ok) {
      if (!stopped()) deliver(reference.TableName, loaded.data);
      return;
    }
  }
}
