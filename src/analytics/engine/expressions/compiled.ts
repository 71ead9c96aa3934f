/**
 * Building blocks of compiled expressions: the closure shape every node compiles to, constant
 * folding, and compile errors that name a node's position in the service's wording.
 */
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, SqlRuntimeError, type Row, type SourcePosition, type SqlType, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression } from "../plan-contracts.js";

export type Evaluator = (row: Row, rowtimeMs: number, context: EvalContext) => SqlValue;

export interface Compiled extends CompiledExpression {
  evaluate: Evaluator;
}

const foldContext: EvalContext = { rowtimeMs: 0, nowMs: 0 };
const emptyRow: Row = [];

export function compiled(type: SqlType, evaluate: Evaluator, constant?: SqlValue): Compiled {
  return constant === undefined ? { type, evaluate } : { type, evaluate, constant };
}

export function constantExpression(type: SqlType, value: SqlValue): Compiled {
  return { type, evaluate: () => value, constant: value };
}

/**
 * When every operand is a constant, computes the value once at compile time. An operation that
 * fails on its constants (1/0) stays unfolded so that each row reports the error, as the service does.
 */
export function folded(type: SqlType, evaluate: Evaluator, operands: readonly CompiledExpression[]): Compiled {
  if (operands.every((operand) => operand.constant !== undefined)) {
    try {
      return constantExpression(type, evaluate(emptyRow, 0, foldContext));
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
    }
  }
  return compiled(type, evaluate);
}

export function compileError(message: string, at: SourcePosition | undefined): SqlCompileError {
  return new SqlCompileError(message, at);
}
