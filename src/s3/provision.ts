/**
 * The S3 service's section of the init document (`--init`, docs/testing.md): "buckets", each
 * entry a CreateBucket request (`{"Bucket": "reference-data"}`), created in the `--account-id`
 * account and the server's region. Idempotent: a bucket the account owns is kept (a restart with
 * the same file neither fails nor empties it); a name another account holds stops the start with
 * S3's BucketAlreadyExists, and an invalid name with InvalidBucketName, both named by entry.
 * Buckets are usable as soon as they are created, so nothing is waited for.
 */
import { InitError, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";
import type { S3Context } from "./action.js";
import { isValidBucketName } from "./bucket-names.js";
import { s3Errors } from "./errors.js";
import type { S3Error } from "./s3-error.js";

export const bucketsProvisioning: ServiceProvisioning<unknown, { context: S3Context }> = {
  section: "buckets",
  entryKind: "CreateBucket request",
  settleMs: () => 0,
  apply: (entries, instance, context) => provisionBuckets(entries, instance.context, context),
};

async function provisionBuckets(entries: readonly ProvisionEntry[], s3: S3Context, context: ProvisionContext): Promise<Record<string, number>> {
  const summary = { bucketsCreated: 0, bucketsExisting: 0 };
  for (const [index, entry] of entries.entries()) {
    const where = `buckets[${index}] (CreateBucket)`;
    const name = entry.Bucket;
    if (typeof name !== "string") throw new InitError(`${where}: "Bucket" must be a bucket name (a string)`);
    if (!isValidBucketName(name)) throw initError(where, s3Errors.invalidBucketName(name));
    const outcome = await s3.store.createBucket({ Name: name, accountId: context.accountId, region: s3.region, createdAtMs: s3.clock.nowMs(), settings: {} });
    if (outcome.ok) {
      summary.bucketsCreated++;
      continue;
    }
    if (!("exists" in outcome)) throw new InitError(`${where}: the bucket could not be stored: ${outcome.failure.message}`);
    if (outcome.accountId !== context.accountId) throw initError(where, s3Errors.bucketAlreadyExists(name));
    summary.bucketsExisting++;
  }
  return summary;
}

function initError(where: string, error: S3Error): InitError {
  return new InitError(`${where}: ${error.code}: ${error.message}`);
}
