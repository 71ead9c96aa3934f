/**
 * A cursor over the lexer's tokens with the look-ahead and expectation helpers the recursive-descent
 * parser needs. Syntax errors read as the service's parser (Calcite's) words them:
 * `Encountered "FOO" at line 3, column 7. Was expecting one of: "FROM", ","`.
 */
import type { Token } from "../lexer.js";
import { SqlCompileError, type SourcePosition } from "../types.js";

/**
 * Words that can't be an unquoted identifier (a name or an alias without AS): the clause and
 * operator keywords a parser must be able to stop at. Everything else (STEP, DESCRIPTION, RANGE, …)
 * stays usable as a name, as in the reference's examples.
 */
const reservedWords = new Set([
  "ALL", "AND", "AS", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS", "CURSOR", "DISTINCT", "ELSE", "END",
  "ESCAPE", "EXCEPT", "FALSE", "FETCH", "FROM", "FULL", "GROUP", "HAVING", "IN", "INNER", "INSERT", "INTERSECT",
  "INTERVAL", "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT", "NATURAL", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER",
  "OUTER", "OVER", "PARTITION", "RIGHT", "SELECT", "SIMILAR", "TABLE", "THEN", "TRUE", "UNION", "UNKNOWN", "USING",
  "VALUES", "WHEN", "WHERE", "WINDOW", "WINDOWED",
]);

export function isReserved(word: string): boolean {
  return reservedWords.has(word);
}

export class TokenStream {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  /** The previous token (the one `next` returned last). */
  previous(): Token {
    return this.tokens[Math.max(this.index - 1, 0)]!;
  }

  get position(): SourcePosition {
    return this.peek().at;
  }

  isWord(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "word" && token.value === word;
  }

  isSymbol(symbol: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "symbol" && token.value === symbol;
  }

  isEnd(): boolean {
    return this.peek().kind === "eof";
  }

  /** Consumes the word if it is next. */
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.next();
    return true;
  }

  /** Consumes the words if they are all next, in order; otherwise consumes nothing. */
  acceptWords(...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) if (!this.isWord(words[i]!, i)) return false;
    for (let i = 0; i < words.length; i++) this.next();
    return true;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.next();
    return true;
  }

  expectWord(word: string): Token {
    if (!this.isWord(word)) this.fail([`"${word}"`]);
    return this.next();
  }

  expectSymbol(symbol: string): Token {
    if (!this.isSymbol(symbol)) this.fail([`"${symbol}"`]);
    return this.next();
  }

  /** True when the next token can be read as an identifier (an unreserved word or a quoted name). */
  isIdentifier(ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "quoted" || (token.kind === "word" && !reservedWords.has(token.value));
  }

  /** Reads an identifier: unquoted ones are upper-cased by the lexer, quoted ones verbatim. */
  identifier(what = "an identifier"): string {
    if (!this.isIdentifier()) this.fail([what]);
    return this.next().value;
  }

  /** A syntax error at the next token, naming what was found and what would have been accepted. */
  fail(expected: readonly string[], token: Token = this.peek()): never {
    const found = describe(token);
    const wanted = expected.length === 1 ? `Was expecting ${expected[0]}` : `Was expecting one of: ${expected.join(", ")}`;
    throw new SqlCompileError(`Encountered ${found} at line ${token.at.line}, column ${token.at.column}. ${wanted}`, token.at);
  }

  /** An error at a position with a message of the caller's. */
  failAt(message: string, at: SourcePosition): never {
    throw new SqlCompileError(`${message} at line ${at.line}, column ${at.column}`, at);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "\"<EOF>\"";
    case "string":
      return `"'${token.value.replaceAll("'", "''")}'"`;
    case "quoted":
      return `"\\"${token.value}\\""`;
    case "binary":
      return `"X'${token.value}'"`;
    default:
      return `"${token.value}"`;
  }
}
