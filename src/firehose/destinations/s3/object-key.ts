/**
 * The S3 destination's object keys until src/firehose/output/keys lands (the S3-OUTPUT helper's
 * full prefix language replaces this): Prefix with `!{timestamp:<Java pattern>}` (yyyy, MM, dd,
 * HH, mm, ss), `!{firehose:random-string}`, `!{firehose:error-output-type}`,
 * `!{partitionKeyFromQuery:k}` / `!{partitionKeyFromLambda:k}`; without any `!{…}` the default
 * `YYYY/MM/DD/HH/` follows the prefix. Object name `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`.
 */
import { hourPath, objectName } from "../common/s3-keys.js";

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

function javaDate(pattern: string, atMs: number): string {
  const at = new Date(atMs);
  const fields: Record<string, string> = {
    yyyy: String(at.getUTCFullYear()),
    MM: pad(at.getUTCMonth() + 1),
    dd: pad(at.getUTCDate()),
    HH: pad(at.getUTCHours()),
    mm: pad(at.getUTCMinutes()),
    ss: pad(at.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|'([^']*)'/g, (token, quoted: string | undefined) => quoted ?? fields[token] ?? token);
}

export interface KeyContext {
  atMs: number;
  partitionKeys?: Readonly<Record<string, string>>;
  errorOutputType?: string;
  randomString: () => string;
}

export function evaluatePrefix(prefix: string | undefined, context: KeyContext): string {
  const text = prefix ?? "";
  if (!text.includes("!{")) return `${text}${hourPath(context.atMs)}`;
  return text.replace(/!\{([^}:]+):([^}]*)\}/g, (whole, namespace: string, argument: string) => {
    if (namespace === "timestamp") return javaDate(argument, context.atMs);
    if (namespace === "firehose" && argument === "random-string") return context.randomString();
    if (namespace === "firehose" && argument === "error-output-type") return context.errorOutputType ?? "";
    if (namespace === "partitionKeyFromQuery" || namespace === "partitionKeyFromLambda") return context.partitionKeys?.[argument] ?? "";
    return whole;
  });
}

export function objectKey(prefix: string | undefined, deliveryStreamName: string, version: number, uuid: string, extension: string, context: KeyContext): string {
  return `${evaluatePrefix(prefix, context)}${objectName(deliveryStreamName, version, context.atMs, uuid)}${extension}`;
}
