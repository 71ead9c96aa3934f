/**
 * The static type rules of the engine (SQL Reference "Data Types", "Numeric Types and Precision",
 * "Date, Timestamp, and Interval Operators"): type families, the common type of several operands
 * (CASE, IN, UNION, comparison), arithmetic result types with the DECIMAL precision/scale rules,
 * assignability for INSERT, and type names as the service prints them in messages.
 */
import type { SqlType, SqlTypeName } from "../../sql/types.js";
export { typeText } from "../../sql/types.js";

export type TypeFamily =
  | "NUMERIC"
  | "CHARACTER"
  | "BINARY"
  | "BOOLEAN"
  | "DATE"
  | "TIME"
  | "TIMESTAMP"
  | "INTERVAL_DAY_TIME"
  | "INTERVAL_YEAR_MONTH"
  | "ROW"
  | "NULL"
  | "SYMBOL";

const families: Record<SqlTypeName, TypeFamily> = {
  BOOLEAN: "BOOLEAN",
  TINYINT: "NUMERIC",
  SMALLINT: "NUMERIC",
  INTEGER: "NUMERIC",
  BIGINT: "NUMERIC",
  DECIMAL: "NUMERIC",
  REAL: "NUMERIC",
  DOUBLE: "NUMERIC",
  CHAR: "CHARACTER",
  VARCHAR: "CHARACTER",
  BINARY: "BINARY",
  VARBINARY: "BINARY",
  DATE: "DATE",
  TIME: "TIME",
  TIMESTAMP: "TIMESTAMP",
  INTERVAL_DAY_TIME: "INTERVAL_DAY_TIME",
  INTERVAL_YEAR_MONTH: "INTERVAL_YEAR_MONTH",
  ROW: "ROW",
  NULL: "NULL",
  SYMBOL: "SYMBOL",
};

export function familyOf(type: SqlType): TypeFamily {
  return families[type.name];
}

/** DECIMAL's largest precision (SQL Reference "Numeric Types and Precision"). */
export const decimalPrecisionMax = 18;

const integerRanges: Partial<Record<SqlTypeName, [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
  BIGINT: [-9223372036854775808, 9223372036854775807],
};

const integerDigits: Partial<Record<SqlTypeName, number>> = { TINYINT: 3, SMALLINT: 5, INTEGER: 10, BIGINT: 19 };

const integerRank: Partial<Record<SqlTypeName, number>> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4 };

export function isInteger(type: SqlType): boolean {
  return integerRank[type.name] !== undefined;
}

export function isExactNumeric(type: SqlType): boolean {
  return isInteger(type) || type.name === "DECIMAL";
}

export function isApproximate(type: SqlType): boolean {
  return type.name === "REAL" || type.name === "DOUBLE";
}

export function isNumeric(type: SqlType): boolean {
  return families[type.name] === "NUMERIC";
}

export function isCharacter(type: SqlType): boolean {
  return type.name === "CHAR" || type.name === "VARCHAR";
}

export function isDatetime(type: SqlType): boolean {
  return type.name === "DATE" || type.name === "TIME" || type.name === "TIMESTAMP";
}

export function isInterval(type: SqlType): boolean {
  return type.name === "INTERVAL_DAY_TIME" || type.name === "INTERVAL_YEAR_MONTH";
}

export function integerRange(type: SqlType): [number, number] | undefined {
  return integerRanges[type.name];
}

/** Precision and scale of an exact numeric type (integers as DECIMAL(digits, 0)). */
export function decimalShape(type: SqlType): { precision: number; scale: number } {
  if (type.name === "DECIMAL") return { precision: type.precision ?? decimalPrecisionMax, scale: type.scale ?? 0 };
  return { precision: integerDigits[type.name] ?? decimalPrecisionMax, scale: 0 };
}

function decimal(precision: number, scale: number): SqlType {
  const p = Math.min(decimalPrecisionMax, Math.max(1, precision));
  return { name: "DECIMAL", precision: p, scale: Math.min(scale, p) };
}

function widerInteger(a: SqlType, b: SqlType): SqlType {
  const rankA = integerRank[a.name] ?? 0;
  const rankB = integerRank[b.name] ?? 0;
  // Arithmetic on small integers is done at least in INTEGER, as the reference's engine does.
  const rank = Math.max(rankA, rankB, 3);
  return { name: rank === 4 ? "BIGINT" : "INTEGER" };
}

