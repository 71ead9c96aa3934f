/**
 * CompleteMultipartUpload (`POST /bucket/key?uploadId=…`), with the parts to keep:
 *
 *   <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag>[<ChecksumCRC32>…</ChecksumCRC32>]</Part>…</CompleteMultipartUpload>
 *
 * Checked as S3 checks it: well-formed with at least one part (MalformedXML), part numbers
 * ascending (InvalidPartOrder), each part uploaded with that ETag (InvalidPart), every part but the
 * last at least partBytesMin (EntityTooSmall), and for an upload with a checksum algorithm each
 * part's checksum given and equal. The object's record then names the kept parts' blobs in order —
 * no byte is copied — and the upload is removed (releasing the parts not kept). The ETag is
 * `"<md5 of the parts' binary MD5s>-<N>"`; the checksum COMPOSITE (`<base64>-N`) or FULL_OBJECT.
 */
import type { S3Action } from "../../action.js";
import { compositeChecksum, fullObjectChecksum, checksumHeaderName, type ChecksumAlgorithm } from "../../checksums/index.js";
import { s3Errors } from "../../errors.js";
import { headerOf } from "../../headers.js";
import type { ObjectMeta } from "../../../storage/objects/object-meta.js";
import { xmlResponse } from "../../responses.js";
import { elementOf, readXmlBody, textOf, type XmlObject, type XmlValue } from "../../xml.js";
import type { ObjectRecord, PartRecord } from "../../../storage/types.js";
import { storageError } from "../common.js";
import { xmlDocument } from "../../xml.js";
import { checksumElementName, multipartEtag, partMetaOf, partNumberMax, quotedEtag, requireUpload, uploadMetaOf, type UploadMeta } from "./uploads.js";

/** 10,000 parts with their ETags and checksums, and markup. */
const completeBodyBytesMax = 4 * 1024 * 1024;

