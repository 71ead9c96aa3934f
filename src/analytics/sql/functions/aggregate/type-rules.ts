/**
 * Type rules the aggregates share (docs/analytics/analytic-functions.md, "Result types"): the
 * Amazon Kinesis Data Analytics engine derives an aggregate's type as its SQL lineage (SQLstream,
 * Eigenbase/Calcite) does — AVG, MIN, MAX and the variance family return the argument's own type,
 * so AVG of an INTEGER column is an INTEGER (truncated toward zero); SUM too (SUM of a DECIMAL(p, s)
 * is a DECIMAL(p, s)), except that SUM of TINYINT, SMALLINT or INTEGER is widened to BIGINT so a
 * window of small integers cannot overflow; COUNT is BIGINT. Results are brought to their type here: integers truncated
 * and range-checked (an overflow is a row-level error, as integer arithmetic's is), DECIMAL rounded
 * half away from zero to its scale.
 */
import { SqlRuntimeError, type SqlType, type SqlTypeName } from "../../types.js";
import { typeText } from "../../types.js";
export { typeText };
import type { Resolution } from "../contracts.js";

const integerRanges: Partial<Record<SqlTypeName, readonly [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
  BIGINT: [-(2 ** 63), 2 ** 63 - 1],
};

export function isExactInteger(type: SqlType): boolean {
  return integerRanges[type.name] !== undefined;
}

export function isNumeric(type: SqlType): boolean {
  return isExactInteger(type) || type.name === "DECIMAL" || type.name === "REAL" || type.name === "DOUBLE";
}

/** Types MIN and MAX order (everything but ROW values and non-values). */
export function isComparable(type: SqlType): boolean {
  return type.name !== "ROW" && type.name !== "SYMBOL" && type.name !== "NULL";
}


/** Calcite's wording, which the service's validator used. */
export function cannotApply(name: string, args: readonly SqlType[], form: string): Resolution<never> {
  const actual = `${name}(${args.map((type) => `<${typeText(type)}>`).join(", ")})`;
  return { ok: false, message: `Cannot apply '${name}' to arguments of type '${actual}'. Supported form(s): '${form}'` };
}

export function wrongArity(name: string, expected: number): Resolution<never> {
  return { ok: false, message: `Invalid number of arguments to function '${name}'. Was expecting ${expected} arguments` };
}

/** The result type: the argument's, made nullable (an empty group gives null). */
export function nullableCopy(type: SqlType): SqlType {
  return { ...type, nullable: true };
}

export const overflowErrorName = "Overflow";

/**
 * Brings a computed number to `type`: integers truncate toward zero and must fit, DECIMAL rounds to
 * its scale, approximate types pass through.
 */
export function toResultType(value: number, type: SqlType): number {
  const range = integerRanges[type.name];
  if (range !== undefined) {
    const truncated = Math.trunc(value);
    if (truncated < range[0] || truncated > range[1]) {
      throw new SqlRuntimeError(overflowErrorName, `Value ${truncated} is out of range for type ${type.name}`);
    }
    return truncated === 0 ? 0 : truncated;
  }
  if (type.name === "DECIMAL") return roundToScale(value, type.scale ?? 0);
  return value;
}

/** Half away from zero, through the decimal text so 1.005 rounds to 1.01 as written. */
export function roundToScale(value: number, scale: number): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** scale;
  const scaled = Number(`${Math.abs(value)}e${scale}`);
  const rounded = Number.isFinite(scaled) && !String(scaled).includes("e") ? Math.round(scaled) : Math.round(Math.abs(value) * factor);
  const result = (Math.sign(value) * rounded) / factor;
  return result === 0 ? 0 : result;
}

/** A DECIMAL value as an integer count of units of its scale (exact while below 2^53). */
export function decimalUnits(value: number, scale: number): number {
  return Math.round(roundToScale(value, scale) * 10 ** scale);
}
