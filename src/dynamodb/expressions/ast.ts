/** The parsed forms of condition, update and projection expressions. */
import type { AttributeValue } from "../attribute-value.js";

/** A document path, placeholders resolved: attribute and map key names, and list indexes. */
export type DocumentPath = (string | number)[];

export type Operand =
  | { kind: "path"; path: DocumentPath }
  | { kind: "value"; value: AttributeValue }
  | { kind: "size"; path: DocumentPath };

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";
export type ConditionFunction = "attribute_exists" | "attribute_not_exists" | "attribute_type" | "begins_with" | "contains";

export type Condition =
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; operand: Condition }
  | { kind: "compare"; comparator: Comparator; left: Operand; right: Operand }
  | { kind: "between"; subject: Operand; low: Operand; high: Operand }
  | { kind: "in"; subject: Operand; options: Operand[] }
  | { kind: "function"; name: ConditionFunction; args: Operand[] };

export type UpdateValue =
  | Operand
  | { kind: "plus" | "minus"; left: UpdateValue; right: UpdateValue }
  | { kind: "if_not_exists"; path: DocumentPath; fallback: UpdateValue }
  | { kind: "list_append"; left: UpdateValue; right: UpdateValue };

export type UpdateAction =
  | { kind: "set"; path: DocumentPath; value: UpdateValue }
  | { kind: "remove"; path: DocumentPath }
  | { kind: "add" | "delete"; path: DocumentPath; value: AttributeValue };

export function pathText(path: DocumentPath): string {
  return `[${path.map((piece) => (typeof piece === "number" ? `[${piece}]` : piece)).join(", ")}]`;
}
