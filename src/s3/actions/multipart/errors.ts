/**
 * The errors of the multipart, DeleteObjects and bucket-policy actions that the service's catalog
 * (src/s3/errors.ts) does not hold, in the same style: S3's codes, statuses, messages and the extra
 * elements S3 puts in the <Error>. Messages as AWS's error list and s3rver/moto give them.
 */
import { S3Error } from "../../s3-error.js";

export const moreErrors = {
  missingContentMd5: () => new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*", 400),
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      404,
      { UploadId: uploadId },
    ),
  invalidPart: (uploadId: string, partNumber: number, etag: string) =>
    new S3Error(
      "InvalidPart",
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
      { UploadId: uploadId, PartNumber: String(partNumber), ETag: etag },
    ),
  invalidPartOrder: (uploadId: string) =>
    new S3Error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400, { UploadId: uploadId }),
  entityTooSmall: (proposedSizeBytes: number, minSizeBytes: number, partNumber: number, etag: string) =>
    new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400, {
      ProposedSize: String(proposedSizeBytes),
      MinSizeAllowed: String(minSizeBytes),
      PartNumber: String(partNumber),
      ETag: etag,
    }),
  noSuchBucketPolicy: (bucket: string) => new S3Error("NoSuchBucketPolicy", "The bucket policy does not exist", 404, { BucketName: bucket }),
  malformedPolicy: (message: string) => new S3Error("MalformedPolicy", message, 400),
};
