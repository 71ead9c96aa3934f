/**
 * The lexer of Kinesis Data Analytics SQL application code: source text → tokens with 1-based
 * line/column positions. Unquoted identifiers are upper-cased here (the reference: identifiers are
 * case-insensitive unless double-quoted); keywords are recognised later by the parser, in context,
 * so a word like STEP or DESCRIPTION stays usable as a name where the grammar allows it.
 */
import { SqlCompileError, type SourcePosition } from "./types.js";

export type TokenKind =
  /** An unquoted word; `value` is upper-cased. */
  | "word"
  /** "a ""quoted"" identifier"; `value` is verbatim (doubled quotes undone). */
  | "quoted"
  /** 'text' (doubled quotes undone), N'text', U&'\0041' (escapes resolved). */
  | "string"
  /** X'0AFF'; `value` is the hex digits, upper-cased. */
  | "binary"
  /** 12, 1.5, .5, 1e3; `value` is the text as written. */
  | "number"
  /** Operators and punctuation: ( ) , ; . * / % + - || = <> != < <= > >= [ ] : */
  | "symbol"
  | "eof";

export interface Token {
  kind: TokenKind;
  value: string;
  at: SourcePosition;
  /** Offsets into the source, [start, end). */
  start: number;
  end: number;
  /** For strings: whether a line break separates it from the previous token (SQL concatenates 'a'\n'b'). */
  afterNewline: boolean;
}

const twoCharSymbols = new Set(["||", "<>", "!=", "<=", ">="]);
const oneCharSymbols = new Set(["(", ")", ",", ";", ".", "*", "/", "%", "+", "-", "=", "<", ">", "[", "]", ":"]);

function isWordStart(ch: string): boolean {
  return /[A-Za-z_\u00C0-\uFFFF]/.test(ch);
}

