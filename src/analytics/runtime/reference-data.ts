/** A reference data source's S3 object (S3ReferenceDataSource: BucketARN arn:aws:s3:::bucket, FileKey), read whole through the ObjectClient. */
import type { ObjectClient } from "../../storage/object-client/object-client.js";
import type { StoredReference } from "../model.js";

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
