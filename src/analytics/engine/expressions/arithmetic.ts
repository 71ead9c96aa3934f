/**
 * Arithmetic operators (SQL Reference "Arithmetic Operators", "Numeric Types and Precision",
 * "Date, Timestamp, and Interval Operators"): the result type of each operand pairing and the
 * operation on non-null values (nulls never reach these functions: the compiler returns null
 * first). Integer arithmetic truncates toward zero and checks its type's range; DECIMAL results
 * are rounded to their scale; any division by zero is a row error.
 */
import { SqlRuntimeError, type SqlInterval, type SqlType, type SqlValue } from "../../sql/types.js";
import { addMonths, dayOf, timeOfDay } from "./datetime.js";
import { integerRange, isInteger, isNumeric, numericResultType } from "./type-rules.js";
import { roundHalfAway } from "./values.js";

export type ArithmeticOperator = "+" | "-" | "*" | "/" | "%";
export type BinaryOperation = (a: SqlValue, b: SqlValue) => SqlValue;

export interface CompiledArithmetic {
  type: SqlType;
  apply: BinaryOperation;
}

export const divideByZeroName = "Divide by zero";

export function divideByZero(): SqlRuntimeError {
  return new SqlRuntimeError(divideByZeroName, "/ by zero");
}

function overflowError(type: SqlType): SqlRuntimeError {
  return new SqlRuntimeError("Overflow", `Overflow: result out of range for type ${type.name}`);
}

function numericOperation(operator: ArithmeticOperator, type: SqlType): BinaryOperation {
  const range = integerRange(type);
  if (range !== undefined) {
    const [low, high] = range;
    const check = (value: number): number => {
      if (value < low || value > high) throw overflowError(type);
      return value;
    };
    switch (operator) {
      case "+":
        return (a, b) => check((a as number) + (b as number));
      case "-":
        return (a, b) => check((a as number) - (b as number));
      case "*":
        return (a, b) => check((a as number) * (b as number));
      case "/":
        return (a, b) => {
          if (b === 0) throw divideByZero();
          const quotient = Math.trunc((a as number) / (b as number));
          return check(quotient === 0 ? 0 : quotient);
        };
      default:
        return (a, b) => {
          if (b === 0) throw divideByZero();
          const remainder = (a as number) % (b as number);
          return remainder === 0 ? 0 : remainder;
        };
    }
  }
  const scale = type.name === "DECIMAL" ? type.scale ?? 0 : -1;
  const round = scale >= 0 ? (value: number): number => roundHalfAway(value, scale) : (value: number): number => value;
  switch (operator) {
    case "+":
      return (a, b) => round((a as number) + (b as number));
    case "-":
      return (a, b) => round((a as number) - (b as number));
    case "*":
      return (a, b) => round((a as number) * (b as number));
    case "/":
      return (a, b) => {
        if (b === 0) throw divideByZero();
        return round((a as number) / (b as number));
      };
    default:
      return (a, b) => {
        if (b === 0) throw divideByZero();
        return round((a as number) % (b as number));
      };
  }
}

function intervalType(name: "INTERVAL_DAY_TIME" | "INTERVAL_YEAR_MONTH", ...qualifiers: (string | undefined)[]): SqlType {
  const order = name === "INTERVAL_DAY_TIME" ? ["DAY", "HOUR", "MINUTE", "SECOND"] : ["YEAR", "MONTH"];
  let start = order.length;
  let end = -1;
  for (const qualifier of qualifiers) {
    if (qualifier === undefined) continue;
    const parts = qualifier.toUpperCase().split(/\s+TO\s+/).map((part) => part.replace(/\(.*\)/, "").trim());
    start = Math.min(start, order.indexOf(parts[0] ?? ""));
    end = Math.max(end, order.indexOf(parts[parts.length - 1] ?? ""));
  }
  if (start >= order.length || start < 0 || end < 0) return { name };
  const qualifier = start === end ? order[start] : `${order[start]} TO ${order[end]}`;
  return { name, qualifier };
}

