/**
 * Lambda event filtering for Kinesis event source mappings (FilterCriteria): which records a
 * mapping hands its function. A mapping has at most five filters, ORed: a record passes when any
 * filter's pattern matches it; with no filters every record passes. The pattern syntax is in
 * compile-pattern.ts (structure) and leaf-rules.ts (the comparison operators, and the one
 * difference from AWS: numbers compare by value).
 *
 * @example
 *   const filter = compileFilterCriteria({ Filters: [{ Pattern: '{"data": {"order": {"type": ["buy"]}}}' }] });
 *   filter.matches({ partitionKey: "1", sequenceNumber: "4959…", data: Buffer.from('{"order":{"type":"buy"}}') }); // true
 */
import { lambdaErrors, type LambdaError } from "../../errors.js";
import { compilePattern, notJson, type CompiledPattern } from "./compile-pattern.js";
import { InvalidPattern } from "./invalid-pattern.js";

/** Filters per event source mapping (Lambda's default quota). */
export const filtersMax = 5;
/** A Pattern's length bound in Lambda's API model (characters). */
export const patternCharactersMax = 4096;

const invalidPatternMessage = "Invalid filter pattern definition.";

export interface RecordFilter {
  /**
   * Whether the record passes. `record` is the Kinesis record as Lambda filters it: the members of
   * the event record's `kinesis` object (`kinesisSchemaVersion`, `partitionKey`, `sequenceNumber`,
   * `approximateArrivalTimestamp`, …) with `data` as the record's bytes (a Buffer or Uint8Array),
   * decoded here as UTF-8 JSON only if a filter reads it; any other `data` value is taken as
   * already decoded. A record whose data is not JSON matches only filters that do not read data.
   */
  matches(record: Record<string, unknown>): boolean;
}

/**
 * Lambda's refusal of a FilterCriteria, or undefined when it is acceptable. The model's
 * constraints (at most five filters, patterns of at most 4,096 characters) are checked first and
 * answered together as one ValidationException; a pattern that is not one Lambda accepts answers
 * InvalidParameterValueException "Invalid filter pattern definition.".
 */
export function validateFilterCriteria(criteria: unknown): LambdaError | undefined {
  if (criteria === undefined || criteria === null) return undefined;
  if (typeof criteria !== "object" || Array.isArray(criteria)) return lambdaErrors.invalidParameterValue(invalidPatternMessage);
  const filters = (criteria as { Filters?: unknown }).Filters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters)) return lambdaErrors.invalidParameterValue(invalidPatternMessage);
  const problems: string[] = [];
  if (filters.length > filtersMax) {
    problems.push(`Value '[${filters.map(String).join(", ")}]' at 'filterCriteria.filters' failed to satisfy constraint: Member must have length less than or equal to ${filtersMax}`);
  }
  filters.forEach((filter: unknown, index) => {
    const pattern = patternOf(filter);
    if (typeof pattern === "string" && characterCount(pattern) > patternCharactersMax) {
      problems.push(`Value '${pattern}' at 'filterCriteria.filters.${index + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to ${patternCharactersMax}`);
    }
  });
  if (problems.length > 0) return lambdaErrors.validation(problems);
  for (const filter of filters) {
    const pattern = patternOf(filter);
    if (typeof pattern !== "string") return lambdaErrors.invalidParameterValue(invalidPatternMessage);
    try {
      compilePattern(pattern);
    } catch (error) {
      if (error instanceof InvalidPattern) return lambdaErrors.invalidParameterValue(invalidPatternMessage);
      throw error;
    }
  }
  return undefined;
}

/**
 * The filter of validated criteria, compiled once: each pattern becomes a closure and a record's
 * data is decoded at most once, and only when some pattern reads it.
 */
export function compileFilterCriteria(criteria: { Filters?: { Pattern?: string }[] }): RecordFilter {
  const patterns: CompiledPattern[] = (criteria.Filters ?? []).map((filter) => compilePattern(filter.Pattern ?? ""));
  if (patterns.length === 0) return { matches: () => true };
  const usesData = patterns.some((pattern) => pattern.usesData);
  if (patterns.length === 1) {
    const only = patterns[0]!.matches;
    return { matches: (record) => only(record, usesData ? decodeData(record.data) : undefined) };
  }
  return {
    matches(record) {
      const data = usesData ? decodeData(record.data) : undefined;
      for (const pattern of patterns) if (pattern.matches(record, data)) return true;
      return false;
    },
  };
}

/** The record's payload as Lambda's filters see it: parsed JSON, or `notJson`. */
function decodeData(data: unknown): unknown {
  if (!(data instanceof Uint8Array)) return data;
  const text = Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return notJson;
  }
}

function patternOf(filter: unknown): unknown {
  return typeof filter === "object" && filter !== null ? (filter as { Pattern?: unknown }).Pattern : undefined;
}

/** Characters as the API model counts them (code points), without walking short strings. */
function characterCount(text: string): number {
  if (text.length <= patternCharactersMax) return text.length;
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
