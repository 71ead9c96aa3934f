/** Reading a request's headers (lowercase names; a repeated header is joined as HTTP joins it). */
import type { RequestHead } from "../protocol/streaming-api.js";

export function headerOf(head: RequestHead, name: string): string | undefined {
  const value = head.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Formatted dates by their second: objects written in the same second share one Last-Modified. */
const httpDates = new Map<number, string>();
const httpDatesMax = 4096;

/** An RFC 1123 date in GMT, as S3 writes Last-Modified: `Wed, 12 Oct 2009 17:50:00 GMT`. */
export function httpDate(ms: number): string {
  // Every GetObject and HeadObject answers one; formatting a Date cost ~2 % of a small GET.
  const second = Math.floor(ms / 1000);
  let text = httpDates.get(second);
  if (text === undefined) {
    if (httpDates.size >= httpDatesMax) httpDates.clear();
    text = new Date(second * 1000).toUTCString();
    httpDates.set(second, text);
  }
  return text;
}

/** An ISO 8601 time with milliseconds, as S3 writes dates in XML: `2009-10-12T17:50:30.000Z`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