function isWordPart(ch: string): boolean {
  return /[A-Za-z0-9_$#\u00C0-\uFFFF]/.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

/** Splits application code into tokens; the last one is `eof`. Throws SqlCompileError. */
export function tokenize(code: string): Token[] {
  return new Lexer(code).run();
}

class Lexer {
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private sawNewline = false;
  private tokenAfterNewline = false;
  private readonly tokens: Token[] = [];

  constructor(private readonly code: string) {}

  run(): Token[] {
    for (;;) {
      this.skipSpaceAndComments();
      const at = this.position();
      const start = this.offset;
      this.tokenAfterNewline = this.sawNewline;
      this.sawNewline = false;
      if (this.offset >= this.code.length) {
        this.push("eof", "", at, start);
        return this.tokens;
      }
      this.readToken(at, start);
    }
  }

  private position(): SourcePosition {
    return { line: this.line, column: this.offset - this.lineStart + 1 };
  }

  private push(kind: TokenKind, value: string, at: SourcePosition, start: number): void {
    this.tokens.push({ kind, value, at, start, end: this.offset, afterNewline: this.tokenAfterNewline });
  }

  private fail(message: string, at: SourcePosition): never {
    throw new SqlCompileError(`${message} at line ${at.line}, column ${at.column}`, at);
  }

  /** Advances one character, keeping line/column. */
  private advance(): void {
    const ch = this.code[this.offset];
    this.offset += 1;
    if (ch === "\n" || (ch === "\r" && this.code[this.offset] !== "\n")) {
      this.line += 1;
      this.lineStart = this.offset;
      this.sawNewline = true;
    }
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const ch = this.code[this.offset];
      if (ch === undefined) return;
      if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v" || ch === "\u00A0" || ch === "\uFEFF") {
        this.advance();
      } else if ((ch === "-" && this.code[this.offset + 1] === "-") || (ch === "/" && this.code[this.offset + 1] === "/")) {
        // `--` and, as in the service's parser (the reference's CREATE PUMP example), `//`.
        while (this.offset < this.code.length && this.code[this.offset] !== "\n" && this.code[this.offset] !== "\r") this.advance();
      } else if (ch === "/" && this.code[this.offset + 1] === "*") {
        const at = this.position();
        this.advance();
        this.advance();
        for (;;) {
          if (this.offset >= this.code.length) this.fail("Unterminated comment (/* without */) starting", at);
          if (this.code[this.offset] === "*" && this.code[this.offset + 1] === "/") break;
          this.advance();
        }
        this.advance();
        this.advance();
      } else {
        return;
      }
    }
  }

  private readToken(at: SourcePosition, start: number): void {
    const code = this.code;
    const ch = code[this.offset]!;
    const next = code[this.offset + 1];
    if (ch === "'") {
      this.push("string", this.readQuoted("'", "string literal", at), at, start);
    } else if (ch === '"') {
      const value = this.readQuoted('"', "quoted identifier", at);
      if (value === "") this.fail("Empty quoted identifier", at);
      this.push("quoted", value, at, start);
    } else if ((ch === "X" || ch === "x") && next === "'") {
      this.advance();
      this.push("binary", this.readBinary(at), at, start);
    } else if ((ch === "N" || ch === "n") && next === "'") {
      this.advance();
      this.push("string", this.readQuoted("'", "string literal", at), at, start);
    } else if ((ch === "U" || ch === "u") && next === "&" && code[this.offset + 2] === "'") {
      this.advance();
      this.advance();
      this.push("string", this.readUnicodeString(at), at, start);
    } else if (isDigit(ch) || (ch === "." && isDigit(next))) {
      this.push("number", this.readNumber(at), at, start);
    } else if (isWordStart(ch)) {
      while (this.offset < code.length && isWordPart(code[this.offset]!)) this.advance();
      this.push("word", code.slice(start, this.offset).toUpperCase(), at, start);
    } else if (next !== undefined && twoCharSymbols.has(ch + next)) {
      this.advance();
      this.advance();
      this.push("symbol", ch + next, at, start);
    } else if (oneCharSymbols.has(ch)) {
      this.advance();
      this.push("symbol", ch, at, start);
    } else {
      this.fail(`Lexical error: unexpected character "${ch}"`, at);
    }
  }

  /** Reads 'text' or "text" (the opening quote at offset); a doubled quote is one quote. */
  private readQuoted(quote: string, what: string, at: SourcePosition): string {
    this.advance();
    let value = "";
    for (;;) {
      if (this.offset >= this.code.length) this.fail(`Unterminated ${what} starting`, at);
      const ch = this.code[this.offset]!;
      if (ch === quote) {
        if (this.code[this.offset + 1] === quote) {
          value += quote;
          this.advance();
          this.advance();
          continue;
        }
        this.advance();
        return value;
      }
      value += ch;
      this.advance();
    }
  }

  private readBinary(at: SourcePosition): string {
    const text = this.readQuoted("'", "binary literal", at).replace(/\s+/g, "");
    if (!/^[0-9A-Fa-f]*$/.test(text) || text.length % 2 !== 0) this.fail(`Invalid binary literal X'${text}': expected an even number of hex digits`, at);
    return text.toUpperCase();
  }

  /** U&'...' with \XXXX and \+XXXXXX escapes (\\ is a backslash), optionally UESCAPE 'c'. */
  private readUnicodeString(at: SourcePosition): string {
    const raw = this.readQuoted("'", "string literal", at);
    let escape = "\\";
    const saved = { offset: this.offset, line: this.line, lineStart: this.lineStart, sawNewline: this.sawNewline };
    this.skipSpaceAndComments();
    if (/^UESCAPE\b/i.test(this.code.slice(this.offset, this.offset + 8))) {
      for (let i = 0; i < 7; i++) this.advance();
      this.skipSpaceAndComments();
      const escapeAt = this.position();
      if (this.code[this.offset] !== "'") this.fail("Expected a one-character string after UESCAPE", escapeAt);
      escape = this.readQuoted("'", "string literal", escapeAt);
      if ([...escape].length !== 1 || /[0-9A-Fa-f+'"\s]/.test(escape)) this.fail(`Invalid UESCAPE character '${escape}'`, escapeAt);
    } else {
      Object.assign(this, saved);
    }
    let value = "";
    for (let i = 0; i < raw.length; ) {
      if (raw[i] !== escape) {
        value += raw[i];
        i += 1;
        continue;
      }
      if (raw[i + 1] === escape) {
        value += escape;
        i += 2;
        continue;
      }
      const long = raw[i + 1] === "+";
      const digits = long ? raw.slice(i + 2, i + 8) : raw.slice(i + 1, i + 5);
      if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length !== (long ? 6 : 4)) this.fail("Invalid Unicode escape in U& string literal", at);
      const codePoint = Number.parseInt(digits, 16);
      if (codePoint > 0x10ffff) this.fail("Invalid Unicode escape in U& string literal", at);
      value += String.fromCodePoint(codePoint);
      i += long ? 8 : 5;
    }
    return value;
  }

  private readNumber(at: SourcePosition): string {
    const code = this.code;
    const start = this.offset;
    while (isDigit(code[this.offset])) this.advance();
    if (code[this.offset] === "." && code[this.offset + 1] !== ".") {
      this.advance();
      while (isDigit(code[this.offset])) this.advance();
    }
    const e = code[this.offset];
    if (e === "e" || e === "E") {
      const sign = code[this.offset + 1];
      const digitAt = sign === "+" || sign === "-" ? 2 : 1;
      if (!isDigit(code[this.offset + digitAt])) this.fail(`Invalid numeric literal "${code.slice(start, this.offset + digitAt)}"`, at);
      for (let i = 0; i < digitAt; i++) this.advance();
      while (isDigit(code[this.offset])) this.advance();
    }
    if (this.offset < code.length && isWordStart(code[this.offset]!)) {
      this.fail(`Invalid numeric literal "${code.slice(start, this.offset + 1)}"`, at);
    }
    return code.slice(start, this.offset);
  }
}