function shiftDatetime(type: SqlType, intervalKind: string, sign: 1 | -1): BinaryOperation | undefined {
  if (intervalKind === "INTERVAL_DAY_TIME") {
    if (type.name === "TIMESTAMP") return (t, i) => (t as number) + sign * ((i as SqlInterval).ms ?? 0);
    if (type.name === "DATE") return (t, i) => dayOf((t as number) + sign * ((i as SqlInterval).ms ?? 0));
    if (type.name === "TIME") return (t, i) => timeOfDay((t as number) + sign * ((i as SqlInterval).ms ?? 0));
    return undefined;
  }
  if (type.name === "TIMESTAMP" || type.name === "DATE") return (t, i) => addMonths(t as number, sign * ((i as SqlInterval).months ?? 0));
  return undefined;
}

function intervalOf(type: SqlType, ms: number): SqlInterval {
  return type.name === "INTERVAL_YEAR_MONTH" ? { kind: "interval", months: Math.trunc(ms) } : { kind: "interval", ms: Math.round(ms) };
}

function intervalAmount(value: SqlValue): number {
  const interval = value as SqlInterval;
  return interval.ms ?? interval.months ?? 0;
}

function datetimeOrInterval(operator: ArithmeticOperator, left: SqlType, right: SqlType): CompiledArithmetic | undefined {
  const leftInterval = left.name === "INTERVAL_DAY_TIME" || left.name === "INTERVAL_YEAR_MONTH";
  const rightInterval = right.name === "INTERVAL_DAY_TIME" || right.name === "INTERVAL_YEAR_MONTH";
  const datetime = (type: SqlType): boolean => type.name === "TIMESTAMP" || type.name === "DATE" || type.name === "TIME";
  if ((operator === "+" || operator === "-") && datetime(left) && rightInterval) {
    const shift = shiftDatetime(left, right.name, operator === "+" ? 1 : -1);
    return shift === undefined ? undefined : { type: left, apply: shift };
  }
  if (operator === "+" && leftInterval && datetime(right)) {
    const shift = shiftDatetime(right, left.name, 1);
    return shift === undefined ? undefined : { type: right, apply: (i, t) => shift(t, i) };
  }
  if (operator === "-" && datetime(left) && left.name === right.name) {
    // (datetime - datetime): a day-time interval of the difference.
    return { type: intervalType("INTERVAL_DAY_TIME", "DAY TO SECOND"), apply: (a, b) => ({ kind: "interval", ms: (a as number) - (b as number) }) };
  }
  if ((operator === "+" || operator === "-") && leftInterval && left.name === right.name) {
    const type = intervalType(left.name as "INTERVAL_DAY_TIME", left.qualifier, right.qualifier);
    const sign = operator === "+" ? 1 : -1;
    return { type, apply: (a, b) => intervalOf(type, intervalAmount(a) + sign * intervalAmount(b)) };
  }
  if (operator === "*" && leftInterval && isNumeric(right)) return { type: left, apply: (a, b) => intervalOf(left, intervalAmount(a) * (b as number)) };
  if (operator === "*" && isNumeric(left) && rightInterval) return { type: right, apply: (a, b) => intervalOf(right, (a as number) * intervalAmount(b)) };
  if (operator === "/" && leftInterval && isNumeric(right)) {
    return {
      type: left,
      apply: (a, b) => {
        if (b === 0) throw divideByZero();
        return intervalOf(left, intervalAmount(a) / (b as number));
      },
    };
  }
  return undefined;
}

/** The typed operation for `left operator right`, or undefined when the types do not combine. */
export function compileArithmetic(operator: ArithmeticOperator, left: SqlType, right: SqlType): CompiledArithmetic | undefined {
  const numericType = numericResultType(operator, left, right);
  if (numericType !== undefined) return { type: numericType, apply: numericOperation(operator, numericType) };
  return datetimeOrInterval(operator, left, right);
}

/** Unary minus on a numeric or interval operand. */
export function compileNegate(type: SqlType): ((value: SqlValue) => SqlValue) | undefined {
  if (isNumeric(type)) {
    const range = isInteger(type) ? integerRange(type) : undefined;
    return (value) => {
      const negated = -(value as number);
      if (range !== undefined && negated > range[1]) throw overflowError(type);
      return negated === 0 ? 0 : negated;
    };
  }
  if (type.name === "INTERVAL_DAY_TIME") return (value) => ({ kind: "interval", ms: -((value as SqlInterval).ms ?? 0) });
  if (type.name === "INTERVAL_YEAR_MONTH") return (value) => ({ kind: "interval", months: -((value as SqlInterval).months ?? 0) });
  return undefined;
}