/** The result type of + - * / % on two numeric operands, or undefined when not both numeric. */
export function numericResultType(operator: "+" | "-" | "*" | "/" | "%", a: SqlType, b: SqlType): SqlType | undefined {
  if (!isNumeric(a) || !isNumeric(b)) return undefined;
  if (isApproximate(a) || isApproximate(b)) return { name: "DOUBLE" };
  // MOD's result has the divisor's type (the remainder is smaller than the divisor).
  if (isInteger(a) && isInteger(b)) return operator === "%" ? { name: b.name } : widerInteger(a, b);
  const left = decimalShape(a);
  const right = decimalShape(b);
  switch (operator) {
    case "*":
      return decimal(left.precision + right.precision, left.scale + right.scale);
    case "/": {
      const whole = left.precision - left.scale + right.scale;
      let scale = Math.max(6, left.scale + right.precision + 1);
      if (whole + scale > decimalPrecisionMax) scale = Math.max(left.scale, decimalPrecisionMax - whole);
      return decimal(whole + scale, scale);
    }
    case "%":
      return decimal(Math.max(left.precision, right.precision), Math.max(left.scale, right.scale));
    default: {
      const scale = Math.max(left.scale, right.scale);
      const whole = Math.max(left.precision - left.scale, right.precision - right.scale) + 1;
      return decimal(whole + scale, scale);
    }
  }
}

/**
 * The type several values share (CASE branches, IN lists, UNION columns, comparison operands):
 * undefined when their families differ. NULL yields to any type.
 */
export function commonType(types: readonly SqlType[]): SqlType | undefined {
  let result: SqlType | undefined;
  for (const type of types) {
    if (type.name === "NULL") continue;
    if (result === undefined) {
      result = type;
      continue;
    }
    const merged = commonOfTwo(result, type);
    if (merged === undefined) return undefined;
    result = merged;
  }
  return result ?? { name: "NULL" };
}

function commonOfTwo(a: SqlType, b: SqlType): SqlType | undefined {
  const family = familyOf(a);
  if (family !== familyOf(b)) return undefined;
  if (a.name === b.name && a.precision === b.precision && a.scale === b.scale) return a;
  switch (family) {
    case "NUMERIC":
      if (isApproximate(a) || isApproximate(b)) return { name: "DOUBLE" };
      if (isInteger(a) && isInteger(b)) return (integerRank[a.name] ?? 0) >= (integerRank[b.name] ?? 0) ? a : b;
      {
        const left = decimalShape(a);
        const right = decimalShape(b);
        const scale = Math.max(left.scale, right.scale);
        return decimal(Math.max(left.precision - left.scale, right.precision - right.scale) + scale, scale);
      }
    case "CHARACTER":
    case "BINARY": {
      const precision = Math.max(a.precision ?? 1, b.precision ?? 1);
      // CHAR(3) and CHAR(5) meet in CHAR(5) (the shorter is padded), as standard SQL says.
      const varying = a.name.startsWith("VAR") || b.name.startsWith("VAR");
      const name = family === "CHARACTER" ? (varying ? "VARCHAR" : "CHAR") : varying ? "VARBINARY" : "BINARY";
      return { name, precision };
    }
    case "TIMESTAMP":
    case "TIME":
      return (a.precision ?? 0) >= (b.precision ?? 0) ? a : b;
    case "ROW":
      return (a.fields?.length ?? 0) === (b.fields?.length ?? 0) ? a : undefined;
    default:
      return a;
  }
}

/** Whether a value of `source` may be inserted into a column of `target` (same family, as the validator checks). */
export function canAssign(target: SqlType, source: SqlType): boolean {
  if (source.name === "NULL") return true;
  return familyOf(target) === familyOf(source);
}

/** Whether two types may be compared with = < > … */
export function comparable(a: SqlType, b: SqlType): boolean {
  if (a.name === "NULL" || b.name === "NULL") return true;
  const family = familyOf(a);
  if (family !== familyOf(b)) return false;
  return family !== "SYMBOL";
}


/** A type's family as the service names it in "No match found for function signature F(<NUMERIC>)". */
export function familyText(type: SqlType): string {
  switch (familyOf(type)) {
    case "NUMERIC":
      return "<NUMERIC>";
    case "CHARACTER":
      return "<CHARACTER>";
    case "BINARY":
      return "<BINARY>";
    case "INTERVAL_DAY_TIME":
      return "<INTERVAL_DAY_TIME>";
    case "INTERVAL_YEAR_MONTH":
      return "<INTERVAL_YEAR_MONTH>";
    case "NULL":
      return "<NULL>";
    case "SYMBOL":
      return "<SYMBOL>";
    default:
      return `<${type.name}>`;
  }
}
