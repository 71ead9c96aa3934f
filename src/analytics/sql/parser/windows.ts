/**
 * Window specifications (the reference's WINDOW clause): `OVER w`, `OVER (PARTITION BY … ORDER BY …
 * RANGE INTERVAL '1' MINUTE PRECEDING)`, `ROWS 10 PRECEDING`, `ROWS CURRENT ROW`, and the BETWEEN form
 * ending at CURRENT ROW. The reference allows only windows that end at the current row, so any
 * FOLLOWING bound is rejected here with its position.
 */
import type { Expression, WindowSpec } from "../ast.js";
import { parseAdditive, parseExpression, type ParseContext } from "./expressions.js";

type Frame = NonNullable<WindowSpec["frame"]>;

/** After OVER: a window name or a parenthesised specification. */
export function parseWindowReference(ctx: ParseContext): WindowSpec {
  const { tokens } = ctx;
  if (tokens.isSymbol("(")) return parseWindowSpec(ctx);
  const at = tokens.position;
  return { at, base: tokens.identifier("a window name or \"(\"") };
}

const specWords = new Set(["PARTITION", "ORDER", "RANGE", "ROWS"]);

/** `( [base] [PARTITION BY …] [ORDER BY …] [RANGE|ROWS …] )` at the cursor. */
export function parseWindowSpec(ctx: ParseContext): WindowSpec {
  const { tokens } = ctx;
  const at = tokens.expectSymbol("(").at;
  const spec: WindowSpec = { at };
  const first = tokens.peek();
  if (tokens.isIdentifier() && !(first.kind === "word" && specWords.has(first.value))) spec.base = tokens.identifier();
  if (tokens.acceptWord("PARTITION")) {
    tokens.expectWord("BY");
    spec.partitionBy = expressionList(ctx);
  }
  if (tokens.acceptWord("ORDER")) {
    tokens.expectWord("BY");
    const orderBy: Expression[] = [];
    do {
      orderBy.push(parseExpression(ctx));
      if (!tokens.acceptWord("ASC")) tokens.acceptWord("DESC");
    } while (tokens.acceptSymbol(","));
    spec.orderBy = orderBy;
  }
  if (tokens.isWord("RANGE") || tokens.isWord("ROWS")) spec.frame = parseFrame(ctx);
  if (!tokens.isSymbol(")")) {
    const expected = ['")"'];
    if (spec.frame === undefined) expected.unshift('"RANGE"', '"ROWS"');
    if (spec.orderBy === undefined && spec.frame === undefined) expected.unshift('"ORDER"');
    if (spec.partitionBy === undefined && spec.orderBy === undefined && spec.frame === undefined) expected.unshift('"PARTITION"');
    tokens.fail(expected);
  }
  tokens.next();
  return spec;
}

export function expressionList(ctx: ParseContext): Expression[] {
  const list: Expression[] = [];
  do list.push(parseExpression(ctx));
  while (ctx.tokens.acceptSymbol(","));
  return list;
}

function parseFrame(ctx: ParseContext): Frame {
  const { tokens } = ctx;
  const unit = tokens.next().value as Frame["unit"];
  if (tokens.acceptWord("BETWEEN")) {
    const preceding = parseBound(ctx);
    tokens.expectWord("AND");
    const endAt = tokens.position;
    const end = parseBound(ctx);
    if (end !== "CURRENT ROW") {
      const zero = typeof end === "object" && end.kind === "Literal" && end.value === 0;
      if (!zero) tokens.failAt("Offset windows (a window that does not end at CURRENT ROW) are not supported", endAt);
    }
    return { unit, preceding };
  }
  return { unit, preceding: parseBound(ctx) };
}

/** UNBOUNDED PRECEDING | CURRENT ROW | <expression> PRECEDING. */
function parseBound(ctx: ParseContext): Frame["preceding"] {
  const { tokens } = ctx;
  if (tokens.acceptWords("CURRENT", "ROW")) return "CURRENT ROW";
  if (tokens.isWord("UNBOUNDED")) {
    const at = tokens.next().at;
    if (tokens.isWord("FOLLOWING")) tokens.failAt("UNBOUNDED FOLLOWING is not supported: a window must end at the current row", at);
    tokens.expectWord("PRECEDING");
    return "UNBOUNDED";
  }
  const at = tokens.position;
  const bound = parseAdditive(ctx);
  if (tokens.isWord("FOLLOWING")) tokens.failAt("FOLLOWING is not supported: a window must end at the current row", at);
  if (!tokens.isWord("PRECEDING")) tokens.fail(['"PRECEDING"']);
  tokens.next();
  return bound;
}
