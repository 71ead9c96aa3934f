/**
 * The parser of Kinesis Data Analytics SQL application code (the "Amazon Kinesis Data Analytics SQL
 * Reference"): a hand-written lexer (lexer.ts) and recursive descent (parser/*.ts) producing the
 * syntax tree of ast.ts. Statements: CREATE [OR REPLACE] STREAM, CREATE [OR REPLACE] PUMP … AS
 * INSERT INTO … SELECT …, and plain SELECTs, separated by semicolons; CREATE FUNCTION defines a
 * SQL UDF that is inlined into later statements (parser/user-functions.ts). Errors are SqlCompileError
 * with the 1-based line and column of the offending token.
 */
import type { CreatePump, CreateStream, Program, Query, Statement } from "./ast.js";
import { tokenize } from "./lexer.js";
import { parseDataType } from "./parser/data-types.js";
import type { ParseContext } from "./parser/expressions.js";
import { parseQuery } from "./parser/queries.js";
import { TokenStream } from "./parser/token-stream.js";
import { inlineStatement, parseCreateFunction, type UserFunction } from "./parser/user-functions.js";

export { parseSqlType } from "./parser/data-types.js";
export { parseExpression } from "./parser/expressions.js";

/** Parses application code; throws SqlCompileError. */
export function parseProgram(code: string): Program {
  const ctx = createContext(code);
  const { tokens } = ctx;
  const statements: Statement[] = [];
  const functions = new Map<string, UserFunction>();
  for (;;) {
    while (tokens.acceptSymbol(";"));
    if (tokens.isEnd()) return { statements };
    const statement = parseStatement(ctx, functions);
    if (statement !== undefined) statements.push(inlineStatement(statement, functions));
    if (!tokens.isEnd() && !tokens.isSymbol(";")) tokens.fail(['";"', "<EOF>"]);
  }
}

function createContext(code: string): ParseContext {
  const tokens = new TokenStream(tokenize(code));
  const ctx: ParseContext = { tokens, query: () => parseQuery(ctx) };
  return ctx;
}

/** A statement; undefined for CREATE FUNCTION, whose function is inlined where it is called. */
function parseStatement(ctx: ParseContext, functions: Map<string, UserFunction>): Statement | undefined {
  const { tokens } = ctx;
  if (tokens.isWord("CREATE")) {
    const at = tokens.next().at;
    const orReplace = tokens.acceptWords("OR", "REPLACE");
    if (tokens.acceptWord("STREAM")) return parseCreateStream(ctx, at, orReplace);
    if (tokens.acceptWord("PUMP")) return parseCreatePump(ctx, at, orReplace);
    if (tokens.acceptWord("FUNCTION")) {
      parseCreateFunction(ctx, at, functions);
      return undefined;
    }
    return tokens.fail(orReplace ? ['"STREAM"', '"PUMP"', '"FUNCTION"'] : ['"STREAM"', '"PUMP"', '"FUNCTION"', '"OR"']);
  }
  if (tokens.isWord("SELECT") || tokens.isSymbol("(")) {
    const query = parseQuery(ctx);
    if (query.kind !== "Select") return tokens.failAt(`${query.kind === "Values" ? "VALUES" : "A set operation"} can only be used inside a pump's INSERT`, query.at);
    return query;
  }
  return tokens.fail(['"CREATE"', '"SELECT"']);
}

/** CREATE [OR REPLACE] STREAM name (col type [NOT NULL], …) [DESCRIPTION '…'] */
function parseCreateStream(ctx: ParseContext, at: CreateStream["at"], orReplace: boolean): CreateStream {
  const { tokens } = ctx;
  const name = tokens.identifier("a stream name");
  tokens.expectSymbol("(");
  const columns: CreateStream["columns"] = [];
  do {
    const columnAt = tokens.position;
    const columnName = tokens.identifier("a column name");
    const type = parseDataType(tokens);
    if (tokens.acceptWord("NOT")) {
      tokens.expectWord("NULL");
      type.nullable = false;
    } else {
      tokens.acceptWord("NULL");
    }
    parseDescription(ctx);
    columns.push({ name: columnName, type, at: columnAt });
  } while (tokens.acceptSymbol(","));
  tokens.expectSymbol(")");
  parseDescription(ctx);
  return { kind: "CreateStream", at, orReplace, name, columns };
}

/** DESCRIPTION 'text': documentation only. */
function parseDescription(ctx: ParseContext): void {
  const { tokens } = ctx;
  if (!tokens.acceptWord("DESCRIPTION")) return;
  if (tokens.peek().kind !== "string") tokens.fail(["a string literal"]);
  tokens.next();
}

/** CREATE [OR REPLACE] PUMP name [STARTED|STOPPED] [DESCRIPTION '…'] AS INSERT INTO stream [(cols)] query */
function parseCreatePump(ctx: ParseContext, at: CreatePump["at"], orReplace: boolean): CreatePump {
  const { tokens } = ctx;
  const name = tokens.identifier("a pump name");
  if (!tokens.acceptWord("STARTED")) tokens.acceptWord("STOPPED");
  parseDescription(ctx);
  tokens.expectWord("AS");
  tokens.expectWord("INSERT");
  tokens.expectWord("INTO");
  const target = tokens.identifier("a stream name");
  let targetColumns: string[] | undefined;
  if (tokens.isSymbol("(") && !isQueryAfterParenthesis(ctx)) {
    tokens.next();
    targetColumns = [];
    do targetColumns.push(tokens.identifier("a column name"));
    while (tokens.acceptSymbol(","));
    tokens.expectSymbol(")");
  }
  const query: Query = parseQuery(ctx);
  return { kind: "CreatePump", at, orReplace, name, target, ...(targetColumns === undefined ? {} : { targetColumns }), query };
}

/** INSERT INTO s (SELECT …): a parenthesised query, not a column list. */
function isQueryAfterParenthesis(ctx: ParseContext): boolean {
  let ahead = 0;
  while (ctx.tokens.isSymbol("(", ahead)) ahead += 1;
  return ctx.tokens.isWord("SELECT", ahead);
}
