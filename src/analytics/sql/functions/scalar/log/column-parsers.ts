/**
 * VARIABLE_COLUMN_LOG_PARSE(s, columns, delimiter [, escape [, quote]]) and
 * FIXED_COLUMN_LOG_PARSE(s, columns). `columns` is a number of VARCHAR(1024) columns COLUMN1…n
 * (VARIABLE only) or a list 'name TYPE type [NOT NULL] …'. VARIABLE splits at the delimiter string;
 * the escape string makes the next character literal ("a\,b" is one field "a,b"); text between the
 * quote characters (one character for both ends, or begin and end) stays in one field, the quotes
 * removed. Fields past the last column are ignored, missing ones are null. FIXED takes each column
 * from START (0-based) for FOR characters, or to the end. Typed fields convert as column-spec.ts says.
 */
import type { ScalarFunction } from "../../contracts.js";
import type { SqlValue } from "../../../types.js";
import { errorNames, rowError } from "../errors.js";
import { cannotApply, fail, isCharacter, isWholeNumber, ok, wrongArgumentCount } from "../types.js";
import { convertField, parseColumnSpecs, rowType, type ColumnSpec } from "./column-spec.js";
import { constantArgument, defaultColumns } from "./common.js";

const columnsMax = 1000;

/** Splits a line into fields; `escape` and `quote` may be empty (not used). */
export function splitFields(text: string, delimiter: string, escape: string, quote: string): string[] {
  const quoteBegin = quote[0];
  const quoteEnd = quote[1] ?? quoteBegin;
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    if (escape !== "" && text.startsWith(escape, index) && index + escape.length < text.length) {
      current += text[index + escape.length];
      index += escape.length + 1;
    } else if (quoted) {
      if (text[index] === quoteEnd) quoted = false;
      else current += text[index];
      index += 1;
    } else if (quoteBegin !== undefined && text[index] === quoteBegin) {
      quoted = true;
      index += 1;
    } else if (text.startsWith(delimiter, index)) {
      fields.push(current);
      current = "";
      index += delimiter.length;
    } else {
      current += text[index];
      index += 1;
    }
  }
  fields.push(current);
  return fields;
}

function columnList(name: string, constant: SqlValue | undefined, positions: boolean): ColumnSpec[] | string {
  if (typeof constant === "number") {
    if (positions) return `${name}'s columns must be a list with START positions`;
    if (!Number.isInteger(constant) || constant < 1 || constant > columnsMax) return `${name}: the number of columns must be 1 to ${columnsMax}`;
    return defaultColumns(constant);
  }
  if (typeof constant !== "string") return `${name}'s second argument must be a literal (it decides the row's columns)`;
  try {
    return parseColumnSpecs(constant, { typeKeyword: "required", positions });
  } catch (error) {
    return `${name}: bad column list: ${(error as Error).message}`;
  }
}

export const variableColumnLogParse: ScalarFunction = {
  name: "VARIABLE_COLUMN_LOG_PARSE",
  resolve(args, constants) {
    if (args.length < 3 || args.length > 5) return wrongArgumentCount("VARIABLE_COLUMN_LOG_PARSE", "3 to 5");
    const [source, columnsType, ...strings] = args;
    if (!isCharacter(source!) || !(isCharacter(columnsType!) || isWholeNumber(columnsType!)) || !strings.every(isCharacter)) {
      return cannotApply("VARIABLE_COLUMN_LOG_PARSE", args, [
        "VARIABLE_COLUMN_LOG_PARSE(<VARCHAR>, <INTEGER> | <VARCHAR> columns, <VARCHAR> delimiter [, <VARCHAR> escape, <VARCHAR> quote])",
      ]);
    }
    const columns = columnList("VARIABLE_COLUMN_LOG_PARSE", constants[1], false);
    if (typeof columns === "string") return fail(columns);
    return ok({
      type: rowType(columns),
      strict: false,
      evaluate([value, , delimiter, escape, quote], context) {
        if (value === null || delimiter === null) return null;
        if (delimiter === "") throw rowError(errorNames.invalidArgument, "VARIABLE_COLUMN_LOG_PARSE delimiter is empty");
        const fields = splitFields(value as string, delimiter as string, (escape ?? "") as string, (quote ?? "") as string);
        return columns.map((column, index) => convertField(fields[index] ?? null, column, context.nowMs));
      },
    });
  },
};

export const fixedColumnLogParse: ScalarFunction = {
  name: "FIXED_COLUMN_LOG_PARSE",
  resolve(args, constants) {
    if (args.length !== 2) return wrongArgumentCount("FIXED_COLUMN_LOG_PARSE", "2");
    if (!args.every(isCharacter)) return cannotApply("FIXED_COLUMN_LOG_PARSE", args, ["FIXED_COLUMN_LOG_PARSE(<VARCHAR>, <VARCHAR> columns)"]);
    const spec = constantArgument("FIXED_COLUMN_LOG_PARSE", "second", constants[1]);
    if (typeof spec !== "string") return spec;
    const columns = columnList("FIXED_COLUMN_LOG_PARSE", spec, true);
    if (typeof columns === "string") return fail(columns);
    return ok({
      type: rowType(columns),
      strict: true,
      evaluate([value], context) {
        const text = value as string;
        return columns.map((column) => {
          const start = column.start!;
          const field = start >= text.length ? null : text.slice(start, column.width === undefined ? undefined : start + column.width);
          return convertField(field, column, context.nowMs);
        });
      },
    });
  },
};
