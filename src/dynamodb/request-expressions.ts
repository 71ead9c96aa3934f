/**
 * The expression parameters of a request, checked and parsed in AWS's order (dynalite's
 * validateExpressionParams and validateExpressions): expression and legacy parameters are not
 * mixed, placeholders are well formed and their values valid, each expression parses, and every
 * placeholder given is used.
 */
import { validateAttributeValue, type AttributeValue, type Item } from "./attribute-value.js";
import { dynamoDbErrors } from "./errors.js";
import type { Condition, DocumentPath, UpdateAction } from "./expressions/ast.js";
import { ExpressionContext } from "./expressions/parser.js";

/** 4 KB: the most any one expression string may take. */
export const expressionBytesMax = 4096;

export interface ExpressionParams {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ConditionExpression?: string;
  UpdateExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
}

export interface ParsedExpressions {
  condition?: Condition;
  update?: UpdateAction[];
  filter?: Condition;
  projection?: DocumentPath[];
}

/** Throws ValidationException when expression and legacy parameters are mixed, or placeholders are given without expressions. */
export function checkExpressionParams(input: Record<string, unknown>, expressions: readonly string[], legacy: readonly string[]): void {
  const used = expressions.filter((name) => input[name] !== undefined);
  if (used.length > 0) {
    const legacyUsed = legacy.filter((name) => input[name] !== undefined);
    if (legacyUsed.length > 0) {
      throw dynamoDbErrors.validation(
        `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${legacyUsed.join(", ")}} Expression parameters: {${used.join(", ")}}`,
      );
    }
  }
  if (input.ExpressionAttributeNames !== undefined && used.length === 0) {
    throw dynamoDbErrors.validation("ExpressionAttributeNames can only be specified when using expressions");
  }
  const valueExpressions = expressions.filter((name) => name !== "ProjectionExpression");
  if (valueExpressions.length > 0 && input.ExpressionAttributeValues !== undefined && valueExpressions.every((name) => input[name] === undefined)) {
    throw dynamoDbErrors.validation(
      `ExpressionAttributeValues can only be specified when using expressions: ${valueExpressions.join(" and ")} ${valueExpressions.length > 1 ? "are" : "is"} null`,
    );
  }
}

export function parseExpressions(input: ExpressionParams): ParsedExpressions {
  const names = input.ExpressionAttributeNames;
  const values = input.ExpressionAttributeValues;
  if (names !== undefined) {
    if (Object.keys(names).length === 0) throw dynamoDbErrors.validation("ExpressionAttributeNames must not be empty");
    for (const key of Object.keys(names)) {
      if (!/^#[0-9a-zA-Z_]+$/.test(key)) throw dynamoDbErrors.validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
    }
  }
  if (values !== undefined) {
    if (Object.keys(values).length === 0) throw dynamoDbErrors.validation("ExpressionAttributeValues must not be empty");
    for (const key of Object.keys(values)) {
      if (!/^:[0-9a-zA-Z_]+$/.test(key)) throw dynamoDbErrors.validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
    }
    for (const [key, value] of Object.entries(values)) {
      const message = validateAttributeValue(value as Record<string, unknown>);
      if (message) throw dynamoDbErrors.validation(`ExpressionAttributeValues contains invalid value: ${message} for key ${key}`);
    }
  }
  const context = new ExpressionContext({ ...(names && { names }), ...(values && { values }) });
  const parsed: ParsedExpressions = {};
  const take = <T>(label: string, outcome: { ok: true; value: T } | { ok: false; message: string }): T => {
    if (!outcome.ok) throw dynamoDbErrors.validation(`Invalid ${label}: ${outcome.message}`);
    return outcome.value;
  };
  for (const label of ["UpdateExpression", "ConditionExpression", "FilterExpression", "ProjectionExpression"] as const) {
    // DynamoDB's limit on any expression string (Constraints, "Expression parameters"); it also
    // bounds how deeply a hostile expression can make the recursive-descent parser nest.
    const sizeBytes = input[label] === undefined ? 0 : Buffer.byteLength(input[label], "utf8");
    if (sizeBytes > expressionBytesMax) {
      throw dynamoDbErrors.validation(`Invalid ${label}: Expression size has exceeded the maximum allowed size; expression size: ${sizeBytes}`);
    }
  }
  if (input.UpdateExpression !== undefined) parsed.update = take("UpdateExpression", context.update(input.UpdateExpression));
  if (input.ConditionExpression !== undefined) parsed.condition = take("ConditionExpression", context.condition(input.ConditionExpression));
  if (input.FilterExpression !== undefined) parsed.filter = take("FilterExpression", context.condition(input.FilterExpression));
  if (input.ProjectionExpression !== undefined) parsed.projection = take("ProjectionExpression", context.projection(input.ProjectionExpression));
  if (context.unusedNames.size > 0) {
    throw dynamoDbErrors.validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${[...context.unusedNames].join(", ")}}`);
  }
  if (context.unusedValues.size > 0) {
    throw dynamoDbErrors.validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${[...context.unusedValues].join(", ")}}`);
  }
  return parsed;
}

/** Validates every value of an item or key (canonicalising numbers); throws ValidationException. */
export function checkAttributeValues(item: Item | undefined, prefix = ""): void {
  for (const value of Object.values(item ?? {})) {
    const message = validateAttributeValue(value as Record<string, unknown>);
    if (message) throw dynamoDbErrors.validation(`${prefix}${message}`);
  }
}
