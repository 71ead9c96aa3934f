/**
 * The checks the three actions share, worded as CloudWatch words them: lengths, the namespace's
 * pattern, dimensions, units, time ranges. Each returns the problem's text or undefined; the
 * action decides which error carries it (GetMetricStatistics and ListMetrics answer the first as
 * InvalidParameterValue, GetMetricData collects them all into one ValidationError).
 */
import type { DimensionInput } from "../model.js";

export const standardUnits = [
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
  "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
  "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
] as const;

const units: ReadonlySet<string> = new Set(standardUnits);

export function isStandardUnit(unit: string): boolean {
  return units.has(unit);
}

/** CloudWatch's limits on metric names and dimensions (the model's constraints). */
export const nameLengthMax = 255;
export const dimensionValueLengthMax = 1024;
export const dimensionsMax = 30;

export function lengthProblem(value: string, name: string, min: number, max: number): string | undefined {
  if (value.length < min) return `The parameter ${name} must be longer than ${min - 1} character${min === 2 ? "" : "s"}.`;
  if (value.length > max) return `The parameter ${name} must be shorter than ${max + 1} characters.`;
  return undefined;
}

export function namespaceProblem(namespace: string, name: string): string | undefined {
  return lengthProblem(namespace, name, 1, nameLengthMax) ?? (namespace.startsWith(":") ? `The value ${namespace} for parameter ${name} is not matching the expected pattern [^:].*.` : undefined);
}

/**
 * A metric's dimensions: at most 30, each with a Name (1–255) and a Value (1–1,024); `required`
 * lines come first (what GetMetricStatistics answers as MissingParameter).
 */
export function dimensionProblems(dimensions: readonly (DimensionInput | undefined)[] | undefined, name: string, valueRequired: boolean, max: number): { missing: string[]; invalid: string[] } {
  const missing: string[] = [];
  const invalid: string[] = [];
  if (dimensions === undefined) return { missing, invalid };
  if (dimensions.length > max) invalid.push(`The collection ${name} must not have a size greater than ${max}.`);
  dimensions.forEach((dimension, index) => {
    const prefix = `${name}.member.${index + 1}`;
    if (dimension?.Name === undefined) missing.push(`The parameter ${prefix}.Name is required.`);
    else {
      const problem = lengthProblem(dimension.Name, `${prefix}.Name`, 1, nameLengthMax);
      if (problem !== undefined) invalid.push(problem);
    }
    if (dimension?.Value === undefined) {
      if (valueRequired) missing.push(`The parameter ${prefix}.Value is required.`);
    } else {
      const problem = lengthProblem(dimension.Value, `${prefix}.Value`, 1, dimensionValueLengthMax);
      if (problem !== undefined) invalid.push(problem);
    }
  });
  return { missing, invalid };
}

/** Whole seconds: CloudWatch disregards milliseconds in StartTime and EndTime. */
export function wholeSecondMs(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
