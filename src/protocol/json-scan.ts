/**
 * A JSON scanner (RFC 8259) that checks a request body without building it: one pass over the
 * bytes with an explicit stack, stopping at the first error, at the first value past
 * `valuesMax`, or at the first container past `depthMax`. It accepts what
 * `JSON.parse(body.toString("utf8"))` accepts (bytes of invalid UTF-8 inside strings included,
 * which decoding replaces), with a top-level object — and raw control characters inside strings,
 * which only the parse refuses (see stringEnd):
 *
 *   body   = ws object ws
 *   value  = object / array / string / number / "true" / "false" / "null"
 *   object = "{" ws [ string ws ":" ws value ws *( "," ws string ws ":" ws value ws ) ] "}"
 *   array  = "[" ws [ value ws *( "," ws value ws ) ] "]"
 *   string = '"' *( unescaped / "\" ( ["\/bfnrt] / "u" 4hex ) ) '"'     unescaped: any byte >= 0x20 but '"' and "\"
 *   number = [ "-" ] ( "0" / [1-9] *digit ) [ "." 1*digit ] [ [eE] [+-] 1*digit ]
 *   ws     = *( space / tab / LF / CR )
 */
import { pathKeyBytesMax, scanMalformed, scanOk, scanTooManyValues, type BodyLimits, type BodyPathStep, type BodyScan } from "./body-scan.js";

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const minus = 0x2d;
const zero = 0x30;
const nine = 0x39;

/** What the scanner expects next. */
const enum Expect {
  Value,
  /** A value or the `]` of an empty array. */
  ValueOrClose,
  /** A key, or the `}` of an empty object. */
  KeyOrClose,
  Key,
  AfterValue,
}

export function scanJson(body: Buffer, limits: BodyLimits): BodyScan {
  const length = body.length;
  let i = skipWhitespace(body, 0);
  if (body[i] !== openBrace) return scanMalformed;
  // Per open container: whether it is an object, and where its current key lies (for the path).
  const isObject: boolean[] = [];
  const keyStarts: number[] = [];
  const keyEnds: number[] = [];
  const stops = new StringStops(body);
  let values = 0;
  let expect = Expect.Value;
  for (;;) {
    i = skipWhitespace(body, i);
    if (i >= length) return scanMalformed;
    const byte = body[i]!;
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrClose: {
        if (expect === Expect.ValueOrClose && byte === closeBracket) {
          isObject.pop();
          keyStarts.pop();
          keyEnds.pop();
          i++;
          expect = Expect.AfterValue;
          break;
        }
        if (++values > limits.valuesMax) return scanTooManyValues;
        if (byte === openBrace || byte === openBracket) {
          if (isObject.length >= limits.depthMax) return tooDeep(body, isObject, keyStarts, keyEnds, byte === openBrace ? "map" : "list");
          isObject.push(byte === openBrace);
          keyStarts.push(-1);
          keyEnds.push(-1);
          i++;
          expect = byte === openBrace ? Expect.KeyOrClose : Expect.ValueOrClose;
          break;
        }
        if (byte === quote) i = stringEnd(body, stops, i);
        else if (byte === minus || (byte >= zero && byte <= nine)) i = numberEnd(body, i);
        else i = literalEnd(body, i);
        if (i < 0) return scanMalformed;
        expect = Expect.AfterValue;
        break;
      }
      case Expect.KeyOrClose:
      case Expect.Key: {
        if (expect === Expect.KeyOrClose && byte === closeBrace) {
          isObject.pop();
          keyStarts.pop();
          keyEnds.pop();
          i++;
          if (isObject.length === 0) return skipWhitespace(body, i) === length ? scanOk : scanMalformed;
          expect = Expect.AfterValue;
          break;
        }
        if (byte !== quote) return scanMalformed;
        if (++values > limits.valuesMax) return scanTooManyValues;
        const keyStart = i;
        i = stringEnd(body, stops, i);
        if (i < 0) return scanMalformed;
        const top = isObject.length - 1;
        keyStarts[top] = keyStart;
        keyEnds[top] = i;
        i = skipWhitespace(body, i);
        if (body[i] !== colon) return scanMalformed;
        i++;
        expect = Expect.Value;
        break;
      }
      case Expect.AfterValue: {
        const depth = isObject.length;
        if (depth === 0) return scanMalformed; // something after the top-level object
        const inObject = isObject[depth - 1]!;
        if (byte === comma) {
          expect = inObject ? Expect.Key : Expect.Value;
          i++;
        } else if (byte === (inObject ? closeBrace : closeBracket)) {
          isObject.pop();
          keyStarts.pop();
          keyEnds.pop();
          i++;
          if (isObject.length === 0) return skipWhitespace(body, i) === length ? scanOk : scanMalformed;
        } else {
          return scanMalformed;
        }
        break;
      }
    }
  }
}

