/**
 * Calls with keyword syntax, normalised into plain Calls (ast.ts's header): FLOOR/CEIL(x TO unit),
 * STEP(x BY interval), EXTRACT(unit FROM x), POSITION(a IN b [FROM n]), SUBSTRING(s FROM a [FOR b]),
 * TRIM([side] [c] FROM s), OVERLAY(s PLACING r FROM a [FOR b]); and the functions called without
 * parentheses (CURRENT_ROW_TIMESTAMP, LOCALTIMESTAMP, …). Each handler starts at the "(".
 */
import type { Call, Expression, Literal, Symbol as SymbolNode } from "../ast.js";
import type { SourcePosition } from "../types.js";
import { parseExpression, parseOperand, type ParseContext } from "./expressions.js";

/** Called without parentheses: a Call with no arguments. */
export const niladicFunctions = new Set([
  "CURRENT_ROW_TIMESTAMP",
  "LOCALTIMESTAMP",
  "LOCALTIME",
  "CURRENT_TIMESTAMP",
  "CURRENT_DATE",
  "CURRENT_TIME",
]);

type SpecialForm = (ctx: ParseContext, at: SourcePosition) => Expression;

function call(at: SourcePosition, name: string, args: Expression[]): Call {
  return { kind: "Call", at, name, args };
}

function symbol(ctx: ParseContext, what: string): SymbolNode {
  const token = ctx.tokens.peek();
  if (token.kind !== "word") ctx.tokens.fail([what]);
  ctx.tokens.next();
  return { kind: "Symbol", at: token.at, name: token.value };
}

/** The arguments of an ordinary call, for the forms that also have one (SUBSTRING(s, 1, 2)). */
function plainArguments(ctx: ParseContext, first: Expression): Expression[] {
  const args = [first];
  while (ctx.tokens.acceptSymbol(",")) args.push(parseExpression(ctx));
  return args;
}

function floorOrCeil(name: "FLOOR" | "CEIL"): SpecialForm {
  return (ctx, at) => {
    const { tokens } = ctx;
    tokens.expectSymbol("(");
    const value = parseExpression(ctx);
    const args = tokens.acceptWord("TO") ? [value, symbol(ctx, "a time unit")] : plainArguments(ctx, value);
    tokens.expectSymbol(")");
    return call(at, name, args);
  };
}

const step: SpecialForm = (ctx, at) => {
  const { tokens } = ctx;
  tokens.expectSymbol("(");
  const value = parseExpression(ctx);
  if (!tokens.acceptWord("BY")) tokens.expectSymbol(",");
  const interval = parseExpression(ctx);
  tokens.expectSymbol(")");
  return call(at, "STEP", [value, interval]);
};

const extract: SpecialForm = (ctx, at) => {
  const { tokens } = ctx;
  tokens.expectSymbol("(");
  const unit = symbol(ctx, "a time unit");
  tokens.expectWord("FROM");
  const value = parseExpression(ctx);
  tokens.expectSymbol(")");
  return call(at, "EXTRACT", [unit, value]);
};

const position: SpecialForm = (ctx, at) => {
  const { tokens } = ctx;
  tokens.expectSymbol("(");
  // The needle is read below the predicate level, so its IN is POSITION's, not an IN list.
  const needle = parseOperand(ctx);
  let args: Expression[];
  if (tokens.acceptWord("IN")) {
    args = [needle, parseExpression(ctx)];
    if (tokens.acceptWord("FROM")) args.push(parseExpression(ctx));
  } else {
    args = plainArguments(ctx, needle);
  }
  tokens.expectSymbol(")");
  return call(at, "POSITION", args);
};

const substring: SpecialForm = (ctx, at) => {
  const { tokens } = ctx;
  tokens.expectSymbol("(");
  // Read below the predicate level, so SUBSTRING(s SIMILAR p ESCAPE e)'s SIMILAR is not taken for
  // the start of a SIMILAR TO predicate.
  const value = parseOperand(ctx);
  let args: Expression[];
  if (tokens.isWord("SIMILAR")) {
    const similar = symbol(ctx, "SIMILAR");
    args = [value, similar, parseOperand(ctx)];
    tokens.expectWord("ESCAPE");
    args.push(parseOperand(ctx));
  } else if (tokens.acceptWord("FROM")) {
    args = [value, parseExpression(ctx)];
    if (tokens.acceptWord("FOR")) args.push(parseExpression(ctx));
    tokens.expectSymbol(")");
    return { ...call(at, "SUBSTRING", args), keywordSyntax: true };
  } else {
    args = plainArguments(ctx, value);
  }
  tokens.expectSymbol(")");
  return call(at, "SUBSTRING", args);
};

const trimSides = new Set(["BOTH", "LEADING", "TRAILING"]);

const trim: SpecialForm = (ctx, at) => {
  const { tokens } = ctx;
  const open = tokens.expectSymbol("(");
  let side: SymbolNode = { kind: "Symbol", at: open.at, name: "BOTH" };
  const sideToken = tokens.peek();
  const space: Literal = { kind: "Literal", at: open.at, value: " ", type: { name: "CHAR", precision: 1, nullable: false } };
  if (sideToken.kind === "word" && trimSides.has(sideToken.value)) {
    tokens.next();
    side = { kind: "Symbol", at: sideToken.at, name: sideToken.value };
    if (tokens.acceptWord("FROM")) return finishTrim(ctx, at, side, space);
    const characters = parseExpression(ctx);
    tokens.expectWord("FROM");
    return finishTrim(ctx, at, side, characters);
  }
  const first = parseExpression(ctx);
  if (tokens.acceptWord("FROM")) return finishTrim(ctx, at, side, first);
  tokens.expectSymbol(")");
  return call(at, "TRIM", [side, space, first]);
};

function finishTrim(ctx: ParseContext, at: SourcePosition, side: SymbolNode, characters: Expression): Call {
  const value = parseExpression(ctx);
  ctx.tokens.expectSymbol(")");
  return call(at, "TRIM", [side, characters, value]);
}

const overlay: SpecialForm = (ctx, at) => {
  const { tokens } = ctx;
  tokens.expectSymbol("(");
  const value = parseExpression(ctx);
  tokens.expectWord("PLACING");
  const replacement = parseExpression(ctx);
  tokens.expectWord("FROM");
  const args = [value, replacement, parseExpression(ctx)];
  if (tokens.acceptWord("FOR")) args.push(parseExpression(ctx));
  tokens.expectSymbol(")");
  return call(at, "OVERLAY", args);
};

export const specialForms: Record<string, SpecialForm> = {
  FLOOR: floorOrCeil("FLOOR"),
  CEIL: floorOrCeil("CEIL"),
  CEILING: floorOrCeil("CEIL"),
  STEP: step,
  EXTRACT: extract,
  POSITION: position,
  SUBSTRING: substring,
  TRIM: trim,
  OVERLAY: overlay,
};
