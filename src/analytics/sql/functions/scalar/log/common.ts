/** What the log parsers share: their default VARCHAR(1024) columns COLUMN1…n and argument checks. */
import type { Resolution, ScalarImplementation } from "../../contracts.js";
import type { SqlValue } from "../../../types.js";
import { fail } from "../types.js";
import { defaultColumnType, type ColumnSpec } from "./column-spec.js";

/** COLUMN1 … COLUMNn, VARCHAR(1024): the reference's columns when none are named. */
export function defaultColumns(count: number): ColumnSpec[] {
  return Array.from({ length: count }, (_, index) => ({ name: `COLUMN${index + 1}`, type: defaultColumnType, notNull: false }));
}

/** The parser arguments that decide the row type must be string literals. */
export function constantArgument(name: string, position: string, constant: SqlValue | undefined): string | Resolution<ScalarImplementation> {
  if (typeof constant === "string") return constant;
  return fail(`${name}'s ${position} argument must be a character literal (it decides the row's columns)`);
}

/** Truncates a captured field to its VARCHAR(1024) column. */
export function varcharField(text: string | undefined): string | null {
  if (text === undefined) return null;
  return text.length > 1024 ? text.slice(0, 1024) : text;
}
