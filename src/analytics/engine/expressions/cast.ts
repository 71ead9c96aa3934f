/**
 * CAST (SQL Reference "CAST", "Valid Conversions"): which source types convert to which targets,
 * checked at compile time, and the conversion itself, built once per call site. A value that does
 * not convert (text that is no number, a number out of the target's range, a DATE too long for
 * VARCHAR(9)) throws SqlRuntimeError: the row goes to error_stream.
 *
 *   numeric            → numeric (integers rounded half away from zero), CHAR, VARCHAR
 *   CHAR, VARCHAR      → all of the above, DATE, TIME, TIMESTAMP, INTERVAL, BOOLEAN
 *   DATE               → DATE, CHAR, VARCHAR, TIMESTAMP
 *   TIME               → TIME, CHAR, VARCHAR, TIMESTAMP
 *   TIMESTAMP          → TIMESTAMP, TIME, DATE, CHAR, VARCHAR
 *   INTERVAL           → INTERVAL of its kind, BIGINT (and other exact numerics), DECIMAL, CHAR, VARCHAR
 *   BOOLEAN            → BOOLEAN, CHAR, VARCHAR
 *   BINARY, VARBINARY  → BINARY, VARBINARY
 * The same conversions, restricted to one family, give INSERT's assignment to a column's type.
 */
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlRuntimeError, type SqlInterval, type SqlType, type SqlValue } from "../../sql/types.js";
import { dayOf, parseDate, parseInterval, parseTime, parseTimestamp, timeOfDay, msPerDay, msPerHour, msPerMinute, msPerSecond } from "./datetime.js";
import type { TimeUnit } from "../../sql/ast.js";
import { familyOf, integerRange, isCharacter, isInteger, isNumeric, decimalShape, type TypeFamily } from "./type-rules.js";
import { roundHalfAway, valueText } from "./values.js";

/** Converts one non-null value; the context gives TIME → TIMESTAMP its date. */
export type Conversion = (value: SqlValue, context: EvalContext) => SqlValue;

/** The ERROR_NAME of a failed conversion, as the service names coercion failures. */
export const coercionErrorName = "Coercion error";

const allowedTargets: Record<TypeFamily, readonly TypeFamily[]> = {
  NUMERIC: ["NUMERIC", "CHARACTER"],
  CHARACTER: ["NUMERIC", "CHARACTER", "DATE", "TIME", "TIMESTAMP", "INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH", "BOOLEAN"],
  DATE: ["DATE", "CHARACTER", "TIMESTAMP"],
  TIME: ["TIME", "CHARACTER", "TIMESTAMP"],
  TIMESTAMP: ["TIMESTAMP", "TIME", "DATE", "CHARACTER"],
  INTERVAL_DAY_TIME: ["INTERVAL_DAY_TIME", "NUMERIC", "CHARACTER"],
  INTERVAL_YEAR_MONTH: ["INTERVAL_YEAR_MONTH", "NUMERIC", "CHARACTER"],
  BOOLEAN: ["BOOLEAN", "CHARACTER"],
  BINARY: ["BINARY"],
  ROW: [],
  NULL: ["NUMERIC", "CHARACTER", "DATE", "TIME", "TIMESTAMP", "INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH", "BOOLEAN", "BINARY", "ROW"],
  SYMBOL: [],
};

export function castAllowed(source: SqlType, target: SqlType): boolean {
  const targetFamily = familyOf(target);
  if (!allowedTargets[familyOf(source)].includes(targetFamily)) return false;
  // An interval converts to exact numerics only (BIGINT, DECIMAL …), not to REAL/DOUBLE.
  if ((source.name === "INTERVAL_DAY_TIME" || source.name === "INTERVAL_YEAR_MONTH") && targetFamily === "NUMERIC") {
    return target.name !== "REAL" && target.name !== "DOUBLE";
  }
  return true;
}

function coercionError(message: string): SqlRuntimeError {
  return new SqlRuntimeError(coercionErrorName, message);
}

function overflow(value: number, target: SqlType): SqlRuntimeError {
  return new SqlRuntimeError("Overflow", `Value ${value} out of range for type ${target.name}`);
}

