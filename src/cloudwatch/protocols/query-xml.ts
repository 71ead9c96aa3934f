/**
 * The query protocol's answers (awsQuery, what the AWS CLI v2 speaks to CloudWatch): XML in
 * CloudWatch's namespace, written from the model's output shape in its member order.
 *
 *   <ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
 *     <ListMetricsResult> …members… </ListMetricsResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </ListMetricsResponse>
 *
 * Lists are `<member>` elements, maps `<entry><key/><value/></entry>`, timestamps ISO 8601 in UTC.
 * Errors are `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
import type { Shape, StructureShape } from "../model.js";
import type { CloudWatchError } from "../errors.js";

export const cloudWatchXmlNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/";

export function queryResultXml(action: string, shape: StructureShape, output: Record<string, unknown>, requestId: string): Buffer {
  const parts: string[] = [`<${action}Response xmlns="${cloudWatchXmlNamespace}">`, `<${action}Result>`];
  writeMembers(parts, shape, output);
  parts.push(`</${action}Result>`, `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`, `</${action}Response>\n`);
  return Buffer.from(parts.join(""), "utf8");
}

export function queryErrorXml(error: CloudWatchError, requestId: string): Buffer {
  const message = error.wireMessage === undefined ? "" : `<Message>${escapeXml(error.wireMessage)}</Message>`;
  return Buffer.from(
    `<ErrorResponse xmlns="${cloudWatchXmlNamespace}"><Error><Type>${error.fault}</Type><Code>${error.code}</Code>${message}</Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    "utf8",
  );
}

function writeMembers(parts: string[], shape: StructureShape, value: Record<string, unknown>): void {
  for (const [name, member] of Object.entries(shape.members)) {
    const memberValue = value[name];
    if (memberValue === undefined || memberValue === null) continue;
    parts.push(`<${name}>`);
    writeValue(parts, member, memberValue);
    parts.push(`</${name}>`);
  }
}

function writeValue(parts: string[], shape: Shape, value: unknown): void {
  switch (shape.type) {
    case "structure":
      writeMembers(parts, shape, value as Record<string, unknown>);
      return;
    case "list":
      for (const item of value as unknown[]) {
        parts.push("<member>");
        writeValue(parts, shape.member, item);
        parts.push("</member>");
      }
      return;
    case "map":
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        parts.push(`<entry><key>${escapeXml(key)}</key><value>`);
        writeValue(parts, shape.value, item);
        parts.push("</value></entry>");
      }
      return;
    case "timestamp":
      parts.push(isoTimestamp(value as Date));
      return;
    case "double":
      parts.push(doubleText(value as number));
      return;
    default:
      parts.push(escapeXml(String(value)));
  }
}

/** `2024-05-01T12:00:00Z`, with milliseconds only when there are some (CloudWatch's datapoints fall on whole seconds). */
export function isoTimestamp(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

/** A double as CloudWatch writes one: `3.0` rather than `3`, and Java's spellings of the non-finite ones. */
function doubleText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value}.0` : String(value);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : c === "'" ? "&apos;" : "&#13;"));
}
