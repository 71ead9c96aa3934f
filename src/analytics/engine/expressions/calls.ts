/**
 * Function calls: resolved once per call site through the FunctionRegistry with the argument
 * types and constant values, evaluated per row with one reused argument buffer (implementations
 * must not keep the array they are given). A name no registry knows is the service's compile
 * error "No match found for function signature NAME(<NUMERIC>, <CHARACTER>)". COALESCE and
 * NULLIF are the reference's CASE shorthands and compile here when the library has no entry.
 */
import type { Call } from "../../sql/ast.js";
import type { FunctionRegistry } from "../../sql/functions/contracts.js";
import type { SqlValue } from "../../sql/types.js";
import { assignment } from "./cast.js";
import { compiled, compileError, folded, type Compiled, type Evaluator } from "./compiled.js";
import { comparison } from "./predicates.js";
import { commonType, comparable, familyText } from "./type-rules.js";

export function signatureText(name: string, args: readonly Compiled[]): string {
  return `${name}(${args.map((arg) => familyText(arg.type)).join(", ")})`;
}

export function noMatch(call: Call, args: readonly Compiled[]): Error {
  return compileError(`No match found for function signature ${signatureText(call.name, args)}`, call.at);
}

function coalesce(call: Call, args: readonly Compiled[]): Compiled {
  const type = commonType(args.map((arg) => arg.type));
  if (type === undefined || args.length === 0) throw compileError("Illegal mixing of types in CASE or COALESCE statement", call.at);
  const evaluators = args.map((arg) => {
    const convert = assignment(arg.type, type);
    const evaluate = arg.evaluate;
    return convert === undefined ? evaluate : ((row, t, c) => {
      const value = evaluate(row, t, c);
      return value === null ? null : convert(value, c);
    }) as Evaluator;
  });
  return folded(
    type,
    (row, t, c) => {
      for (const evaluate of evaluators) {
        const value = evaluate(row, t, c);
        if (value !== null) return value;
      }
      return null;
    },
    args,
  );
}

function nullif(call: Call, args: readonly Compiled[]): Compiled {
  const [first, second] = args as [Compiled, Compiled];
  if (args.length !== 2 || !comparable(first.type, second.type)) throw noMatch(call, args);
  const equal = comparison("=", first, second);
  const value = first.evaluate;
  return folded(first.type, (row, t, c) => (equal(row, t, c) === true ? null : value(row, t, c)), args);
}

/** Compiles a scalar call whose arguments are compiled already. */
export function compileScalarCall(call: Call, args: readonly Compiled[], functions: FunctionRegistry): Compiled {
  const fn = functions.scalar(call.name);
  if (fn === undefined) {
    if (call.name === "COALESCE") return coalesce(call, args);
    if (call.name === "NULLIF") return nullif(call, args);
    throw noMatch(call, args);
  }
  const resolution = fn.resolve(
    args.map((arg) => arg.type),
    args.map((arg) => arg.constant),
    { keywordSyntax: call.keywordSyntax === true },
  );
  if (!resolution.ok) throw compileError(resolution.message, call.at);
  const implementation = resolution.value;
  const evaluators = args.map((arg) => arg.evaluate);
  const count = evaluators.length;
  const buffer: SqlValue[] = new Array<SqlValue>(count).fill(null);
  const strict = implementation.strict;
  // Re-entrancy: an argument could call this same site only through recursion, which SQL has
  // not; the buffer is filled and handed over before any other use.
  const evaluate: Evaluator = (row, t, c) => {
    for (let i = 0; i < count; i++) {
      const value = (evaluators[i] as Evaluator)(row, t, c);
      if (value === null && strict) return null;
      buffer[i] = value;
    }
    return implementation.evaluate(buffer, c);
  };
  return compiled(implementation.type, evaluate);
}
