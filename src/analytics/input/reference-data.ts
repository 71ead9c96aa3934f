/**
 * A reference data source's S3 object → the rows of its in-application table, read with its
 * ReferenceSchema: a CSV object is one record of many rows (RecordRowDelimiter); a JSON object holds
 * one JSON document after another (concatenated or one per line), each read as a record. A row that
 * doesn't convert is left out and reported, so a load can say what it skipped.
 */
import type { SourceSchema } from "../model.js";
import type { Row } from "../sql/types.js";
import { createRecordMapper } from "./record-mapper.js";

export interface ReferenceLoad {
  rows: Row[];
  /** Records that could not be read, with error_stream's name and message. */
  errors: { errorName: string; message: string }[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

export function parseReferenceObject(content: Uint8Array, schema: SourceSchema): ReferenceLoad {
  const mapper = createRecordMapper(schema, "none");
  const records = schema.RecordFormat.RecordFormatType === "CSV" ? [content] : splitJsonDocuments(decoder.decode(content)).map((text) => encoder.encode(text));
  const load: ReferenceLoad = { rows: [], errors: [] };
  for (const record of records) {
    const mapped = mapper.map(record);
    if (mapped.ok) load.rows.push(...mapped.rows);
    else load.errors.push({ errorName: mapped.errorName, message: mapped.message });
  }
  return load;
}

/** The top-level JSON documents of a text, in order; text between them that is not JSON is one bad document. */
export function splitJsonDocuments(text: string): string[] {
  const documents: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === "\\") i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (start < 0) {
      if (/\s/.test(ch)) continue;
      start = i;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth += 1;
    else if (ch === "}" || ch === "]") depth -= 1;
    if (depth === 0 && (ch === "}" || ch === "]" || /[\s]/.test(text[i + 1] ?? " "))) {
      documents.push(text.slice(start, i + 1));
      start = -1;
    }
  }
  if (start >= 0) documents.push(text.slice(start));
  return documents;
}
