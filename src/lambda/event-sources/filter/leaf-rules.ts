/**
 * One field's rule list — the array at a leaf of a filter pattern, `"Price": [ … ]` — compiled
 * into a predicate over the field's value. Grammar (Lambda's "Filter rule syntax", the subset of
 * EventBridge event patterns that EventBridge Pipes and Lambda event source mappings support):
 *
 *   rules      = "[" rule { "," rule } "]"              (not empty; any rule may match: OR)
 *   rule       = string | number | true | false | null  (equals; "" is the Empty rule)
 *              | { "prefix": string | { "equals-ignore-case": string } }
 *              | { "suffix": string | { "equals-ignore-case": string } }
 *              | { "equals-ignore-case": string }
 *              | { "anything-but": value | [ value { "," value } ] }   (value = string | number)
 *              | { "numeric": [ op, number [ , op, number ] ] }       (op = "=" alone, or a lower
 *                                                                      bound ">"/">=" and an upper "<"/"<=")
 *              | { "exists": true | false }
 *
 * Lambda does not take EventBridge's `anything-but` with prefix/suffix/equals-ignore-case/wildcard,
 * `wildcard` or `cidr` (the operator table's "Pipe support: No"): they are invalid here.
 *
 * Values: strings compare character by character; numbers by value, as JSON.parse reads them
 * (AWS compares their string representation, so there 300 and 300.0 differ; here they are equal:
 * the text of a number is gone once parsed); a string rule never matches a number and the other
 * way round. A field whose value is an array matches when any of its elements does.
 */
import { InvalidPattern } from "./invalid-pattern.js";

/** The value of a field as the event holds it; `undefined` when the field is absent. */
export type FieldPredicate = (value: unknown) => boolean;

type LeafPredicate = (leaf: string | number | boolean | null) => boolean;

/** EventBridge's documented numeric range: numbers outside it cannot be compared exactly. */
const numericBoundMax = 5.0e9;

export function compileRules(rules: unknown): FieldPredicate {
  if (!Array.isArray(rules) || rules.length === 0) throw new InvalidPattern("a field's rules must be a non-empty array");
  const strings = new Set<string>();
  const numbers = new Set<number>();
  let matchesTrue = false;
  let matchesFalse = false;
  let matchesNull = false;
  let existsTrue = false;
  let existsFalse = false;
  const others: LeafPredicate[] = [];
  for (const rule of rules) {
    if (typeof rule === "string") strings.add(rule);
    else if (typeof rule === "number") numbers.add(rule);
    else if (rule === true) matchesTrue = true;
    else if (rule === false) matchesFalse = true;
    else if (rule === null) matchesNull = true;
    else if (isPlainObject(rule)) {
      const [operator, operand] = singleEntry(rule);
      if (operator === "exists") {
        if (typeof operand !== "boolean") throw new InvalidPattern("exists takes true or false");
        if (operand) existsTrue = true;
        else existsFalse = true;
      } else {
        others.push(compileOperator(operator, operand));
      }
    } else {
      throw new InvalidPattern("a rule is a value or an operator object");
    }
  }
  const hasValues = strings.size > 0 || numbers.size > 0 || matchesTrue || matchesFalse || matchesNull || others.length > 0;
  const leaf: LeafPredicate = (value) => {
    switch (typeof value) {
      case "string":
        if (strings.has(value)) return true;
        break;
      case "number":
        if (numbers.has(value)) return true;
        break;
      case "boolean":
        if (value ? matchesTrue : matchesFalse) return true;
        break;
      default:
        if (matchesNull) return true;
    }
    for (const other of others) if (other(value)) return true;
    return false;
  };
  return (value) => {
    if (value === undefined || isPlainObject(value)) return existsFalse; // no leaf here: absent, or an object (exists works on leaves only)
    if (Array.isArray(value)) {
      let sawLeaf = false;
      for (const element of flattenLeaves(value)) {
        sawLeaf = true;
        if (existsTrue || (hasValues && leaf(element))) return true;
      }
      return sawLeaf ? false : existsFalse;
    }
    if (existsTrue) return true;
    return hasValues && leaf(value as string | number | boolean | null);
  };
}

