/**
 * FilterCriteria for the engine and the API: Lambda's event filtering, implemented in ./filter
 * (the filter module). Until it is wired here, patterns are only checked to be JSON objects and
 * every record passes.
 */
import { lambdaErrors, type LambdaError } from "../errors.js";
import type { FilterCriteria } from "./mapping.js";

export interface RecordFilter {
  matches(event: Record<string, unknown>): boolean;
}

export function validateFilterCriteria(criteria: FilterCriteria): LambdaError | undefined {
  for (const filter of criteria.Filters ?? []) {
    try {
      const pattern: unknown = JSON.parse(filter.Pattern ?? "");
      if (typeof pattern !== "object" || pattern === null || Array.isArray(pattern)) return lambdaErrors.invalidParameterValue("Invalid filter pattern definition.");
    } catch {
      return lambdaErrors.invalidParameterValue("Invalid filter pattern definition.");
    }
  }
  return undefined;
}

export function compileFilterCriteria(_criteria: FilterCriteria): RecordFilter {
  return { matches: () => true };
}
