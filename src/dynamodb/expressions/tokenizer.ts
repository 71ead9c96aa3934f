/**
 * The tokens of DynamoDB's expression languages (condition, update, projection):
 *
 *   name        [A-Za-z_][A-Za-z0-9_]*      an attribute name, keyword or function name
 *   #name       #[A-Za-z0-9_]+              an ExpressionAttributeNames placeholder
 *   :value      :[A-Za-z0-9_]+              an ExpressionAttributeValues placeholder
 *   index       [0-9]+                      a list index inside [ ]
 *   punctuation ( ) , . [ ] = <> < <= > >= + -
 */
export type TokenKind = "name" | "nameRef" | "valueRef" | "index" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

export class ExpressionSyntaxError extends Error {
  override name = "ExpressionSyntaxError";
}

const twoCharPunct = new Set(["<>", "<=", ">="]);
const oneCharPunct = new Set(["(", ")", ",", ".", "[", "]", "=", "<", ">", "+", "-"]);
/** Expressions are at most 4 KB (AWS's limit), so token lists stay small. */
export const expressionBytesMax = 4096;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    const start = at;
    if (char === "#" || char === ":") {
      at++;
      while (at < source.length && /[A-Za-z0-9_]/.test(source[at]!)) at++;
      if (at === start + 1) throw syntaxError(source, tokens, { kind: "punct", text: char, start, end: at });
      tokens.push({ kind: char === "#" ? "nameRef" : "valueRef", text: source.slice(start, at), start, end: at });
      continue;
    }
    if (/[A-Za-z_]/.test(char)) {
      while (at < source.length && /[A-Za-z0-9_]/.test(source[at]!)) at++;
      tokens.push({ kind: "name", text: source.slice(start, at), start, end: at });
      continue;
    }
    if (/[0-9]/.test(char)) {
      while (at < source.length && /[0-9]/.test(source[at]!)) at++;
      tokens.push({ kind: "index", text: source.slice(start, at), start, end: at });
      continue;
    }
    const pair = source.slice(at, at + 2);
    if (twoCharPunct.has(pair)) {
      tokens.push({ kind: "punct", text: pair, start, end: at + 2 });
      at += 2;
      continue;
    }
    if (oneCharPunct.has(char)) {
      tokens.push({ kind: "punct", text: char, start, end: at + 1 });
      at++;
      continue;
    }
    throw new ExpressionSyntaxError(`Syntax error; token: "${char}", near: "${source.slice(Math.max(0, start - 1), start + 2)}"`);
  }
  tokens.push({ kind: "end", text: "<EOF>", start: source.length, end: source.length });
  return tokens;
}

/** AWS's wording: the offending token and the text around it (the tokens either side). */
export function syntaxError(source: string, tokens: readonly Token[], token: Token): ExpressionSyntaxError {
  const index = tokens.indexOf(token);
  const before = index > 0 ? tokens[index - 1]! : token;
  const after = index >= 0 && index + 1 < tokens.length && tokens[index + 1]!.kind !== "end" ? tokens[index + 1]! : token;
  const near = source.slice(before.start, Math.max(after.end, token.end));
  return new ExpressionSyntaxError(`Syntax error; token: "${token.text}", near: "${near}"`);
}