export interface CompletedPart {
  PartNumber: number;
  ETag: string;
  /** By algorithm, the checksums the request gives for the part. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

const checksumFields: readonly [string, ChecksumAlgorithm][] = (["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const).map((algorithm) => [
  checksumElementName(algorithm),
  algorithm,
]);

/** The parts a <CompleteMultipartUpload> body lists, or undefined when it does not follow S3's schema. */
export function parseCompleteBody(document: XmlObject | undefined): CompletedPart[] | undefined {
  const root = elementOf(document?.CompleteMultipartUpload);
  if (!root) return undefined;
  const raw = root.Part === undefined ? [] : Array.isArray(root.Part) ? (root.Part as XmlValue[]) : [root.Part];
  if (raw.length === 0 || raw.length > partNumberMax) return undefined;
  const parts: CompletedPart[] = [];
  for (const value of raw) {
    const part = elementOf(value);
    const numberText = part && textOf(part.PartNumber)?.trim();
    const etag = part && textOf(part.ETag);
    if (numberText === undefined || etag === undefined || !/^\d{1,9}$/.test(numberText)) return undefined;
    const checksums: CompletedPart["checksums"] = {};
    for (const [field, algorithm] of checksumFields) {
      const text = textOf(part![field]);
      if (text !== undefined) checksums[algorithm] = text.trim();
    }
    parts.push({ PartNumber: Number(numberText), ETag: etag, checksums });
  }
  return parts;
}

export const completeMultipartUpload: S3Action = async (context, request) => {
  const { bucket, key, upload } = await requireUpload(context, request);
  const requested = parseCompleteBody(await readXmlBody(request, completeBodyBytesMax, ["CompleteMultipartUpload.Part"]));
  if (!requested) throw s3Errors.malformedXml();
  const uploadMeta = uploadMetaOf(upload);
  const stored = new Map((await context.store.listParts(bucket, upload.uploadId)).map((part) => [part.partNumber, part]));
  const kept = checkParts(requested, stored, upload.uploadId, uploadMeta, context.options.partBytesMin);
  const etag = multipartEtag(kept.map((part) => partMetaOf(part).ETag));
  const checksum = await objectChecksum(uploadMeta, kept);
  if (checksum !== undefined && checksum.type === "FULL_OBJECT") {
    // A client may state the whole object's CRC at completion; it must be the one the parts make.
    const stated = headerOf(request.head, checksumHeaderName(checksum.algorithm));
    if (stated !== undefined && stated.trim() !== checksum.value) throw s3Errors.invalidRequest(`The ${checksum.algorithm.toLowerCase()} you specified for the full object is invalid.`);
  }
  const { ChecksumAlgorithm: _algorithm, ChecksumType: _type, InitiatorArn: _initiator, OwnerAccountId: _owner, ...headers } = uploadMeta;
  const meta: ObjectMeta = {
    ...headers,
    ETag: etag,
    ...(checksum !== undefined && { Checksum: checksum }),
    PartsCount: kept.length,
    PartSizesBytes: kept.map((part) => part.blob.sizeBytes),
  };
  const record: ObjectRecord = {
    blobs: kept.map((part) => part.blob),
    sizeBytes: kept.reduce((sum, part) => sum + part.blob.sizeBytes, 0),
    lastModifiedMs: context.clock.nowMs(),
    meta: { ...meta },
  };
  const put = await context.store.putObject(bucket, key, record);
  if (!put.ok) throw storageError(context, put.failure, bucket);
  const removed = await context.store.removeUpload(bucket, upload.uploadId);
  if (!removed.ok) context.logger.warn({ bucket, uploadId: upload.uploadId, failure: removed.failure.message }, "s3: a completed upload was not removed");
  return xmlResponse(
    xmlDocument("CompleteMultipartUploadResult", {
      Location: locationOf(request.head.headers.host, bucket, key),
      Bucket: bucket,
      Key: key,
      ETag: etag,
      ...(checksum !== undefined && { [checksumElementName(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }),
    }),
  );
};

/** The stored parts the request keeps, in order, after S3's checks (thrown as S3Errors). */
export function checkParts(
  requested: readonly CompletedPart[],
  stored: ReadonlyMap<number, PartRecord>,
  uploadId: string,
  uploadMeta: Pick<UploadMeta, "ChecksumAlgorithm">,
  partBytesMin: number,
): PartRecord[] {
  for (let index = 1; index < requested.length; index++) {
    if (requested[index]!.PartNumber <= requested[index - 1]!.PartNumber) throw s3Errors.invalidPartOrder(uploadId);
  }
  const algorithm = uploadMeta.ChecksumAlgorithm;
  const kept: PartRecord[] = [];
  for (const [index, part] of requested.entries()) {
    const found = stored.get(part.PartNumber);
    const etag = quotedEtag(part.ETag);
    if (found === undefined || partMetaOf(found).ETag !== etag) throw s3Errors.invalidPart(uploadId, part.PartNumber, etag);
    if (algorithm !== undefined) {
      const given = part.checksums[algorithm];
      if (given === undefined) {
        throw s3Errors.invalidRequest(
          `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${part.PartNumber} in the request.`,
        );
      }
      if (given !== partMetaOf(found).Checksum?.value) throw s3Errors.invalidPart(uploadId, part.PartNumber, etag);
    }
    if (index < requested.length - 1 && found.blob.sizeBytes < partBytesMin) {
      throw s3Errors.entityTooSmall(found.blob.sizeBytes, partBytesMin, part.PartNumber, etag);
    }
    kept.push(found);
  }
  return kept;
}

async function objectChecksum(uploadMeta: UploadMeta, parts: readonly PartRecord[]): Promise<ObjectMeta["Checksum"]> {
  const algorithm = uploadMeta.ChecksumAlgorithm;
  if (algorithm === undefined) return undefined;
  const values = parts.map((part) => ({ checksum: partMetaOf(part).Checksum?.value ?? "", sizeBytes: part.blob.sizeBytes }));
  const type = uploadMeta.ChecksumType ?? "COMPOSITE";
  const value = type === "FULL_OBJECT" ? fullObjectChecksum(algorithm, values) : await compositeChecksum(algorithm, values);
  return value === undefined ? undefined : { algorithm, value, type };
}

/** `http://host/bucket/key`, as S3 answers it for a path-style request. */
function locationOf(host: string | string[] | undefined, bucket: string, key: string): string {
  const name = typeof host === "string" ? host : "localhost";
  return `http://${name}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}
