/**
 * The `_bulk` request and answer (OpenSearch and Elasticsearch): NDJSON, an action line
 * `{"index":{"_index":…,"_type"?:…,"_id"?:…}}` then the document on one line, for each record; the
 * answer's `items` follow the request's order, each `{"index":{"status":…,"error"?:…}}`, and an
 * item whose status is not 2xx failed (the others are indexed).
 */
import type { PipelineRecord } from "../../delivery/contracts.js";

export interface BulkItem {
  readonly record: PipelineRecord;
  readonly index: string;
  readonly type?: string;
  readonly id?: string;
}

/** A record's document on one line: JSON spread over lines is re-serialized compactly. */
function documentLine(data: Buffer): string {
  const text = data.toString("utf8").trim();
  if (!text.includes("\n")) return text;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.replace(/\r?\n/g, " ");
  }
}

export function bulkBody(items: readonly BulkItem[]): Buffer {
  const lines: string[] = [];
  for (const item of items) {
    lines.push(JSON.stringify({ index: { _index: item.index, ...(item.type !== undefined ? { _type: item.type } : {}), ...(item.id !== undefined ? { _id: item.id } : {}) } }));
    lines.push(documentLine(item.record.data));
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

export type ItemResult = { ok: true } | { ok: false; errorCode: string; errorMessage: string };

/** Each item's result, or undefined when the answer is not a `_bulk` answer for these items. */
export function bulkResults(body: string, count: number): ItemResult[] | undefined {
  let parsed: { items?: unknown };
  try {
    parsed = JSON.parse(body) as { items?: unknown };
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed.items) || parsed.items.length !== count) return undefined;
  return parsed.items.map((entry: unknown): ItemResult => {
    const result = entry !== null && typeof entry === "object" ? (Object.values(entry)[0] as { status?: unknown; error?: unknown } | undefined) : undefined;
    const status = typeof result?.status === "number" ? result.status : 0;
    if (status >= 200 && status < 300) return { ok: true };
    return { ok: false, errorCode: String(status), errorMessage: typeof result?.error === "string" ? result.error : JSON.stringify(result?.error ?? result ?? null) };
  });
}
