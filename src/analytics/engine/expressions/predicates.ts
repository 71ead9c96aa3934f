/**
 * Boolean operators over compiled operands with SQL's three-valued logic (null is UNKNOWN):
 * comparison, AND / OR / NOT, IS [NOT] NULL/TRUE/FALSE/UNKNOWN, [NOT] BETWEEN [SYMMETRIC],
 * [NOT] IN (...), [NOT] LIKE / SIMILAR TO [ESCAPE]. Each returns an Evaluator; the compiler
 * checks operand types first.
 */
import type { SqlValue } from "../../sql/types.js";
import type { Compiled, Evaluator } from "./compiled.js";
import { likeToRegExp, similarToRegExp } from "./patterns.js";
import { isNumeric } from "./type-rules.js";
import { compareValues } from "./values.js";

export type ComparisonOperator = "=" | "<>" | "<" | "<=" | ">" | ">=";

function test(operator: ComparisonOperator): (order: number) => boolean {
  switch (operator) {
    case "=":
      return (order) => order === 0;
    case "<>":
      return (order) => order !== 0;
    case "<":
      return (order) => order < 0;
    case "<=":
      return (order) => order <= 0;
    case ">":
      return (order) => order > 0;
    default:
      return (order) => order >= 0;
  }
}

function numberComparison(operator: ComparisonOperator, left: Evaluator, right: Evaluator): Evaluator {
  // Written out per operator: this is the hot path of filter applications.
  switch (operator) {
    case "=":
      return (row, t, c) => {
        const a = left(row, t, c);
        if (a === null) return null;
        const b = right(row, t, c);
        return b === null ? null : a === b;
      };
    case "<>":
      return (row, t, c) => {
        const a = left(row, t, c);
        if (a === null) return null;
        const b = right(row, t, c);
        return b === null ? null : a !== b;
      };
    case "<":
      return (row, t, c) => {
        const a = left(row, t, c);
        if (a === null) return null;
        const b = right(row, t, c);
        return b === null ? null : (a as number) < (b as number);
      };
    case "<=":
      return (row, t, c) => {
        const a = left(row, t, c);
        if (a === null) return null;
        const b = right(row, t, c);
        return b === null ? null : (a as number) <= (b as number);
      };
    case ">":
      return (row, t, c) => {
        const a = left(row, t, c);
        if (a === null) return null;
        const b = right(row, t, c);
        return b === null ? null : (a as number) > (b as number);
      };
    default:
      return (row, t, c) => {
        const a = left(row, t, c);
        if (a === null) return null;
        const b = right(row, t, c);
        return b === null ? null : (a as number) >= (b as number);
      };
  }
}

export function comparison(operator: ComparisonOperator, left: Compiled, right: Compiled): Evaluator {
  const l = left.evaluate;
  const r = right.evaluate;
  const bothNumbers = (isNumeric(left.type) || left.type.name === "NULL") && (isNumeric(right.type) || right.type.name === "NULL");
  const timeLike = (name: string): boolean => name === "TIMESTAMP" || name === "DATE" || name === "TIME";
  if (bothNumbers || (timeLike(left.type.name) && timeLike(right.type.name))) return numberComparison(operator, l, r);
  const padded = left.type.name === "CHAR" || right.type.name === "CHAR";
  const accept = test(operator);
  return (row, t, c) => {
    const a = l(row, t, c);
    if (a === null) return null;
    const b = r(row, t, c);
    return b === null ? null : accept(compareValues(a, b, padded));
  };
}

export function and(left: Evaluator, right: Evaluator): Evaluator {
  return (row, t, c) => {
    const a = left(row, t, c);
    if (a === false) return false;
    const b = right(row, t, c);
    if (b === false) return false;
    return a === null || b === null ? null : true;
  };
}

export function or(left: Evaluator, right: Evaluator): Evaluator {
  return (row, t, c) => {
    const a = left(row, t, c);
    if (a === true) return true;
    const b = right(row, t, c);
    if (b === true) return true;
    return a === null || b === null ? null : false;
  };
}

