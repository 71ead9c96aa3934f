/**
 * The intermediate object's text → rows of field values, one per target column, as Redshift's COPY
 * reads each format: pipe- (or DELIMITER-) separated lines; CSV (RFC 4180, QUOTE, fields may span
 * lines); JSON 'auto' (concatenated or newline-separated objects, top-level keys matched to column
 * names, case-sensitively or with 'auto ignorecase' not); JSONPaths (one path expression per
 * column). A value is a string, or null (JSON null / a missing key), or a non-string JSON value,
 * which loads as its JSON text.
 */
import type { CopyPlan } from "./copy-options.js";

export type FieldValue = string | null;
export type RowsResult = { ok: true; rows: FieldValue[][] } | { ok: false; message: string };

function splitLines(text: string): string[] {
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function delimitedRows(text: string, delimiter: string, plan: CopyPlan): FieldValue[][] {
  return splitLines(text)
    .slice(plan.ignoreHeaderLines)
    .filter((line) => line.length > 0)
    .map((line) => line.split(delimiter));
}

function csvRows(text: string, delimiter: string, quote: string, plan: CopyPlan): FieldValue[][] {
  const rows: FieldValue[][] = [];
  let row: FieldValue[] = [];
  let field = "";
  let quoted = false;
  let wasQuoted = false;
  let at = 0;
  const endField = () => {
    // An unquoted empty field is NULL in Redshift's CSV; a quoted empty one is an empty string.
    row.push(!wasQuoted && field === "" ? null : field);
    field = "";
    wasQuoted = false;
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === null)) rows.push(row);
    row = [];
  };
  while (at < text.length) {
    const char = text[at]!;
    if (quoted) {
      if (char === quote && text[at + 1] === quote) {
        field += quote;
        at += 2;
        continue;
      }
      if (char === quote) quoted = false;
      else field += char;
      at += 1;
      continue;
    }
    if (char === quote && field === "") {
      quoted = true;
      wasQuoted = true;
    } else if (char === delimiter) endField();
    else if (char === "\n") endRow();
    else if (char !== "\r" || text[at + 1] !== "\n") field += char;
    at += 1;
  }
  if (field !== "" || wasQuoted || row.length > 0) endRow();
  return rows.slice(plan.ignoreHeaderLines);
}

/** Splits concatenated JSON texts (`{…}{…}`, `{…}\n{…}`) into their values. */
export function splitJsonValues(text: string): unknown[] | string {
  const values: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    while (at < text.length && /\s/.test(text[at]!)) at += 1;
    if (at >= text.length) break;
    const start = at;
    let depth = 0;
    let inString = false;
    for (; at < text.length; at += 1) {
      const char = text[at]!;
      if (inString) {
        if (char === "\\") at += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === "{" || char === "[") depth += 1;
      else if (char === "}" || char === "]") {
        depth -= 1;
        if (depth === 0) {
          at += 1;
          break;
        }
      } else if (depth === 0 && /\s/.test(char)) break;
    }
    try {
      values.push(JSON.parse(text.slice(start, at)));
    } catch {
      return `Invalid JSON at character ${start}: ${text.slice(start, Math.min(at, start + 80))}`;
    }
  }
  return values;
}

function jsonField(value: unknown): FieldValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Evaluates one JSONPaths expression: `$.a.b`, `$['a']["b"]`, `$.a[0]`. */
export function evaluateJsonPath(document: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  let current: unknown = document;
  const pattern = /\.([^.[\]]+)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(\d+)\s*\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (match === null) return undefined;
    const key = match[1] ?? match[2] ?? match[3];
    if (current === null || typeof current !== "object") return undefined;
    if (key !== undefined) current = Array.isArray(current) ? undefined : (current as Record<string, unknown>)[key];
    else current = Array.isArray(current) ? current[Number(match[4])] : undefined;
  }
  return current;
}

export function rowsOf(text: string, plan: CopyPlan, columns: readonly string[], jsonPaths?: readonly string[]): RowsResult {
  const format = plan.format;
  if (format.kind === "delimited") return { ok: true, rows: delimitedRows(text, format.delimiter, plan) };
  if (format.kind === "csv") return { ok: true, rows: csvRows(text, format.delimiter, format.quote, plan) };
  const documents = splitJsonValues(text);
  if (typeof documents === "string") return { ok: false, message: documents };
  const rows: FieldValue[][] = [];
  for (const document of documents) {
    if (format.kind === "jsonpaths") {
      rows.push(jsonPaths!.map((path) => jsonField(evaluateJsonPath(document, path))));
      continue;
    }
    if (document === null || typeof document !== "object" || Array.isArray(document)) return { ok: false, message: "JSON 'auto' needs each record to be a JSON object." };
    const entries = Object.entries(document as Record<string, unknown>);
    const lookup = format.mode === "auto ignorecase" ? new Map(entries.map(([key, value]) => [key.toLowerCase(), value])) : new Map(entries);
    rows.push(columns.map((column) => jsonField(lookup.get(format.mode === "auto ignorecase" ? column.toLowerCase() : column))));
  }
  return { ok: true, rows };
}
