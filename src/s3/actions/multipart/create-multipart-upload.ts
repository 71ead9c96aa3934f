/**
 * CreateMultipartUpload (`POST /bucket/key?uploads`): records the object's headers for the
 * completion and answers an UploadId — 32 random bytes in base64url, so ids cannot be guessed
 * from one another. `x-amz-checksum-algorithm` (and `x-amz-checksum-type`, COMPOSITE or
 * FULL_OBJECT as the algorithm allows) makes every part carry that checksum and the object a
 * checksum of its parts'.
 */
import type { S3Action } from "../../action.js";
import { multipartChecksumTypes, parseChecksumAlgorithm, type ChecksumAlgorithm, type ChecksumType } from "../../checksums/index.js";
import { s3Errors } from "../../errors.js";
import { headerOf } from "../../headers.js";
import { storedHeadersOf } from "../../object-headers.js";
import { xmlResponse } from "../../responses.js";
import { xmlDocument } from "../../xml.js";
import { requireBucket, requestKey, storageError } from "../common.js";
import type { UploadMeta } from "./uploads.js";

const uploadIdBytes = 32;

/** The upload's checksum choice from its headers, or an InvalidRequest in S3's words. */
export function uploadChecksumOf(algorithmText: string | undefined, typeText: string | undefined): { algorithm?: ChecksumAlgorithm; type?: ChecksumType } {
  if (algorithmText === undefined) {
    if (typeText !== undefined) throw s3Errors.invalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    return {};
  }
  const algorithm = parseChecksumAlgorithm(algorithmText);
  if (algorithm === undefined) throw s3Errors.invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
  const allowed = multipartChecksumTypes[algorithm];
  if (typeText === undefined) return { algorithm, type: allowed[0]! };
  const type = typeText.trim().toUpperCase();
  if (type !== "COMPOSITE" && type !== "FULL_OBJECT") throw s3Errors.invalidRequest("Value for x-amz-checksum-type header is invalid.");
  if (!allowed.includes(type)) {
    throw s3Errors.invalidRequest(`The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  return { algorithm, type };
}

export const createMultipartUpload: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  const key = requestKey(request);
  const checksum = uploadChecksumOf(headerOf(request.head, "x-amz-checksum-algorithm"), headerOf(request.head, "x-amz-checksum-type"));
  const meta: UploadMeta = {
    ...storedHeadersOf(request.head),
    ...(checksum.algorithm && { ChecksumAlgorithm: checksum.algorithm }),
    ...(checksum.type && { ChecksumType: checksum.type }),
    InitiatorArn: request.principal.arn,
    OwnerAccountId: bucket.accountId,
  };
  const uploadId = context.random.bytes(uploadIdBytes).toString("base64url");
  const outcome = await context.store.createUpload(bucket.Name, { uploadId, key, initiatedMs: context.clock.nowMs(), meta: { ...meta } });
  if (!outcome.ok) throw storageError(context, outcome.failure, bucket.Name);
  const headers: Record<string, string> = {};
  if (checksum.algorithm) headers["x-amz-checksum-algorithm"] = checksum.algorithm;
  if (checksum.type) headers["x-amz-checksum-type"] = checksum.type;
  return xmlResponse(xmlDocument("InitiateMultipartUploadResult", { Bucket: bucket.Name, Key: key, UploadId: uploadId }), 200, headers);
};
