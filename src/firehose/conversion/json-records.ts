/**
 * A record's bytes as the JSON documents it holds. Firehose reads a record that concatenates
 * documents (`{"a":1}{"b":1}`, or one per line) as that many rows; the top level of each must be
 * an object. The scan finds where each top-level document ends (brackets outside strings), and
 * JSON.parse checks each one.
 */

export type ParsedRecord =
  | { ok: true; rows: Record<string, unknown>[] }
  | { ok: false; errorCode: "DataFormatConversion.ParseError" | "DataFormatConversion.MalformedData"; errorMessage: string };

export function parseJsonRecord(data: Buffer): ParsedRecord {
  const text = data.toString("utf8");
  if (text.trim() === "") return { ok: false, errorCode: "DataFormatConversion.MalformedData", errorMessage: "The record was empty or contained only whitespace." };
  const documents = splitDocuments(text);
  if (documents === undefined) return parseError();
  const rows: Record<string, unknown>[] = [];
  for (const document of documents) {
    let value: unknown;
    try {
      value = JSON.parse(document);
    } catch {
      return parseError();
    }
    if (typeof value !== "object" || value === null) {
      return { ok: false, errorCode: "DataFormatConversion.MalformedData", errorMessage: "The input JSON contained a primitive at the top level. The top level must be an object or array." };
    }
    if (Array.isArray(value)) {
      return { ok: false, errorCode: "DataFormatConversion.MalformedData", errorMessage: "Data does not match the schema. A JSON array at the top level is not a record: send one object per record, or objects one after another." };
    }
    rows.push(value as Record<string, unknown>);
  }
  return { ok: true, rows };
}

function parseError(): ParsedRecord {
  return { ok: false, errorCode: "DataFormatConversion.ParseError", errorMessage: "Encountered malformed JSON." };
}

/** The top-level documents of `text`, or undefined if its brackets do not balance. */
function splitDocuments(text: string): string[] | undefined {
  const documents: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      if (start < 0) start = index;
    } else if (char === "{" || char === "[") {
      if (depth === 0 && start < 0) start = index;
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        documents.push(text.slice(start, index + 1));
        start = -1;
      }
    } else if (depth === 0 && !/\s/.test(char)) {
      // A scalar at the top level: read up to the next space as one document.
      if (start < 0) start = index;
      const next = /[\s{[]/.exec(text.slice(index + 1));
      const end = next === null ? text.length : index + 1 + next.index;
      documents.push(text.slice(start, end));
      start = -1;
      index = end - 1;
    }
  }
  if (depth !== 0 || inString) return undefined;
  if (start >= 0) documents.push(text.slice(start));
  return documents;
}
