/**
 * A function's or layer's code as a request gives it: `ZipFile` (base64 in the JSON document), or
 * `S3Bucket`/`S3Key` (and `S3ObjectVersion`) read from the object store — the built-in one, or
 * `--s3-endpoint` — through the object client. The zip is checked (it must open, 50 MB zipped and
 * 250 MB unzipped at most, Lambda's quotas) and stored in the code store.
 */
import { unzipSync } from "fflate";
import type { ApiContext } from "../api-context.js";
import { lambdaErrors } from "../errors.js";
import type { CodeLease } from "../code-store.js";
import type { CodeRef } from "../model.js";
import { optionalString } from "./members.js";

export const zippedBytesMax = 52_428_800;
export const unzippedBytesMax = 262_144_000;

/** The zip a Code (or Content) member names, stored and pinned by `lease`; undefined when it names none. */
export async function readCode(context: ApiContext, lease: CodeLease, code: Record<string, unknown>): Promise<CodeRef | undefined> {
  const zip = await zipOf(context, code);
  if (zip === undefined) return undefined;
  checkZip(zip);
  return context.codeStore.putZip(lease, zip);
}

async function zipOf(context: ApiContext, code: Record<string, unknown>): Promise<Buffer | undefined> {
  const zipFile = optionalString(code, "ZipFile");
  if (zipFile !== undefined) {
    const zip = Buffer.from(zipFile, "base64");
    if (zip.length > zippedBytesMax) throw lambdaErrors.requestEntityTooLarge(`Zipped size must be smaller than ${zippedBytesMax} bytes`);
    return zip;
  }
  if (optionalString(code, "ImageUri") !== undefined) {
    throw lambdaErrors.invalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.");
  }
  const bucket = optionalString(code, "S3Bucket");
  const key = optionalString(code, "S3Key");
  if (bucket === undefined && key === undefined) return undefined;
  if (bucket === undefined || key === undefined) {
    throw lambdaErrors.invalidParameterValue("Please provide a source for function code: S3Bucket and S3Key, or ZipFile.");
  }
  const got = await context.objectClient.getObject({ Bucket: bucket, Key: key });
  if (!got.ok) {
    const message = got.code === "NoSuchBucket" ? "The specified bucket does not exist" : got.code === "NoSuchKey" ? "The specified key does not exist." : got.message;
    throw lambdaErrors.invalidParameterValue(`Error occurred while GetObject. S3 Error Code: ${got.code}. S3 Error Message: ${message}`);
  }
  if (got.sizeBytes > zippedBytesMax) throw lambdaErrors.invalidParameterValue(`Zipped size must be smaller than ${zippedBytesMax} bytes`);
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The zip opens and unpacks to at most 250 MB (only its directory is read: nothing is inflated). */
export function checkZip(zip: Buffer): void {
  let unzippedBytes = 0;
  try {
    unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.length), {
      filter: (file) => {
        unzippedBytes += file.originalSize;
        return false;
      },
    });
  } catch {
    throw lambdaErrors.invalidParameterValue("Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  if (unzippedBytes > unzippedBytesMax) throw lambdaErrors.invalidParameterValue(`Unzipped size must be smaller than ${unzippedBytesMax} bytes`);
}
