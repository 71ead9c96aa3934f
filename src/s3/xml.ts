/**
 * S3's XML: a small writer for answers (S3's element names, in S3's order: object key order is
 * element order) and a guarded parser for request bodies (CreateBucketConfiguration, Tagging,
 * Delete, CompleteMultipartUpload…).
 *
 * The parser refuses any DOCTYPE (no entity may be declared, so none can expand: S3 accepts no
 * DTD either), keeps every value a string ("0123" stays "0123", spaces are kept), decodes the five
 * predefined entities and numeric character references, and ignores attributes and namespaces.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { S3Request } from "./action.js";
import { payloadOf } from "./body/index.js";
import { s3Errors } from "./errors.js";

export const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** An element's content: text, child elements by name (an array repeats the element), or nothing (left out). */
export type XmlContent = string | number | boolean | undefined | XmlFields | readonly XmlFields[] | readonly string[];
export interface XmlFields {
  readonly [name: string]: XmlContent;
}

/**
 * `<?xml…?><Root xmlns="…">…</Root>` as a Buffer.
 *
 * @example xmlDocument("LocationConstraint", "eu-west-1") // <LocationConstraint xmlns="…">eu-west-1</LocationConstraint>
 */
export function xmlDocument(root: string, content: string | XmlFields, options: { namespace?: boolean } = {}): Buffer {
  const attributes = options.namespace === false ? "" : ` xmlns="${s3Namespace}"`;
  const parts: string[] = [declaration];
  if (content === "") parts.push(`<${root}${attributes}/>`);
  else {
    parts.push(`<${root}${attributes}>`);
    writeContent(parts, content);
    parts.push(`</${root}>`);
  }
  return Buffer.from(parts.join(""), "utf8");
}

function writeContent(parts: string[], content: Exclude<XmlContent, undefined | readonly unknown[]>): void {
  if (typeof content !== "object") {
    parts.push(escapeXml(String(content)));
    return;
  }
  for (const [name, value] of Object.entries(content)) {
    if (value === undefined) continue;
    const items: readonly (string | number | boolean | XmlFields)[] = Array.isArray(value) ? value : [value as string | XmlFields];
    for (const item of items) {
      parts.push(`<${name}>`);
      writeContent(parts, item);
      parts.push(`</${name}>`);
    }
  }
}

/**
 * Text for element content. Besides the markup characters, S3 writes carriage returns and other
 * control characters as numeric references (a key may hold any UTF-8), so they survive parsers
 * that normalise line ends.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f]/g, (character) => {
    switch (character) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        return `&#x${character.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const markupReferences: Record<string, string> = { "<": "&lt;", "&": "&amp;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * Parses a request body. `arrays` names the paths of elements that may repeat ("Tagging.TagSet.Tag"):
 * those are always arrays. Undefined for a body that is not well-formed XML or holds a DOCTYPE.
 */
export function parseXml(text: string, arrays: readonly string[] = []): XmlObject | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return undefined;
  // Numeric references become their characters here (the parser keeps them as written), the
  // markup characters as the predefined entities the parser then decodes.
  let invalid = false;
  const decoded = text.replace(/&#(x[0-9a-fA-F]+|[0-9]+);/g, (_reference, digits: string) => {
    const codePoint = digits.startsWith("x") ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
    if (!(codePoint > 0 && codePoint <= 0x10ffff) || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      invalid = true;
      return "";
    }
    const character = String.fromCodePoint(codePoint);
    return markupReferences[character] ?? character;
  });
  if (invalid || XMLValidator.validate(decoded) !== true) return undefined;
  const arrayPaths = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    isArray: (_name, path) => typeof path === "string" && arrayPaths.has(path),
  });
  const parsed = parser.parse(decoded) as XmlObject;
  return stripWhitespaceText(parsed) as XmlObject;
}

/** The whitespace between elements (kept as `#text` since values keep their spaces) is not content. */
function stripWhitespaceText(value: XmlValue): XmlValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(stripWhitespaceText);
  const out: XmlObject = {};
  for (const [name, child] of Object.entries(value)) {
    if (name === "#text") continue;
    out[name] = stripWhitespaceText(child);
  }
  return out;
}

/** The text of a leaf element; "" for an empty one (`<TagSet/>` parses as ""), undefined when it has children. */
export function textOf(value: XmlValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A child element as an object: an empty element is an empty object. */
export function elementOf(value: XmlValue | undefined): XmlObject | undefined {
  if (value === "") return {};
  return typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

/**
 * Reads a small XML request body through its payload check (src/s3/body) and parses it: at most
 * `bytesMax` bytes (a larger body is MalformedXML, as S3 answers an oversized configuration), or
 * undefined for an empty body.
 */
export async function readXmlBody(request: S3Request, bytesMax: number, arrays: readonly string[] = []): Promise<XmlObject | undefined> {
  const payload = payloadOf(request.head, request.body, request.payload);
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of payload.bytes) {
    sizeBytes += chunk.length;
    if (sizeBytes > bytesMax) throw s3Errors.malformedXml();
    chunks.push(Buffer.from(chunk));
  }
  if (sizeBytes === 0) return undefined;
  const parsed = parseXml(Buffer.concat(chunks).toString("utf8"), arrays);
  if (parsed === undefined) throw s3Errors.malformedXml();
  return parsed;
}
