/**
 * ListBuckets: the caller's account's buckets, by name, with S3's optional `prefix`,
 * `max-buckets` and `continuation-token` (the last name of the page before).
 */
import { createHash } from "node:crypto";
import type { S3Action } from "../action.js";
import { s3Errors } from "../errors.js";
import { isoDate } from "../headers.js";
import { xmlResponse } from "../responses.js";
import { xmlDocument } from "../xml.js";

/** S3's largest page of ListBuckets. */
export const listBucketsPageMax = 10000;

/** A stable canonical user id for an account: 64 hex digits, as S3's look. */
export function canonicalUserId(accountId: string): string {
  return createHash("sha256").update(`tributary-owner:${accountId}`).digest("hex");
}

export const listBuckets: S3Action = async (context, request) => {
  const prefix = request.query.get("prefix") ?? "";
  const maxText = request.query.get("max-buckets");
  let max = listBucketsPageMax;
  if (maxText !== undefined) {
    max = /^\d+$/.test(maxText) ? Number(maxText) : NaN;
    if (!(max >= 1 && max <= listBucketsPageMax)) throw s3Errors.invalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", maxText);
  }
  const after = request.query.get("continuation-token");
  const owned = (await context.store.listBuckets()).filter(
    (bucket) => bucket.accountId === request.principal.accountId && bucket.Name.startsWith(prefix) && (after === undefined || bucket.Name > after),
  );
  const page = owned.slice(0, max);
  const more = owned.length > page.length;
  const body = xmlDocument("ListAllMyBucketsResult", {
    // Owner first, as S3's sample answers have it.
    Owner: { ID: canonicalUserId(request.principal.accountId) },
    Buckets: { Bucket: page.map((bucket) => ({ Name: bucket.Name, CreationDate: isoDate(bucket.createdAtMs), BucketRegion: bucket.region })) },
    ContinuationToken: more ? page[page.length - 1]!.Name : undefined,
    Prefix: request.query.has("prefix") ? prefix : undefined,
  });
  return xmlResponse(body);
};
