/**
 * The legacy (pre-expression) parameters KCL for Java still sends: Expected (Value/Exists or
 * ComparisonOperator/AttributeValueList, joined by ConditionalOperator), ScanFilter, and
 * AttributeUpdates (PUT, ADD, DELETE). Checks in AWS's words as dynalite records them.
 */
import { compareScalars, typeOf, valuesEqual, type AttributeValue, type Item } from "../attribute-value.js";
import { addDecimals, formatDecimal } from "../numbers.js";
import { decimalOf } from "../attribute-value.js";
import { beginsWith, contains } from "./evaluate.js";

export interface ExpectedAttribute {
  Value?: AttributeValue;
  Exists?: boolean;
  ComparisonOperator?: string;
  AttributeValueList?: AttributeValue[];
}

export interface AttributeUpdate {
  Action?: string;
  Value?: AttributeValue;
}

const invalid = "One or more parameter values were invalid: ";
const operandCounts: Record<string, (count: number) => boolean> = {
  EQ: (n) => n === 1, NE: (n) => n === 1, LE: (n) => n === 1, LT: (n) => n === 1, GE: (n) => n === 1, GT: (n) => n === 1,
  CONTAINS: (n) => n === 1, NOT_CONTAINS: (n) => n === 1, BEGINS_WITH: (n) => n === 1,
  NULL: (n) => n === 0, NOT_NULL: (n) => n === 0, IN: (n) => n > 0, BETWEEN: (n) => n === 2,
};

/** The first problem with an Expected map, or undefined. */
export function checkExpected(expected: Record<string, ExpectedAttribute>): string | undefined {
  for (const [name, condition] of Object.entries(expected)) {
    if (condition.AttributeValueList !== undefined && condition.Value !== undefined) {
      return `${invalid}Value and AttributeValueList cannot be used together for Attribute: ${name}`;
    }
    if (condition.ComparisonOperator !== undefined) {
      const operator = condition.ComparisonOperator;
      if (condition.Exists !== undefined) return `${invalid}Exists and ComparisonOperator cannot be used together for Attribute: ${name}`;
      if (operator !== "NULL" && operator !== "NOT_NULL" && condition.AttributeValueList === undefined && condition.Value === undefined) {
        return `${invalid}Value or AttributeValueList must be used with ComparisonOperator: ${operator} for Attribute: ${name}`;
      }
      const count = condition.AttributeValueList?.length ?? (condition.Value !== undefined ? 1 : 0);
      if (!operandCounts[operator]?.(count)) return `${invalid}Invalid number of argument(s) for the ${operator} ComparisonOperator`;
      const list = condition.AttributeValueList ?? [];
      if (list.length > 0 && list.some((value) => typeOf(value) !== typeOf(list[0]!))) {
        return `${invalid}AttributeValues inside AttributeValueList must be of same type`;
      }
      if (operator === "BETWEEN" && (compareScalars(list[0]!, list[1]!) ?? 0) > 0) {
        return "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound";
      }
    } else if (condition.AttributeValueList !== undefined) {
      return `${invalid}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${name}`;
    } else {
      const exists = condition.Exists ?? true;
      if (exists && condition.Value === undefined) {
        return `${invalid}Value must be provided when Exists is ${condition.Exists === undefined ? "null" : String(condition.Exists)} for Attribute: ${name}`;
      }
      if (!exists && condition.Value !== undefined) return `${invalid}Value cannot be used when Exists is false for Attribute: ${name}`;
    }
  }
  return undefined;
}

/** Whether the item meets every (AND) or any (OR) condition. */
export function matchesExpected(item: Item, expected: Record<string, ExpectedAttribute>, conditionalOperator = "AND"): boolean {
  const results = Object.entries(expected).map(([name, condition]) => {
    const operator = condition.Exists !== undefined ? (condition.Exists ? "EQ" : "NULL") : (condition.ComparisonOperator ?? "EQ");
    const operands = condition.AttributeValueList ?? (condition.Value !== undefined ? [condition.Value] : []);
    return compareLegacy(operator, item[name], operands);
  });
  return conditionalOperator === "OR" ? results.some(Boolean) : results.every(Boolean);
}