/** A conversion of numbers into a numeric target: rounding and range checks. */
export function toNumeric(target: SqlType): (value: number) => number {
  const range = integerRange(target);
  if (range !== undefined) {
    const [low, high] = range;
    return (value) => {
      if (!Number.isFinite(value)) throw overflow(value, target);
      const rounded = roundHalfAway(value);
      if (rounded < low || rounded > high) throw overflow(value, target);
      return rounded === 0 ? 0 : rounded;
    };
  }
  if (target.name === "DECIMAL") {
    const { precision, scale } = decimalShape(target);
    const limit = 10 ** (precision - scale);
    return (value) => {
      const rounded = roundHalfAway(value, scale);
      if (!(Math.abs(rounded) < limit)) throw overflow(value, target);
      return rounded === 0 ? 0 : rounded;
    };
  }
  if (target.name === "REAL") return (value) => Math.fround(value);
  return (value) => value;
}

const integerText = /^[+-]?\d+$/;
const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const doubleText = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?)$/;

function parseNumber(text: string, target: SqlType): number {
  const trimmed = text.trim();
  const pattern = isInteger(target) ? integerText : target.name === "DECIMAL" ? decimalText : doubleText;
  if (!pattern.test(trimmed)) throw coercionError(`For input string: "${text}"`);
  return Number(trimmed.replace(/[dDfF]$/, ""));
}

/** Text into CHAR(n) (padded with spaces or cut) or VARCHAR(n) (cut). */
function fitText(target: SqlType, strict: boolean): (text: string) => string {
  const length = target.precision;
  if (length === undefined) return (text) => text;
  if (target.name === "CHAR") {
    return (text) => {
      if (text.length > length && strict) throw coercionError(`Value '${text}' too long for type ${target.name}(${length})`);
      return text.length >= length ? text.slice(0, length) : text.padEnd(length, " ");
    };
  }
  return (text) => {
    if (text.length <= length) return text;
    if (strict) throw coercionError(`Value '${text}' too long for type ${target.name}(${length})`);
    return text.slice(0, length);
  };
}

const unitMs: Partial<Record<string, number>> = { DAY: msPerDay, HOUR: msPerHour, MINUTE: msPerMinute, SECOND: msPerSecond };

/** The least significant unit of an interval type's qualifier ("DAY TO HOUR" → HOUR). */
function trailingUnit(type: SqlType): string {
  const qualifier = (type.qualifier ?? (type.name === "INTERVAL_YEAR_MONTH" ? "MONTH" : "SECOND")).toUpperCase();
  const parts = qualifier.split(/\s+TO\s+/);
  return (parts[parts.length - 1] ?? "SECOND").replace(/\(.*\)/, "").trim();
}

function leadingUnit(type: SqlType): TimeUnit {
  const qualifier = (type.qualifier ?? (type.name === "INTERVAL_YEAR_MONTH" ? "YEAR TO MONTH" : "DAY TO SECOND")).toUpperCase();
  return (qualifier.split(/\s+TO\s+/)[0] ?? "DAY").replace(/\(.*\)/, "").trim() as TimeUnit;
}

function intervalToNumber(source: SqlType): (value: SqlInterval) => number {
  const unit = trailingUnit(source);
  if (source.name === "INTERVAL_YEAR_MONTH") return (value) => (unit === "YEAR" ? Math.trunc((value.months ?? 0) / 12) : value.months ?? 0);
  const size = unitMs[unit] ?? msPerSecond;
  return (value) => (value.ms ?? 0) / size;
}

function numberToInterval(target: SqlType): (value: number) => SqlInterval {
  const unit = trailingUnit(target);
  if (target.name === "INTERVAL_YEAR_MONTH") return (value) => ({ kind: "interval", months: Math.trunc(unit === "YEAR" ? value * 12 : value) });
  const size = unitMs[unit] ?? msPerSecond;
  return (value) => ({ kind: "interval", ms: Math.round(value * size) });
}

