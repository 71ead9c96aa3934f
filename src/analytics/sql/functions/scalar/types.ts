/**
 * Type helpers shared by the scalar functions: argument-type tests, the names types print as in
 * messages, and the service's (Calcite's) wording for calls that do not fit a function.
 */
import type { Resolution, ScalarImplementation } from "../contracts.js";
import type { SqlType, SqlTypeName, SqlValue } from "../../types.js";
import { typeText } from "../../types.js";
export { typeText };

export const exactIntegerNames: ReadonlySet<SqlTypeName> = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT"]);
const numericNames: ReadonlySet<SqlTypeName> = new Set([...exactIntegerNames, "DECIMAL", "REAL", "DOUBLE"]);
const characterNames: ReadonlySet<SqlTypeName> = new Set(["CHAR", "VARCHAR"]);
const datetimeNames: ReadonlySet<SqlTypeName> = new Set(["DATE", "TIME", "TIMESTAMP"]);

/** A bare NULL literal fits every parameter; its call gives null. */
export const isNull = (type: SqlType): boolean => type.name === "NULL";
export const isNumeric = (type: SqlType): boolean => numericNames.has(type.name) || isNull(type);
/** An exact numeric of scale 0 (integer types, DECIMAL(p, 0)). */
export const isWholeNumber = (type: SqlType): boolean =>
  exactIntegerNames.has(type.name) || (type.name === "DECIMAL" && (type.scale ?? 0) === 0) || isNull(type);
export const isCharacter = (type: SqlType): boolean => characterNames.has(type.name) || isNull(type);
export const isDatetime = (type: SqlType): boolean => datetimeNames.has(type.name) || isNull(type);
export const isInterval = (type: SqlType): boolean =>
  type.name === "INTERVAL_DAY_TIME" || type.name === "INTERVAL_YEAR_MONTH" || isNull(type);
export const isSymbol = (type: SqlType): boolean => type.name === "SYMBOL";

export const varchar = (length: number): SqlType => ({ name: "VARCHAR", precision: length });
export const integer: SqlType = { name: "INTEGER" };
export const bigint: SqlType = { name: "BIGINT" };
export const double: SqlType = { name: "DOUBLE" };
export const timestamp: SqlType = { name: "TIMESTAMP", precision: 3 };
export const date: SqlType = { name: "DATE" };
export const time: SqlType = { name: "TIME", precision: 0 };

/** The reference's unbounded VARCHAR (REGEX_REPLACE's declared result). */
export const varcharMaxLength = 65535;


export function ok(implementation: ScalarImplementation): Resolution<ScalarImplementation> {
  return { ok: true, value: implementation };
}

export function fail(message: string): Resolution<ScalarImplementation> {
  return { ok: false, message };
}

/** Calcite's message for argument types no form of the function accepts. */
export function cannotApply(name: string, args: readonly SqlType[], forms: readonly string[]): Resolution<ScalarImplementation> {
  const signature = `${name}(${args.map((type) => `<${typeText(type)}>`).join(", ")})`;
  return fail(`Cannot apply '${name}' to arguments of type '${signature}'. Supported form(s): ${forms.map((form) => `'${form}'`).join("\n")}`);
}

/** Calcite's message for a wrong number of arguments. */
export function wrongArgumentCount(name: string, expected: string): Resolution<ScalarImplementation> {
  return fail(`Invalid number of arguments to function '${name}'. Was expecting ${expected} arguments`);
}

/** The upper-case keyword a SYMBOL argument carries, if it is one. */
export function symbolValue(type: SqlType | undefined, constant: SqlValue | undefined): string | undefined {
  if (type === undefined || !isSymbol(type) || typeof constant !== "string") return undefined;
  return constant.toUpperCase();
}

/** A constant string argument (a literal, after constant folding), if it is one. */
export function constantString(constant: SqlValue | undefined): string | undefined {
  return typeof constant === "string" ? constant : undefined;
}

/** Whether every argument could be null (the planner's nullable flag is advisory, so default true). */
export function resultNullable(args: readonly SqlType[]): boolean {
  return args.some((type) => type.nullable !== false);
}