function compareLegacy(operator: string, value: AttributeValue | undefined, operands: readonly AttributeValue[]): boolean {
  const [first, second] = operands;
  const order = () => (value === undefined || first === undefined ? undefined : compareScalars(value, first));
  switch (operator) {
    case "EQ":
      return valuesEqual(value, first);
    case "NE":
      return !valuesEqual(value, first);
    case "LT":
      return (order() ?? 0) < 0 && order() !== undefined;
    case "LE":
      return order() !== undefined && order()! <= 0;
    case "GT":
      return order() !== undefined && order()! > 0;
    case "GE":
      return order() !== undefined && order()! >= 0;
    case "NULL":
      return value === undefined;
    case "NOT_NULL":
      return value !== undefined;
    case "CONTAINS":
      return contains(value, first);
    case "NOT_CONTAINS":
      return value !== undefined && !contains(value, first);
    case "BEGINS_WITH":
      return beginsWith(value, first);
    case "IN":
      return operands.some((operand) => valuesEqual(value, operand));
    case "BETWEEN": {
      if (value === undefined || first === undefined || second === undefined) return false;
      const low = compareScalars(value, first);
      const high = compareScalars(value, second);
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    default:
      return false;
  }
}

/** The first problem with an AttributeUpdates map, or undefined. */
export function checkAttributeUpdates(updates: Record<string, AttributeUpdate>): string | undefined {
  for (const update of Object.values(updates)) {
    if (update.Value === undefined && update.Action !== "DELETE") return `${invalid}Only DELETE action is allowed when no attribute value is specified`;
    if (update.Value === undefined) continue;
    const type = typeOf(update.Value);
    if (update.Action === "DELETE" && !["SS", "NS", "BS"].includes(type)) return `${invalid}DELETE action with value is not supported for the type ${type}`;
    if (update.Action === "ADD" && !["L", "SS", "NS", "BS", "N"].includes(type)) return `${invalid}ADD action is not supported for the type ${type}`;
  }
  return undefined;
}

export type LegacyUpdateOutcome = { ok: true; item: Item } | { ok: false; message: string };

export function applyAttributeUpdates(item: Item, updates: Record<string, AttributeUpdate>): LegacyUpdateOutcome {
  const updated = structuredClone(item);
  for (const [name, update] of Object.entries(updates)) {
    const action = update.Action ?? "PUT";
    const existing = updated[name];
    if (action === "PUT") {
      updated[name] = update.Value!;
    } else if (action === "ADD") {
      const value = update.Value!;
      if (existing !== undefined && typeOf(existing) !== typeOf(value)) return { ok: false, message: "Type mismatch for attribute to update" };
      if ("N" in value) {
        updated[name] = { N: formatDecimal(addDecimals(decimalOf(existing === undefined ? "0" : (existing as { N: string }).N), decimalOf(value.N))) };
      } else if ("L" in value) {
        updated[name] = { L: [...(existing === undefined ? [] : (existing as { L: AttributeValue[] }).L), ...value.L] };
      } else {
        const type = typeOf(value);
        const members = existing === undefined ? [] : (existing as Record<string, string[]>)[type]!;
        const extra = (value as Record<string, string[]>)[type]!.filter((member) => !members.includes(member));
        updated[name] = { [type]: [...members, ...extra] } as AttributeValue;
      }
    } else if (update.Value === undefined) {
      delete updated[name];
    } else if (existing !== undefined) {
      const type = typeOf(update.Value);
      if (typeOf(existing) !== type) return { ok: false, message: "Type mismatch for attribute to update" };
      const removing = (update.Value as Record<string, string[]>)[type]!;
      const left = (existing as Record<string, string[]>)[type]!.filter((member) => !removing.includes(member));
      if (left.length === 0) delete updated[name];
      else updated[name] = { [type]: left } as AttributeValue;
    }
  }
  return { ok: true, item: updated };
}