function fromText(target: SqlType): Conversion {
  switch (familyOf(target)) {
    case "NUMERIC": {
      const range = toNumeric(target);
      return (value) => range(parseNumber(value as string, target));
    }
    case "CHARACTER": {
      const fit = fitText(target, false);
      return (value) => fit(value as string);
    }
    case "BOOLEAN":
      return (value) => {
        const text = (value as string).trim().toUpperCase();
        if (text === "TRUE") return true;
        if (text === "FALSE") return false;
        if (text === "UNKNOWN") return null;
        throw coercionError(`Invalid boolean value: '${value as string}'`);
      };
    case "DATE":
      return (value) => {
        const parsed = parseDate(value as string);
        if (parsed === null) throw coercionError(`Invalid date value: '${value as string}'`);
        return parsed;
      };
    case "TIME":
      return (value) => {
        const parsed = parseTime(value as string);
        if (parsed === null) throw coercionError(`Invalid time value: '${value as string}'`);
        return parsed;
      };
    case "TIMESTAMP":
      return (value) => {
        const parsed = parseTimestamp(value as string);
        if (parsed === null) throw coercionError(`Invalid timestamp value: '${value as string}'`);
        return parsed;
      };
    case "INTERVAL_DAY_TIME":
    case "INTERVAL_YEAR_MONTH": {
      const start = leadingUnit(target);
      const end = trailingUnit(target) as TimeUnit;
      return (value) => {
        const parsed = parseInterval(value as string, start, end === start ? undefined : end, false);
        if (parsed === null) throw coercionError(`Invalid interval value: '${value as string}'`);
        return parsed;
      };
    }
    default:
      return (value) => value;
  }
}

function toText(source: SqlType, target: SqlType): Conversion {
  // A value whose text does not fit the target length is an error (DATE → VARCHAR(9): no row),
  // unlike text → shorter text, which is cut.
  const fit = fitText(target, true);
  if (source.name === "NULL") return (value) => value;
  return (value) => fit(valueText(value, source));
}

function binaryFit(target: SqlType): Conversion {
  const length = target.precision;
  if (length === undefined) return (value) => value;
  return (value) => {
    const bytes = value as Uint8Array;
    if (target.name === "VARBINARY") return bytes.length <= length ? bytes : bytes.slice(0, length);
    if (bytes.length === length) return bytes;
    const result = new Uint8Array(length);
    result.set(bytes.subarray(0, length));
    return result;
  };
}

/**
 * The conversion for CAST(x AS target) from `source`; the caller checked castAllowed. Returns
 * undefined when the value needs no change (same type).
 */
export function conversion(source: SqlType, target: SqlType): Conversion | undefined {
  const from = familyOf(source);
  const to = familyOf(target);
  if (from === "NULL") return undefined;
  if (to === "CHARACTER") {
    if (from === "CHARACTER") {
      if (source.name === target.name && source.precision === target.precision) return undefined;
      const fit = fitText(target, false);
      return (value) => fit(value as string);
    }
    return toText(source, target);
  }
  if (from === "CHARACTER") return fromText(target);
  switch (to) {
    case "NUMERIC": {
      if (from === "INTERVAL_DAY_TIME" || from === "INTERVAL_YEAR_MONTH") {
        const read = intervalToNumber(source);
        const range = toNumeric(target);
        return (value) => range(read(value as SqlInterval));
      }
      if (source.name === target.name && source.precision === target.precision && source.scale === target.scale) return undefined;
      if (isInteger(target) && isInteger(source) && (integerRange(source)?.[1] ?? 0) <= (integerRange(target)?.[1] ?? 0)) return undefined;
      const range = toNumeric(target);
      return (value) => range(value as number);
    }
    case "TIMESTAMP":
      if (from === "TIME") return (value, context) => dayOf(context.nowMs) + (value as number);
      return undefined;
    case "DATE":
      if (from === "TIMESTAMP") return (value) => dayOf(value as number);
      return undefined;
    case "TIME":
      if (from === "TIMESTAMP") return (value) => timeOfDay(value as number);
      return undefined;
    case "INTERVAL_DAY_TIME":
    case "INTERVAL_YEAR_MONTH":
      if (isNumeric(source)) {
        const make = numberToInterval(target);
        return (value) => make(value as number);
      }
      return undefined;
    case "BINARY":
      return binaryFit(target);
    default:
      return undefined;
  }
}

/** The assignment of a value of `source` to a column of `target` on INSERT (same family; see canAssign). */
export function assignment(source: SqlType, target: SqlType): Conversion | undefined {
  if (isCharacter(target) && isCharacter(source)) {
    // Nothing to do when every source value already fits: VARCHAR(n) from text no longer than n,
    // CHAR(n) from CHAR(n). A shorter CHAR or any VARCHAR into CHAR(n) is padded.
    const fits = source.precision !== undefined && target.precision !== undefined && source.precision <= target.precision;
    if (target.precision === undefined || (target.name === "VARCHAR" && fits) || (source.name === "CHAR" && source.precision === target.precision)) return undefined;
    const fit = fitText(target, false);
    return (value) => fit(value as string);
  }
  return conversion(source, target);
}
