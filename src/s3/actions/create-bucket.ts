/**
 * CreateBucket: a valid name (InvalidBucketName), the optional CreateBucketConfiguration's
 * LocationConstraint, which must be this server's region (none, or empty, means us-east-1, which
 * S3 refuses by name: InvalidLocationConstraint), then the creation: a name taken by the caller's
 * own account is BucketAlreadyOwnedByYou, by another's BucketAlreadyExists (both 409) — except that
 * in us-east-1 S3 answers a re-creation of an own bucket with 200 OK "for legacy compatibility"
 * (CreateBucket's reference, BucketAlreadyOwnedByYou), and so does this server.
 */
import type { S3Action } from "../action.js";
import { isValidBucketName } from "../bucket-names.js";
import { s3Errors } from "../errors.js";
import { emptyResponse } from "../responses.js";
import { elementOf, readXmlBody, textOf } from "../xml.js";
import { storageError } from "./common.js";

/** A CreateBucketConfiguration is a few hundred bytes; S3 reads no more than this. */
const configurationBytesMax = 64 * 1024;
const usEast1 = "us-east-1";

export const createBucket: S3Action = async (context, request) => {
  const name = request.bucket!;
  if (!isValidBucketName(name)) throw s3Errors.invalidBucketName(name);
  const document = await readXmlBody(request, configurationBytesMax);
  let constraint = "";
  if (document !== undefined) {
    const configuration = elementOf(document["CreateBucketConfiguration"]);
    if (configuration === undefined) throw s3Errors.malformedXml();
    const value = configuration["LocationConstraint"];
    if (value !== undefined) {
      const text = textOf(value);
      if (text === undefined) throw s3Errors.malformedXml();
      constraint = text;
    }
  }
  if (constraint === usEast1) throw s3Errors.invalidLocationConstraint(constraint);
  const region = constraint === "" ? usEast1 : constraint;
  if (region !== context.region) throw s3Errors.illegalLocationConstraint(constraint);
  const outcome = await context.store.createBucket({ Name: name, accountId: request.principal.accountId, region, createdAtMs: context.clock.nowMs(), settings: {} });
  if (!outcome.ok) {
    if ("exists" in outcome) {
      if (outcome.accountId !== request.principal.accountId) throw s3Errors.bucketAlreadyExists(name);
      if (region !== usEast1) throw s3Errors.bucketAlreadyOwnedByYou(name);
    } else throw storageError(context, outcome.failure);
  }
  return emptyResponse(200, { location: `/${name}` });
};

