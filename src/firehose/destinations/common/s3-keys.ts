/**
 * Object keys for what destinations write to their S3Configuration bucket — intermediate objects
 * (Redshift's COPY source), source-record backups, failed-record error outputs — in Firehose's
 * default layout: `<prefix>YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`, times in
 * UTC from the batch's first arrival. (src/firehose/output/ owns the full prefix language for the
 * S3 destination; these keys use only the default layout and `!{firehose:error-output-type}`.)
 */
import type { Random } from "../../../util/random.js";

/** `arn:aws:s3:::bucket` → `bucket`. */
export function bucketOfArn(bucketArn: string): string {
  const at = bucketArn.indexOf(":::");
  return at === -1 ? bucketArn : bucketArn.slice(at + 3);
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** `YYYY/MM/DD/HH/` of an instant, UTC. */
export function hourPath(atMs: number): string {
  const at = new Date(atMs);
  return `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}/`;
}

/** A version 4 UUID from the injected randomness. */
export function uuidFrom(random: Random): string {
  const bytes = random.bytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`: Firehose's default object name. */
export function objectName(deliveryStreamName: string, version: number, atMs: number, uuid: string): string {
  const at = new Date(atMs);
  const stamp = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}-${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}-${pad(at.getUTCSeconds())}`;
  return `${deliveryStreamName}-${version}-${stamp}-${uuid}`;
}

/**
 * The key of a failed-records object: under ErrorOutputPrefix with `!{firehose:error-output-type}`
 * replaced (and the hour path added unless the prefix has its own `!{timestamp:…}`), or else
 * `<Prefix><error-output-type>/YYYY/MM/DD/HH/…`, as Firehose lays out `elasticsearch-failed/`,
 * `http-endpoint-failed/`, `splunk-failed/`.
 */
export function errorObjectKey(input: {
  prefix?: string | undefined;
  errorOutputPrefix?: string | undefined;
  errorOutputType: string;
  atMs: number;
  name: string;
}): string {
  if (input.errorOutputPrefix !== undefined && input.errorOutputPrefix !== "") {
    const prefix = input.errorOutputPrefix.replaceAll("!{firehose:error-output-type}", input.errorOutputType);
    return prefix.includes("!{timestamp:") ? `${prefix}${input.name}` : `${prefix}${hourPath(input.atMs)}${input.name}`;
  }
  return `${input.prefix ?? ""}${input.errorOutputType}/${hourPath(input.atMs)}${input.name}`;
}
