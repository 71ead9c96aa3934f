/**
 * Which S3 action a request is: from its method, whether it names a bucket and a key, the query's
 * subresources (`?tagging`, `?uploads`, `?uploadId=`…) and `x-amz-copy-source`, as S3's REST API
 * reference lays the operations out. A subresource S3 has and this server does not (`?acl`,
 * `?versioning`…) is "unsupported" (501 NotImplemented); a method S3 does not allow is MethodNotAllowed.
 */
import type { S3ActionName } from "./action.js";

export type ActionNaming =
  | { kind: "action"; name: S3ActionName }
  | { kind: "unsupported"; subresource: string }
  | { kind: "method-not-allowed"; resourceType: "SERVICE" | "BUCKET" | "OBJECT" };

/** S3's subresources this server does not serve (REST API reference, the bucket and object operations). */
const unsupportedSubresources = [
  "accelerate", "acl", "analytics", "attributes", "cors", "encryption", "intelligent-tiering", "inventory", "legal-hold",
  "lifecycle", "logging", "metadataConfiguration", "metadataTable", "metrics", "notification", "object-lock", "ownershipControls",
  "policyStatus", "publicAccessBlock", "renameObject", "replication", "requestPayment", "restore", "retention", "select",
  "session", "torrent", "versioning", "versions", "website",
];

const action = (name: S3ActionName): ActionNaming => ({ kind: "action", name });

export function nameAction(method: string, bucket: string | undefined, key: string | undefined, query: ReadonlyMap<string, string>, copySource: boolean): ActionNaming {
  const unsupported = query.size === 0 ? undefined : unsupportedSubresources.find((name) => query.has(name));
  if (bucket === undefined) return method === "GET" ? action("ListBuckets") : { kind: "method-not-allowed", resourceType: "SERVICE" };
  if (unsupported !== undefined) return { kind: "unsupported", subresource: unsupported };
  return key === undefined ? bucketAction(method, query) : objectAction(method, query, copySource);
}

function bucketAction(method: string, query: ReadonlyMap<string, string>): ActionNaming {
  // Bucket tagging is not served (object tagging is).
  if (query.has("tagging")) return { kind: "unsupported", subresource: "tagging" };
  switch (method) {
    case "GET":
      if (query.has("location")) return action("GetBucketLocation");
      if (query.has("policy")) return action("GetBucketPolicy");
      if (query.has("uploads")) return action("ListMultipartUploads");
      return action(query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects");
    case "HEAD":
      return action("HeadBucket");
    case "PUT":
      return action(query.has("policy") ? "PutBucketPolicy" : "CreateBucket");
    case "DELETE":
      return action(query.has("policy") ? "DeleteBucketPolicy" : "DeleteBucket");
    case "POST":
      if (query.has("delete")) return action("DeleteObjects");
      return { kind: "method-not-allowed", resourceType: "BUCKET" };
    default:
      return { kind: "method-not-allowed", resourceType: "BUCKET" };
  }
}

function objectAction(method: string, query: ReadonlyMap<string, string>, copySource: boolean): ActionNaming {
  switch (method) {
    case "GET":
      if (query.has("tagging")) return action("GetObjectTagging");
      if (query.has("uploadId")) return action("ListParts");
      return action("GetObject");
    case "HEAD":
      return action("HeadObject");
    case "PUT":
      if (query.has("tagging")) return action("PutObjectTagging");
      if (query.has("uploadId") || query.has("partNumber")) return action(copySource ? "UploadPartCopy" : "UploadPart");
      return action(copySource ? "CopyObject" : "PutObject");
    case "DELETE":
      if (query.has("tagging")) return action("DeleteObjectTagging");
      if (query.has("uploadId")) return action("AbortMultipartUpload");
      return action("DeleteObject");
    case "POST":
      if (query.has("uploads")) return action("CreateMultipartUpload");
      if (query.has("uploadId")) return action("CompleteMultipartUpload");
      return { kind: "method-not-allowed", resourceType: "OBJECT" };
    default:
      return { kind: "method-not-allowed", resourceType: "OBJECT" };
  }
}
