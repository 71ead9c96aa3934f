import type { Random } from "../../../util/random.js";
import { compileDatePattern } from "./java-date-format.js";
import { hasExpressions, parsePrefix, type Segment } from "./prefix-expression.js";

/**
 * Object keys as Firehose names them (docs: "Configure Amazon S3 object name format"):
 *
 *   key    = evaluatedPrefix suffix
 *   suffix = DeliveryStreamName "-" DeliveryStreamVersion "-" yyyy-MM-dd-HH-mm-ss "-" uuid extension
 *
 * A Prefix with no expression at all (absent and empty included) gets `yyyy/MM/dd/HH/` appended by
 * plain concatenation — `logs` gives `logs2024/05/17/10/`, no `/` inserted (what the service does,
 * as captured by floci#1857; the docs' examples show a slash) — and one with any expression is
 * used as evaluated. The error output: ErrorOutputPrefix evaluated with `!{firehose:error-output-type}`;
 * without one, `<Prefix><error-output-type>/yyyy/MM/dd/HH/`; an ErrorOutputPrefix without
 * expressions gets `<error-output-type>/yyyy/MM/dd/HH/` after it. Times are the arrival of the
 * object's oldest record, in UTC (or the offset of CustomTimeZone that the caller resolves).
 */
const defaultTimePrefix = compileDatePattern("yyyy/MM/dd/HH/");
const suffixTime = compileDatePattern("yyyy-MM-dd-HH-mm-ss");
export const randomStringLength = 11;

export interface KeyTime {
  /** Arrival of the object's oldest record: `!{timestamp:…}`, the default time prefix and the suffix. */
  readonly arrivalMs: number;
  /** CustomTimeZone's offset from UTC at that instant, in minutes (default 0: UTC). */
  readonly offsetMinutes?: number;
}

export interface ObjectKeyInput extends KeyTime {
  /** ExtendedS3DestinationConfiguration.Prefix as configured. */
  readonly prefix: string | undefined;
  readonly deliveryStreamName: string;
  /** DeliveryStreamVersion (DescribeDeliveryStream's VersionId). */
  readonly version: number | string;
  /** The object's UUID (the batch id: stable across retries of the same object). */
  readonly uuid: string;
  /** The batch's dynamic partition keys (`partitionKeyFromQuery` and `partitionKeyFromLambda` read the same map). */
  readonly partitionKeys?: Readonly<Record<string, string>>;
  /** From objectExtension(): FileExtension, or the format's default. */
  readonly extension: string;
  /** Draws `!{firehose:random-string}`. */
  readonly random: Random;
}

/** A partition key the prefix names but the batch lacks (the records belong in partitioning-failed). */
export class MissingPartitionKeyError extends Error {
  constructor(readonly namespace: string, readonly key: string) {
    super(`partition key ${key} of ${namespace} is missing`);
  }
}

/**
 * The key of a delivered object.
 *
 * @example
 *   objectKey({ prefix: undefined, deliveryStreamName: "s", version: 1, arrivalMs: Date.UTC(2024, 4, 17, 10, 30),
 *     uuid: "e6f8…", extension: ".gz", random })
 *   // → "2024/05/17/10/s-1-2024-05-17-10-30-00-e6f8….gz"
 */
export function objectKey(input: ObjectKeyInput): string {
  return evaluateDataPrefix(input.prefix, input, input.random, input.partitionKeys) + suffix(input);
}

export interface ErrorObjectKeyInput extends Omit<ObjectKeyInput, "partitionKeys"> {
  readonly errorOutputPrefix: string | undefined;
  /** `!{firehose:error-output-type}`: processing-failed, format-conversion-failed, partitioning-failed, … */
  readonly errorOutputType: string;
}

/** The key of an error output object (failed records as error record lines). */
export function errorObjectKey(input: ErrorObjectKeyInput): string {
  return evaluateErrorPrefix(input.errorOutputPrefix, input.prefix, input.errorOutputType, input, input.random) + suffix(input);
}

/** Prefix → its evaluated form, the default time prefix appended when it has no expression. */
export function evaluateDataPrefix(prefix: string | undefined, time: KeyTime, random: Random, partitionKeys?: Readonly<Record<string, string>>): string {
  const segments = segmentsOf(prefix ?? "");
  if (!hasExpressions(segments)) return (prefix ?? "") + defaultTimePrefix(time.arrivalMs, time.offsetMinutes);
  return evaluate(segments, time, random, partitionKeys, undefined);
}

export function evaluateErrorPrefix(errorOutputPrefix: string | undefined, prefix: string | undefined, errorOutputType: string, time: KeyTime, random: Random): string {
  const base = errorOutputPrefix === undefined || errorOutputPrefix === "" ? (prefix ?? "") : errorOutputPrefix;
  const segments = segmentsOf(base);
  if (!hasExpressions(segments)) return base + errorOutputType + "/" + defaultTimePrefix(time.arrivalMs, time.offsetMinutes);
  return evaluate(segments, time, random, undefined, errorOutputType);
}

/** FileExtension when set and not empty (it replaces the format's), else the format's own. */
export function objectExtension(fileExtension: string | undefined, formatExtension: string): string {
  return fileExtension === undefined || fileExtension === "" ? formatExtension : fileExtension;
}

/** `!{firehose:random-string}`: 11 lowercase hex characters (the docs' example output `5abf82daaa5`). */
export function randomString(random: Random): string {
  return random.bytes(6).toString("hex").slice(0, randomStringLength);
}

function suffix(input: { deliveryStreamName: string; version: number | string; uuid: string; extension: string } & KeyTime): string {
  return `${input.deliveryStreamName}-${input.version}-${suffixTime(input.arrivalMs, input.offsetMinutes)}-${input.uuid}${input.extension}`;
}

function segmentsOf(prefix: string): readonly Segment[] {
  const parsed = parsePrefix(prefix);
  // Prefixes are validated at CreateDeliveryStream / UpdateDestination (validatePrefixes).
  if (!parsed.ok) throw new Error(`invalid prefix reached delivery: ${prefix}`);
  return parsed.segments;
}

function evaluate(segments: readonly Segment[], time: KeyTime, random: Random, partitionKeys: Readonly<Record<string, string>> | undefined, errorOutputType: string | undefined): string {
  let out = "";
  for (const segment of segments) {
    switch (segment.kind) {
      case "literal":
        out += segment.text;
        break;
      case "timestamp":
        // Every instance evaluates to the same instant: the oldest record's arrival.
        out += segment.format(time.arrivalMs, time.offsetMinutes);
        break;
      case "random-string":
        out += randomString(random);
        break;
      case "error-output-type":
        if (errorOutputType === undefined) throw new Error("!{firehose:error-output-type} outside ErrorOutputPrefix");
        out += errorOutputType;
        break;
      default: {
        const value = partitionKeys?.[segment.key];
        if (value === undefined) throw new MissingPartitionKeyError(segment.kind, segment.key);
        out += value;
      }
    }
  }
  return out;
}