function compileOperator(operator: string, operand: unknown): LeafPredicate {
  switch (operator) {
    case "prefix":
    case "suffix":
      return compileAffix(operator, operand);
    case "equals-ignore-case": {
      if (typeof operand !== "string") throw new InvalidPattern("equals-ignore-case takes a string");
      const folded = operand.toLowerCase();
      return (value) => typeof value === "string" && value.toLowerCase() === folded;
    }
    case "anything-but":
      return compileAnythingBut(operand);
    case "numeric":
      return compileNumeric(operand);
    default:
      // wildcard, cidr and anything else: not Lambda's
      throw new InvalidPattern(`unsupported operator ${operator}`);
  }
}

function compileAffix(operator: "prefix" | "suffix", operand: unknown): LeafPredicate {
  let text: string;
  let ignoreCase = false;
  if (typeof operand === "string") {
    text = operand;
  } else if (isPlainObject(operand)) {
    const [modifier, value] = singleEntry(operand);
    if (modifier !== "equals-ignore-case" || typeof value !== "string") throw new InvalidPattern(`${operator} takes a string or equals-ignore-case`);
    text = value.toLowerCase();
    ignoreCase = true;
  } else {
    throw new InvalidPattern(`${operator} takes a string`);
  }
  if (operator === "prefix") {
    return ignoreCase
      ? (value) => typeof value === "string" && value.toLowerCase().startsWith(text)
      : (value) => typeof value === "string" && value.startsWith(text);
  }
  return ignoreCase
    ? (value) => typeof value === "string" && value.toLowerCase().endsWith(text)
    : (value) => typeof value === "string" && value.endsWith(text);
}

function compileAnythingBut(operand: unknown): LeafPredicate {
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (excluded.length === 0) throw new InvalidPattern("anything-but takes a non-empty list");
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const value of excluded) {
    if (typeof value === "string") strings.add(value);
    else if (typeof value === "number") numbers.add(value);
    else throw new InvalidPattern("anything-but takes strings or numbers");
  }
  return (value) => {
    if (typeof value === "string") return !strings.has(value);
    if (typeof value === "number") return !numbers.has(value);
    return true;
  };
}

function compileNumeric(operand: unknown): LeafPredicate {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw new InvalidPattern("numeric takes one or two comparisons");
  let lower = -Infinity;
  let lowerInclusive = false;
  let upper = Infinity;
  let upperInclusive = false;
  let haveLower = false;
  let haveUpper = false;
  for (let index = 0; index < operand.length; index += 2) {
    const operator: unknown = operand[index];
    const bound: unknown = operand[index + 1];
    if (typeof bound !== "number" || !Number.isFinite(bound) || Math.abs(bound) > numericBoundMax) {
      throw new InvalidPattern("numeric bounds are numbers between -5.0e9 and 5.0e9");
    }
    if (operator === "=") {
      if (operand.length !== 2) throw new InvalidPattern("numeric = stands alone");
      return (value) => typeof value === "number" && value === bound;
    }
    if (operator === ">" || operator === ">=") {
      if (haveLower) throw new InvalidPattern("numeric has one lower bound");
      haveLower = true;
      lower = bound;
      lowerInclusive = operator === ">=";
    } else if (operator === "<" || operator === "<=") {
      if (haveUpper) throw new InvalidPattern("numeric has one upper bound");
      haveUpper = true;
      upper = bound;
      upperInclusive = operator === "<=";
    } else {
      throw new InvalidPattern("numeric operators are =, <, <=, >, >=");
    }
  }
  if (haveLower && haveUpper && !(lower < upper)) throw new InvalidPattern("numeric's lower bound is below its upper bound");
  return (value) => {
    if (typeof value !== "number") return false;
    if (lowerInclusive ? value < lower : value <= lower) return false;
    return upperInclusive ? value <= upper : value < upper;
  };
}

/** The leaves of an event array, nested arrays flattened; objects are not leaves. */
function* flattenLeaves(values: readonly unknown[]): Generator<string | number | boolean | null> {
  for (const value of values) {
    if (Array.isArray(value)) yield* flattenLeaves(value);
    else if (!isPlainObject(value) && value !== undefined) yield value as string | number | boolean | null;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function singleEntry(object: Record<string, unknown>): [string, unknown] {
  const keys = Object.keys(object);
  if (keys.length !== 1) throw new InvalidPattern("an operator object has exactly one member");
  return [keys[0]!, object[keys[0]!]];
}
