/**
 * CREATE FUNCTION (the reference: SQL-defined UDFs whose body is one RETURN expression), e.g.
 *   CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE CONTAINS SQL RETURN degrees - FLOOR(degrees);
 * A UDF is a scalar macro, so the parser inlines it: each later call `get_fraction(x)` becomes
 * `CAST(x - FLOOR(x) AS DOUBLE)` (with `RETURNS NULL ON NULL INPUT`: NULL when any argument is).
 * The syntax tree (ast.ts) keeps its three statements; the engine never sees a UDF.
 */
import type { Call, Expression, Statement } from "../ast.js";
import type { SourcePosition, SqlType } from "../types.js";
import { parseDataType } from "./data-types.js";
import { parseExpression, type ParseContext } from "./expressions.js";

export interface UserFunction {
  name: string;
  parameters: { name: string; type: SqlType }[];
  returns: SqlType;
  nullOnNullInput: boolean;
  body: Expression;
  at: SourcePosition;
}

/** Key of a UDF: name and arity (the reference allows overloads told apart by their parameters). */
function keyOf(name: string, arity: number): string {
  return `${name}/${arity}`;
}

/** After CREATE [OR REPLACE] FUNCTION: the rest of the definition. */
export function parseCreateFunction(ctx: ParseContext, at: SourcePosition, functions: Map<string, UserFunction>): void {
  const { tokens } = ctx;
  const name = tokens.identifier("a function name");
  tokens.expectSymbol("(");
  const parameters: UserFunction["parameters"] = [];
  if (!tokens.isSymbol(")")) {
    do parameters.push({ name: tokens.identifier("a parameter name"), type: parseDataType(tokens) });
    while (tokens.acceptSymbol(","));
  }
  tokens.expectSymbol(")");
  tokens.expectWord("RETURNS");
  const returns = parseDataType(tokens);
  let nullOnNullInput = false;
  for (;;) {
    if (tokens.acceptWords("LANGUAGE", "SQL") || tokens.acceptWords("CONTAINS", "SQL") || tokens.acceptWords("READS", "SQL", "DATA")) continue;
    if (tokens.acceptWords("MODIFIES", "SQL", "DATA") || tokens.acceptWord("DETERMINISTIC") || tokens.acceptWords("NOT", "DETERMINISTIC")) continue;
    if (tokens.acceptWord("SPECIFIC")) {
      tokens.identifier("a specific name");
      continue;
    }
    if (tokens.acceptWords("RETURNS", "NULL", "ON", "NULL", "INPUT")) {
      nullOnNullInput = true;
      continue;
    }
    if (tokens.acceptWords("CALLED", "ON", "NULL", "INPUT")) {
      nullOnNullInput = false;
      continue;
    }
    break;
  }
  if (!tokens.isWord("RETURN")) tokens.fail(['"RETURN"', '"LANGUAGE"', '"CONTAINS"', '"DETERMINISTIC"', '"RETURNS NULL ON NULL INPUT"', '"CALLED ON NULL INPUT"']);
  tokens.next();
  const bodyAt = tokens.position;
  // Earlier UDFs are already usable in the body; the function itself is not (no recursion).
  const body = inlineExpression(parseExpression(ctx), functions);
  const names = new Set(parameters.map((parameter) => parameter.name));
  checkBodyNames(body, names, ctx, bodyAt);
  functions.set(keyOf(name, parameters.length), { name, parameters, returns, nullOnNullInput, body, at });
}

/** A UDF body reads only its parameters: any other name is an error at the name. */
function checkBodyNames(body: Expression, parameters: Set<string>, ctx: ParseContext, bodyAt: SourcePosition): void {
  walk(body, (node) => {
    if (node.kind === "ColumnRef" && (node.qualifier !== undefined || !parameters.has(node.name))) {
      ctx.tokens.failAt(`Column '${node.qualifier === undefined ? node.name : `${node.qualifier}.${node.name}`}' not found: a function's body can use only its parameters`, node.at);
    }
    if (node.kind === "ScalarSubquery" || node.kind === "Cursor") ctx.tokens.failAt("A function's body can't read streams or tables", node.at ?? bodyAt);
  });
}

function walk(node: unknown, visit: (expression: Expression) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (typeof node === "object" && node !== null) {
    if ("kind" in node && "at" in node) visit(node as Expression);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

/** Replaces calls of UDFs in a statement (everything nested, subqueries and windows included). */
export function inlineStatement(statement: Statement, functions: ReadonlyMap<string, UserFunction>): Statement {
  return functions.size === 0 ? statement : (rewrite(statement, functions) as Statement);
}

function inlineExpression(expression: Expression, functions: ReadonlyMap<string, UserFunction>): Expression {
  return functions.size === 0 ? expression : (rewrite(expression, functions) as Expression);
}

/** Bottom-up copy of a tree with UDF calls replaced. */
function rewrite(node: unknown, functions: ReadonlyMap<string, UserFunction>): unknown {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, functions));
  if (typeof node !== "object" || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = rewrite(value, functions);
  if (copy.kind === "Call") {
    const call = copy as unknown as Call;
    const udf = functions.get(keyOf(call.name, call.args.length));
    if (udf !== undefined && call.over === undefined && call.distinct !== true) return expand(udf, call);
  }
  return copy;
}

function expand(udf: UserFunction, call: Call): Expression {
  const argumentOf = new Map(udf.parameters.map((parameter, index) => [parameter.name, call.args[index]!]));
  const body = substitute(udf.body, argumentOf) as Expression;
  const cast: Expression = { kind: "Cast", at: call.at, expression: body, type: { ...udf.returns } };
  if (!udf.nullOnNullInput || call.args.length === 0) return cast;
  const anyNull = call.args
    .map((argument): Expression => ({ kind: "IsTest", at: call.at, expression: structuredClone(argument), test: "NULL", negated: false }))
    .reduce((left, right) => ({ kind: "Binary", at: call.at, operator: "OR", left, right }));
  return {
    kind: "Case",
    at: call.at,
    whens: [{ when: anyNull, then: { kind: "Cast", at: call.at, expression: { kind: "Literal", at: call.at, value: null, type: { name: "NULL" } }, type: { ...udf.returns } } }],
    else: cast,
  };
}

/** A copy of the body with each parameter reference replaced by (a copy of) its argument. */
function substitute(node: unknown, argumentOf: ReadonlyMap<string, Expression>): unknown {
  if (Array.isArray(node)) return node.map((item) => substitute(item, argumentOf));
  if (typeof node !== "object" || node === null) return node;
  const expression = node as Expression;
  if (expression.kind === "ColumnRef" && expression.qualifier === undefined) {
    const argument = argumentOf.get(expression.name);
    if (argument !== undefined) return structuredClone(argument);
  }
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = substitute(value, argumentOf);
  return copy;
}
