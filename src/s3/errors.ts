/**
 * The S3 service's error catalog: S3's codes, statuses, messages and the extra elements S3 puts
 * between Message and RequestId. Authentication and payload-integrity errors are the
 * authenticator's (src/s3/auth/errors.ts). Messages are AWS's as documented in the S3 API
 * reference's error list ("Error responses"), checked against s3rver (lib/controllers, which was
 * written against AWS) and moto (moto/s3/exceptions.py); where they disagree, AWS's documented text wins.
 */
import { S3Error } from "./s3-error.js";

export const s3Errors = {
  noSuchBucket: (bucket: string) => new S3Error("NoSuchBucket", "The specified bucket does not exist", 404, { BucketName: bucket }),
  noSuchKey: (key: string) => new S3Error("NoSuchKey", "The specified key does not exist.", 404, { Key: key }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new S3Error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409, { BucketName: bucket }),
  bucketAlreadyExists: (bucket: string) =>
    new S3Error(
      "BucketAlreadyExists",
      "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
      409,
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) => new S3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, { BucketName: bucket }),
  invalidBucketName: (bucket: string) => new S3Error("InvalidBucketName", "The specified bucket is not valid.", 400, { BucketName: bucket }),
  invalidLocationConstraint: (constraint: string) =>
    new S3Error("InvalidLocationConstraint", "The specified location-constraint is not valid", 400, { LocationConstraint: constraint }),
  /** A bucket asked for in another region than this endpoint's (an empty constraint is us-east-1, S3's "unspecified"). */
  illegalLocationConstraint: (constraint: string) =>
    new S3Error(
      "IllegalLocationConstraintException",
      `The ${constraint === "" ? "unspecified" : constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    ),
  keyTooLong: (sizeBytes: number) => new S3Error("KeyTooLongError", "Your key is too long", 400, { Size: String(sizeBytes), MaxSizeAllowed: "1024" }),
  invalidUri: () => new S3Error("InvalidURI", "Couldn't parse the specified URI.", 400),
  entityTooLarge: (proposedBytes: number, maxBytes: number) =>
    new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400, {
      ProposedSize: String(proposedBytes),
      MaxSizeAllowed: String(maxBytes),
    }),
  missingContentLength: () => new S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.", 411),
  metadataTooLarge: (sizeBytes: number) =>
    new S3Error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size", 400, {
      Size: String(sizeBytes),
      MaxSizeAllowed: String(userMetadataBytesMax),
    }),
  invalidRange: (rangeRequested: string, actualObjectSize: number) =>
    new S3Error("InvalidRange", "The requested range is not satisfiable", 416, { RangeRequested: rangeRequested, ActualObjectSize: String(actualObjectSize) }),
  invalidPartNumber: (partNumber: number, partCount: number) =>
    new S3Error("InvalidPartNumber", "The requested partnumber is not satisfiable", 416, {
      PartNumberRequested: String(partNumber),
      ActualPartCount: String(partCount),
    }),
  /** `Condition` names the header that failed: If-Match, If-Unmodified-Since, x-amz-copy-source-If-Match… */
  preconditionFailed: (condition: string) =>
    new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { Condition: condition }),
  invalidArgument: (message: string, name: string, value?: string) =>
    new S3Error("InvalidArgument", message, 400, { ArgumentName: name, ...(value !== undefined && { ArgumentValue: value }) }),
  invalidRequest: (message: string) => new S3Error("InvalidRequest", message, 400),
  copyOntoItself: () =>
    new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      400,
    ),
  malformedXml: () =>
    new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400),
  /** More than 10 tags: S3 answers BadRequest here, not InvalidTag (moto and AWS answers quoted in terraform-provider-aws issues agree). */
  tooManyTags: () => new S3Error("BadRequest", "Object tags cannot be greater than 10", 400),
  invalidTag: (message: string) => new S3Error("InvalidTag", message, 400),
  methodNotAllowed: (method: string, resourceType: "SERVICE" | "BUCKET" | "OBJECT") =>
    new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, { Method: method, ResourceType: resourceType }),
  notImplemented: (header?: string) =>
    new S3Error("NotImplemented", "A header you provided implies functionality that is not implemented", 501, header === undefined ? {} : { Header: header }),
  operationAborted: () => new S3Error("OperationAborted", "A conflicting conditional operation is currently in progress against this resource. Please try again.", 409),
  internalError: () => new S3Error("InternalError", "We encountered an internal error. Please try again.", 500),
  /** The storage engine failed (disk full, closed): S3's retryable 503. */
  serviceUnavailable: () => new S3Error("ServiceUnavailable", "Please reduce your request rate.", 503),
  // Multipart uploads, DeleteObjects and bucket policies.
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

/**
 * S3's limit on a PUT's user-defined metadata: "the sum of the number of bytes in the UTF-8 encoding
 * of each key and value" (S3 User Guide, "Working with object metadata"); keys counted without `x-amz-meta-`.
 */
export const userMetadataBytesMax = 2 * 1024;