function skipWhitespace(body: Uint8Array, i: number): number {
  for (;;) {
    const byte = body[i];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return i;
    i++;
  }
}

/**
 * Where the next `"` and `\` at or after a position are, found with the native byte search and
 * kept until the scan passes them, so every byte is searched once however the strings fall.
 */
class StringStops {
  private quoteAt = -2;
  private escapeAt = -2;
  constructor(private readonly body: Buffer) {}
  quote(from: number): number {
    if (this.quoteAt !== -1 && this.quoteAt < from) this.quoteAt = this.body.indexOf(quote, from);
    return this.quoteAt;
  }
  escape(from: number): number {
    if (this.escapeAt !== -1 && this.escapeAt < from) this.escapeAt = this.body.indexOf(backslash, from);
    return this.escapeAt;
  }
}

/**
 * The index after the string that opens at `i`, or -1. Long strings (base64 record data) are
 * crossed with the native byte search rather than a loop in JavaScript: a 13 MiB PutRecords body
 * takes ~1 ms instead of 15–50. For that, raw control characters inside strings are left to
 * JSON.parse, which refuses them after authentication with the same SerializationException.
 */
function stringEnd(body: Buffer, stops: StringStops, i: number): number {
  i++;
  for (;;) {
    const close = stops.quote(i);
    if (close < 0) return -1;
    const escape = stops.escape(i);
    if (escape < 0 || escape > close) return close + 1;
    // An escape before the quote: check it, and go on after it (the quote may be the escaped one).
    const escaped = body[escape + 1];
    if (escaped === 0x75) {
      // \uXXXX
      for (let k = 2; k < 6; k++) if (!isHexDigit(body[escape + k])) return -1;
      i = escape + 6;
      continue;
    }
    // " \ / b f n r t
    if (escaped !== quote && escaped !== backslash && escaped !== 0x2f && escaped !== 0x62 && escaped !== 0x66 && escaped !== 0x6e && escaped !== 0x72 && escaped !== 0x74) return -1;
    i = escape + 2;
  }
}

function isHexDigit(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= zero && byte <= nine) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
}

function digitsEnd(body: Uint8Array, i: number): number {
  while (i < body.length && body[i]! >= zero && body[i]! <= nine) i++;
  return i;
}

/** The index after the number that starts at `i`, or -1. */
function numberEnd(body: Uint8Array, i: number): number {
  if (body[i] === minus) i++;
  const first = body[i];
  if (first === zero) i++;
  else if (first !== undefined && first > zero && first <= nine) i = digitsEnd(body, i);
  else return -1;
  if (body[i] === 0x2e) {
    const after = digitsEnd(body, i + 1);
    if (after === i + 1) return -1;
    i = after;
  }
  if (body[i] === 0x65 || body[i] === 0x45) {
    i++;
    if (body[i] === 0x2b || body[i] === minus) i++;
    const after = digitsEnd(body, i);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

const literals = [Buffer.from("true"), Buffer.from("false"), Buffer.from("null")];

function literalEnd(body: Uint8Array, i: number): number {
  for (const literal of literals) {
    if (body[i] !== literal[0]) continue;
    for (let k = 1; k < literal.length; k++) if (body[i + k] !== literal[k]) return -1;
    return i + literal.length;
  }
  return -1;
}

function tooDeep(body: Uint8Array, isObject: readonly boolean[], keyStarts: readonly number[], keyEnds: readonly number[], opened: "map" | "list"): BodyScan {
  const path: BodyPathStep[] = isObject.map((object, level) => {
    if (!object) return { container: "list" };
    const key = keyText(body, keyStarts[level]!, keyEnds[level]!);
    return key === undefined ? { container: "map" } : { container: "map", key };
  });
  return { ok: false, reason: "tooDeep", deep: { path, opened } };
}

/** A key's text, decoded as JSON.parse would; undefined for keys too long to name any member. */
function keyText(body: Uint8Array, start: number, end: number): string | undefined {
  if (start < 0 || end - start > pathKeyBytesMax) return undefined;
  return JSON.parse(Buffer.from(body.buffer, body.byteOffset + start, end - start).toString("utf8")) as string;
}
