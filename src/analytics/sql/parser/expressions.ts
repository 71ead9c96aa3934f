/**
 * Value expressions, by precedence from loosest: OR < AND < NOT < comparison / IS / BETWEEN / IN /
 * LIKE / SIMILAR TO < || < + - < * / % < unary + - < primary (with `.field` access). Special call
 * syntax is normalised into plain Calls as ast.ts describes (special-forms.ts).
 */
import type { Binary, Call, ColumnRef, Expression, Query } from "../ast.js";
import type { Token } from "../lexer.js";
import type { SourcePosition } from "../types.js";
import { parseDataType } from "./data-types.js";
import { binaryLiteral, intervalLiteral, numericLiteral, stringLiteral, typedLiteral } from "./literals.js";
import { niladicFunctions, specialForms } from "./special-forms.js";
import type { TokenStream } from "./token-stream.js";
import { parseWindowReference } from "./windows.js";

/** What expression parsing needs from the rest of the parser: queries nest inside expressions. */
export interface ParseContext {
  tokens: TokenStream;
  /** Parses a query (SELECT …, a set operation, or a parenthesised query) at the cursor. */
  query(): Query;
}

const comparisonOperators: Record<string, Binary["operator"]> = { "=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

export function parseExpression(ctx: ParseContext): Expression {
  return parseOr(ctx);
}

/** Whether a query starts `ahead` tokens on: SELECT, possibly behind opening parentheses. */
export function isQueryStart(tokens: TokenStream, ahead = 0): boolean {
  let index = ahead;
  while (tokens.isSymbol("(", index)) index += 1;
  return tokens.isWord("SELECT", index) || tokens.isWord("VALUES", index);
}

function binary(operator: Binary["operator"], left: Expression, right: Expression): Binary {
  return { kind: "Binary", at: left.at, operator, left, right };
}

function parseOr(ctx: ParseContext): Expression {
  let left = parseAnd(ctx);
  while (ctx.tokens.acceptWord("OR")) left = binary("OR", left, parseAnd(ctx));
  return left;
}

function parseAnd(ctx: ParseContext): Expression {
  let left = parseNot(ctx);
  while (ctx.tokens.acceptWord("AND")) left = binary("AND", left, parseNot(ctx));
  return left;
}

function parseNot(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  if (tokens.isWord("NOT")) {
    const at = tokens.next().at;
    return { kind: "Unary", at, operator: "NOT", operand: parseNot(ctx) };
  }
  return parsePredicate(ctx);
}

/** Comparisons and the postfix predicates (IS, BETWEEN, IN, LIKE, SIMILAR TO), left to right. */
function parsePredicate(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  let left = parseConcat(ctx);
  for (;;) {
    const token = tokens.peek();
    if (token.kind === "symbol" && comparisonOperators[token.value] !== undefined) {
      tokens.next();
      left = binary(comparisonOperators[token.value]!, left, parseConcat(ctx));
      continue;
    }
    if (tokens.acceptWord("IS")) {
      const negated = tokens.acceptWord("NOT");
      const test = tokens.peek();
      if (test.kind !== "word" || !["NULL", "TRUE", "FALSE", "UNKNOWN"].includes(test.value)) tokens.fail(['"NULL"', '"TRUE"', '"FALSE"', '"UNKNOWN"', '"NOT"']);
      tokens.next();
      left = { kind: "IsTest", at: left.at, expression: left, test: test.value as "NULL", negated };
      continue;
    }
    const negated = tokens.isWord("NOT") && ["BETWEEN", "IN", "LIKE", "SIMILAR"].some((word) => tokens.isWord(word, 1));
    if (negated) tokens.next();
    const predicate = postfixPredicate(ctx, left, negated);
    if (predicate === undefined) return left;
    left = predicate;
  }
}

function postfixPredicate(ctx: ParseContext, left: Expression, negated: boolean): Expression | undefined {
  const { tokens } = ctx;
  if (tokens.acceptWord("BETWEEN")) {
    let symmetric = false;
    if (tokens.acceptWord("SYMMETRIC")) symmetric = true;
    else tokens.acceptWord("ASYMMETRIC");
    const low = parseConcat(ctx);
    tokens.expectWord("AND");
    const high = parseConcat(ctx);
    return { kind: "Between", at: left.at, expression: left, low, high, negated, symmetric };
  }
  if (tokens.acceptWord("IN")) {
    const open = tokens.expectSymbol("(");
    let list: Expression[];
    if (isQueryStart(tokens)) {
      list = [{ kind: "ScalarSubquery", at: open.at, query: ctx.query() }];
    } else {
      list = [];
      do list.push(parseExpression(ctx));
      while (tokens.acceptSymbol(","));
    }
    tokens.expectSymbol(")");
    return { kind: "InList", at: left.at, expression: left, list, negated };
  }
  let operator: "LIKE" | "SIMILAR TO" | undefined;
  if (tokens.acceptWord("LIKE")) operator = "LIKE";
  else if (tokens.acceptWords("SIMILAR", "TO")) operator = "SIMILAR TO";
  else if (tokens.isWord("SIMILAR")) tokens.fail(['"TO"'], tokens.peek(1));
  if (operator === undefined) {
    if (negated) tokens.fail(['"BETWEEN"', '"IN"', '"LIKE"', '"SIMILAR"']);
    return undefined;
  }
  const pattern = parseConcat(ctx);
  const escape = tokens.acceptWord("ESCAPE") ? parseConcat(ctx) : undefined;
  return { kind: "Like", at: left.at, operator, expression: left, pattern, ...(escape === undefined ? {} : { escape }), negated };
}

/** An operand of a predicate: everything binding tighter than comparisons (|| and arithmetic). */
export function parseOperand(ctx: ParseContext): Expression {
  return parseConcat(ctx);
}

function parseConcat(ctx: ParseContext): Expression {
  let left = parseAdditive(ctx);
  while (ctx.tokens.acceptSymbol("||")) left = binary("||", left, parseAdditive(ctx));
  return left;
}

/** Exported for window frames (`ROWS 10 PRECEDING`), which stop before predicates. */
export function parseAdditive(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  let left = parseMultiplicative(ctx);
  for (;;) {
    if (tokens.acceptSymbol("+")) left = binary("+", left, parseMultiplicative(ctx));
    else if (tokens.acceptSymbol("-")) left = binary("-", left, parseMultiplicative(ctx));
    else return left;
  }
}

function parseMultiplicative(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  let left = parseUnary(ctx);
  for (;;) {
    const token = tokens.peek();
    if (token.kind === "symbol" && (token.value === "*" || token.value === "/" || token.value === "%")) {
      tokens.next();
      left = binary(token.value, left, parseUnary(ctx));
    } else {
      return left;
    }
  }
}

function parseUnary(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  const token = tokens.peek();
  if (token.kind === "symbol" && (token.value === "-" || token.value === "+")) {
    tokens.next();
    return { kind: "Unary", at: token.at, operator: token.value, operand: parseUnary(ctx) };
  }
  return parsePostfix(ctx, parsePrimary(ctx));
}

/** `.field` after a qualified name, a parenthesised expression or a call: a field of a ROW value. */
function parsePostfix(ctx: ParseContext, expression: Expression): Expression {
  const { tokens } = ctx;
  let result = expression;
  while (tokens.isSymbol(".") && tokens.isIdentifier(1)) {
    tokens.next();
    result = { kind: "FieldAccess", at: expression.at, expression: result, field: tokens.identifier() };
  }
  return result;
}

function parsePrimary(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  const token = tokens.peek();
  switch (token.kind) {
    case "number":
      tokens.next();
      return numericLiteral(token);
    case "string":
      return stringLiteral(tokens);
    case "binary":
      tokens.next();
      return binaryLiteral(token);
    case "quoted":
      if (tokens.isSymbol("(", 1)) return parseCall(ctx, tokens.next(), token.value);
      return parseColumnRef(ctx);
    case "symbol":
      if (token.value === "(") return parseParenthesised(ctx);
      return tokens.fail(["an expression"]);
    case "word":
      return parseWordPrimary(ctx, token);
    default:
      return tokens.fail(["an expression"]);
  }
}

function parseParenthesised(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  const open = tokens.peek();
  if (isQueryStart(tokens, 1)) {
    tokens.next();
    const query = ctx.query();
    tokens.expectSymbol(")");
    return { kind: "ScalarSubquery", at: open.at, query };
  }
  tokens.next();
  const first = parseExpression(ctx);
  if (!tokens.isSymbol(",")) {
    tokens.expectSymbol(")");
    return first;
  }
  const values = [first];
  while (tokens.acceptSymbol(",")) values.push(parseExpression(ctx));
  tokens.expectSymbol(")");
  return { kind: "RowConstructor", at: open.at, values };
}

function parseWordPrimary(ctx: ParseContext, token: Token): Expression {
  const { tokens } = ctx;
  const word = token.value;
  const at = token.at;
  switch (word) {
    case "TRUE":
    case "FALSE":
      tokens.next();
      return { kind: "Literal", at, value: word === "TRUE", type: { name: "BOOLEAN", nullable: false } };
    case "UNKNOWN":
      tokens.next();
      return { kind: "Literal", at, value: null, type: { name: "BOOLEAN" } };
    case "NULL":
      tokens.next();
      return { kind: "Literal", at, value: null, type: { name: "NULL" } };
    case "INTERVAL":
      return intervalLiteral(tokens);
    case "CASE":
      return parseCase(ctx);
    case "CAST":
      return parseCast(ctx);
    case "EXISTS":
      // EXISTS (query) → Call EXISTS [ScalarSubquery]; EXISTS is not reserved, so a column may be named so.
      if (tokens.isSymbol("(", 1) && isQueryStart(tokens, 2)) {
        tokens.next();
        const open = tokens.expectSymbol("(");
        const query = ctx.query();
        tokens.expectSymbol(")");
        return { kind: "Call", at, name: "EXISTS", args: [{ kind: "ScalarSubquery", at: open.at, query }] };
      }
      break;
    case "CURSOR": {
      tokens.next();
      tokens.expectSymbol("(");
      const query = ctx.query();
      tokens.expectSymbol(")");
      return { kind: "Cursor", at, query };
    }
    case "TIMESTAMP":
    case "DATE":
    case "TIME":
      if (tokens.peek(1).kind === "string") return typedLiteral(tokens, word);
      break;
    case "ROW":
      if (tokens.isSymbol("(", 1)) {
        tokens.next();
        tokens.next();
        const values: Expression[] = [];
        if (!tokens.isSymbol(")")) {
          do values.push(parseExpression(ctx));
          while (tokens.acceptSymbol(","));
        }
        tokens.expectSymbol(")");
        return { kind: "RowConstructor", at, values };
      }
      break;
  }
  if (tokens.isSymbol("(", 1)) {
    const special = specialForms[word];
    if (special !== undefined) {
      tokens.next();
      return special(ctx, at);
    }
    if (word !== "NOT") return parseCall(ctx, tokens.next(), word);
  }
  if (niladicFunctions.has(word)) {
    tokens.next();
    return { kind: "Call", at, name: word, args: [] };
  }
  return parseColumnRef(ctx);
}

/** name | qualifier.name; a further `.field` becomes FieldAccess in parsePostfix. */
function parseColumnRef(ctx: ParseContext): ColumnRef {
  const { tokens } = ctx;
  const at = tokens.position;
  const first = tokens.identifier("an expression");
  if (tokens.isSymbol(".") && tokens.isIdentifier(1)) {
    tokens.next();
    return { kind: "ColumnRef", at, qualifier: first, name: tokens.identifier() };
  }
  return { kind: "ColumnRef", at, name: first };
}

/** name(...) [IGNORE|RESPECT NULLS] [OVER w | OVER (spec)], the name token already read. */
export function parseCall(ctx: ParseContext, nameToken: Token, name: string): Call {
  const { tokens } = ctx;
  tokens.expectSymbol("(");
  let distinct = false;
  if (tokens.acceptWord("DISTINCT")) distinct = true;
  else tokens.acceptWord("ALL");
  const args: Expression[] = [];
  let nulls = nullTreatment(tokens);
  if (!tokens.isSymbol(")")) {
    if (tokens.isSymbol("*") && tokens.isSymbol(")", 1)) {
      args.push({ kind: "Star", at: tokens.next().at });
    } else {
      do args.push(parseExpression(ctx));
      while (tokens.acceptSymbol(","));
    }
    nulls = nullTreatment(tokens) ?? nulls;
  }
  tokens.expectSymbol(")");
  // NTH_VALUE(x, n) FROM FIRST | FROM LAST: the side becomes a trailing SYMBOL argument.
  if (tokens.isWord("FROM") && (tokens.isWord("FIRST", 1) || tokens.isWord("LAST", 1))) {
    tokens.next();
    const side = tokens.next();
    args.push({ kind: "Symbol", at: side.at, name: side.value });
  }
  nulls = nullTreatment(tokens) ?? nulls;
  const call: Call = { kind: "Call", at: nameToken.at, name, args };
  if (distinct) call.distinct = true;
  if (nulls !== undefined) call.nulls = nulls;
  if (tokens.acceptWord("OVER")) call.over = parseWindowReference(ctx);
  return call;
}

function nullTreatment(tokens: TokenStream): "IGNORE" | "RESPECT" | undefined {
  if (tokens.acceptWords("IGNORE", "NULLS")) return "IGNORE";
  if (tokens.acceptWords("RESPECT", "NULLS")) return "RESPECT";
  return undefined;
}

function parseCase(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  const at: SourcePosition = tokens.next().at;
  const operand = tokens.isWord("WHEN") ? undefined : parseExpression(ctx);
  const whens: { when: Expression; then: Expression }[] = [];
  while (tokens.acceptWord("WHEN")) {
    const when = parseExpression(ctx);
    tokens.expectWord("THEN");
    whens.push({ when, then: parseExpression(ctx) });
  }
  if (whens.length === 0) tokens.fail(['"WHEN"']);
  const otherwise = tokens.acceptWord("ELSE") ? parseExpression(ctx) : undefined;
  if (!tokens.isWord("END")) tokens.fail(whens.length > 0 && otherwise === undefined ? ['"WHEN"', '"ELSE"', '"END"'] : ['"END"']);
  tokens.next();
  return { kind: "Case", at, ...(operand === undefined ? {} : { operand }), whens, ...(otherwise === undefined ? {} : { else: otherwise }) };
}

function parseCast(ctx: ParseContext): Expression {
  const { tokens } = ctx;
  const at = tokens.next().at;
  tokens.expectSymbol("(");
  const expression = parseExpression(ctx);
  tokens.expectWord("AS");
  const type = parseDataType(tokens);
  tokens.expectSymbol(")");
  return { kind: "Cast", at, expression, type };
}
