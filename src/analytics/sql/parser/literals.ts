/**
 * Literals: numbers typed as the reference's engine types them (INTEGER, BIGINT, DECIMAL(p,s) for
 * 1.50, DOUBLE for 1e3), character strings (CHAR(n); adjacent strings separated by a line break are
 * one, as standard SQL says), X'..' binary, TIMESTAMP/DATE/TIME '...' and INTERVAL literals.
 */
import type { IntervalLiteral, Literal } from "../ast.js";
import type { Token } from "../lexer.js";
import type { SourcePosition, SqlType } from "../types.js";
import { parseIntervalQualifier } from "./data-types.js";
import type { TokenStream } from "./token-stream.js";

const int32Max = 2147483647;
/** Integer literals above this are DECIMAL, as BIGINT can't hold them. */
const int64Max = 9223372036854775807n;

export function numericLiteral(token: Token): Literal {
  const text = token.value;
  const value = Number(text);
  let type: SqlType;
  if (/[eE]/.test(text)) {
    type = { name: "DOUBLE", nullable: false };
  } else if (!text.includes(".")) {
    const digits = text.replace(/^0+(?=\d)/, "");
    const big = BigInt(digits);
    if (big <= BigInt(int32Max)) type = { name: "INTEGER", nullable: false };
    else if (big <= int64Max) type = { name: "BIGINT", nullable: false };
    else type = { name: "DECIMAL", precision: digits.length, scale: 0, nullable: false };
  } else {
    const [whole = "", fraction = ""] = text.split(".");
    const unscaled = (whole + fraction).replace(/^0+/, "");
    const scale = fraction.length;
    type = { name: "DECIMAL", precision: Math.max(unscaled.length, scale, 1), scale, nullable: false };
  }
  return { kind: "Literal", at: token.at, value, type };
}

/** A string token plus any strings that follow it on later lines ('abc'\n'def' is 'abcdef'). */
export function stringLiteral(tokens: TokenStream): Literal {
  const first = tokens.next();
  let value = first.value;
  while (tokens.peek().kind === "string" && tokens.peek().afterNewline) value += tokens.next().value;
  return { kind: "Literal", at: first.at, value, type: { name: "CHAR", precision: [...value].length, nullable: false } };
}

export function binaryLiteral(token: Token): Literal {
  return { kind: "Literal", at: token.at, value: token.value, type: { name: "VARBINARY", precision: token.value.length / 2, nullable: false } };
}

/** TIMESTAMP '2020-01-01 00:00:00' and friends: the text is kept for the planner to parse. */
export function typedLiteral(tokens: TokenStream, name: "TIMESTAMP" | "DATE" | "TIME"): Literal {
  const at = tokens.next().at;
  const text = tokens.next().value;
  const type: SqlType = name === "TIMESTAMP" ? { name, precision: 3, nullable: false } : name === "TIME" ? { name, precision: 0, nullable: false } : { name, nullable: false };
  return { kind: "Literal", at, value: text, type };
}

/** INTERVAL [+|-] 'text' qualifier, the INTERVAL keyword at the cursor. */
export function intervalLiteral(tokens: TokenStream): IntervalLiteral {
  const at: SourcePosition = tokens.next().at;
  let negative = false;
  if (tokens.acceptSymbol("-")) negative = true;
  else tokens.acceptSymbol("+");
  if (tokens.peek().kind !== "string") tokens.fail(["an interval string such as '1'"]);
  const text = tokens.next().value;
  const qualifier = parseIntervalQualifier(tokens);
  return {
    kind: "IntervalLiteral",
    at,
    text,
    negative,
    start: qualifier.start,
    ...(qualifier.end === undefined ? {} : { end: qualifier.end }),
    ...(qualifier.precision === undefined ? {} : { precision: qualifier.precision }),
  };
}