export function not(operand: Evaluator): Evaluator {
  return (row, t, c) => {
    const value = operand(row, t, c);
    return value === null ? null : !value;
  };
}

export function isTest(operand: Evaluator, kind: "NULL" | "TRUE" | "FALSE" | "UNKNOWN", negated: boolean): Evaluator {
  const target: SqlValue = kind === "TRUE" ? true : kind === "FALSE" ? false : null;
  return negated ? (row, t, c) => operand(row, t, c) !== target : (row, t, c) => operand(row, t, c) === target;
}

export function between(value: Compiled, low: Compiled, high: Compiled, symmetric: boolean, negated: boolean): Evaluator {
  const v = value.evaluate;
  const lo = low.evaluate;
  const hi = high.evaluate;
  const padded = [value, low, high].some((operand) => operand.type.name === "CHAR");
  const result: Evaluator = (row, t, c) => {
    const x = v(row, t, c);
    if (x === null) return null;
    let a = lo(row, t, c);
    let b = hi(row, t, c);
    if (symmetric && a !== null && b !== null && compareValues(a, b, padded) > 0) [a, b] = [b, a];
    const aboveLow = a === null ? null : compareValues(x, a, padded) >= 0;
    const belowHigh = b === null ? null : compareValues(x, b, padded) <= 0;
    if (aboveLow === false || belowHigh === false) return false;
    return aboveLow === null || belowHigh === null ? null : true;
  };
  return negated ? not(result) : result;
}

/** A set of constant members for IN, keyed so that equal values of one family meet. */
function memberKey(value: SqlValue, padded: boolean): unknown {
  if (typeof value === "string" && padded) return value.replace(/ +$/, "");
  return value;
}

export function inList(value: Compiled, list: readonly Compiled[], negated: boolean): Evaluator {
  const v = value.evaluate;
  const padded = value.type.name === "CHAR" || list.some((item) => item.type.name === "CHAR");
  const primitive = (item: Compiled): boolean => typeof item.constant === "number" || typeof item.constant === "string" || typeof item.constant === "boolean";
  let result: Evaluator;
  if (list.every(primitive)) {
    const members = new Set(list.map((item) => memberKey(item.constant as SqlValue, padded)));
    result = (row, t, c) => {
      const x = v(row, t, c);
      if (x === null) return null;
      return members.has(memberKey(x, padded));
    };
  } else {
    const items = list.map((item) => item.evaluate);
    result = (row, t, c) => {
      const x = v(row, t, c);
      if (x === null) return null;
      let sawNull = false;
      for (const item of items) {
        const y = item(row, t, c);
        if (y === null) sawNull = true;
        else if (compareValues(x, y, padded) === 0) return true;
      }
      return sawNull ? null : false;
    };
  }
  return negated ? not(result) : result;
}

export function like(operator: "LIKE" | "SIMILAR TO", value: Compiled, pattern: Compiled, escape: Compiled | undefined, negated: boolean): Evaluator {
  const build = operator === "LIKE" ? likeToRegExp : similarToRegExp;
  const v = value.evaluate;
  const p = pattern.evaluate;
  const e = escape?.evaluate;
  let cachedPattern: string | undefined;
  let cachedEscape: string | undefined;
  let cached: RegExp | undefined;
  const regex = (text: string, escapeText: string | undefined): RegExp => {
    if (cached === undefined || text !== cachedPattern || escapeText !== cachedEscape) {
      cached = build(text, escapeText);
      cachedPattern = text;
      cachedEscape = escapeText;
    }
    return cached;
  };
  const result: Evaluator = (row, t, c) => {
    const x = v(row, t, c);
    if (x === null) return null;
    const text = p(row, t, c);
    if (text === null) return null;
    let escapeText: string | undefined;
    if (e !== undefined) {
      const value = e(row, t, c);
      if (value === null) return null;
      escapeText = value as string;
    }
    return regex(text as string, escapeText).test(x as string);
  };
  return negated ? not(result) : result;
}
