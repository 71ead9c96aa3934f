/**
 * Aggregate calls of a windowed SELECT, resolved once at plan time: the function library's
 * aggregates (FunctionRegistry.aggregate: COUNT, SUM, AVG, MIN, MAX, …) and FIRST_VALUE /
 * LAST_VALUE, which this module implements because their null treatment (IGNORE NULLS) is part of
 * the call, not of the arguments the registry sees. COUNT(*) resolves with no arguments. An
 * aggregate with `rowtimeArgument` (EXP_AVG) gets the row's ROWTIME after its arguments.
 */
import type { Call } from "../../sql/ast.js";
import type { Accumulator, AggregateImplementation, FunctionRegistry } from "../../sql/functions/contracts.js";
import { SqlCompileError, type SqlType, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Scope, WindowPlannerEnvironment } from "../plan-contracts.js";
import { decodeValue, encodeValue } from "./values.js";

/** Window functions this module evaluates over a window's rows (with OVER) rather than by an accumulator. */
export const windowValueFunctions = new Set(["LAG", "NTH_VALUE", "FIRST_VALUE", "LAST_VALUE"]);

const nativeAggregates = new Set(["FIRST_VALUE", "LAST_VALUE"]);

export interface AggregateSlot {
  call: Call;
  /** Argument expressions over the input row (none for COUNT(*)). */
  args: CompiledExpression[];
  type: SqlType;
  /** The row's ROWTIME follows the arguments in add/remove (EXP_AVG weighs rows by time). */
  rowtimeArgument: boolean;
  create(): Accumulator;
}

/** The argument array an aggregate's add() gets for one row: its arguments, then ROWTIME if it asks. */
export function argumentCount(slot: AggregateSlot): number {
  return slot.args.length + (slot.rowtimeArgument ? 1 : 0);
}

/** Whether a call (without OVER) aggregates a group. */
export function isAggregateName(name: string, functions: FunctionRegistry): boolean {
  return nativeAggregates.has(name) || functions.aggregate(name) !== undefined;
}

export function planAggregate(call: Call, scope: Scope, env: WindowPlannerEnvironment): AggregateSlot {
  const argExpressions = call.args.filter((arg) => arg.kind !== "Star");
  if (argExpressions.length !== call.args.length && (call.args.length !== 1 || call.name !== "COUNT")) {
    throw new SqlCompileError(`Unknown argument '*' for ${call.name}`, call.at);
  }
  const args = argExpressions.map((arg) => env.compile(arg, scope));
  if (nativeAggregates.has(call.name)) {
    if (args.length !== 1) throw new SqlCompileError(`Invalid number of arguments to function '${call.name}'. Was expecting 1 arguments`, call.at);
    const ignoreNulls = call.nulls === "IGNORE";
    const last = call.name === "LAST_VALUE";
    const type = (args[0] as CompiledExpression).type;
    return { call, args, type, rowtimeArgument: false, create: () => new EdgeValue(last, ignoreNulls) };
  }
  const implementation = resolveAggregate(call, args, env.functions);
  return { call, args, type: implementation.type, rowtimeArgument: implementation.rowtimeArgument === true, create: () => implementation.create() };
}

function resolveAggregate(call: Call, args: CompiledExpression[], functions: FunctionRegistry): AggregateImplementation {
  const aggregate = functions.aggregate(call.name);
  const types = args.map((arg) => arg.type);
  if (aggregate === undefined) {
    throw new SqlCompileError(`No match found for function signature ${call.name}(${types.map((type) => `<${type.name}>`).join(", ")})`, call.at);
  }
  const resolution = aggregate.resolve(types, call.distinct ?? false, args.map((arg) => arg.constant));
  if (!resolution.ok) throw new SqlCompileError(resolution.message, call.at);
  return resolution.value;
}

/**
 * FIRST_VALUE / LAST_VALUE over a group (tumbling or stagger window): the value of the first or
 * last row in ROWTIME order, skipping nulls under IGNORE NULLS. Groups only grow, so remove() is
 * never asked of it.
 */
class EdgeValue implements Accumulator {
  private seen = false;
  private value: SqlValue = null;

  constructor(
    private readonly last: boolean,
    private readonly ignoreNulls: boolean,
  ) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0] as SqlValue;
    if (this.ignoreNulls && value === null) return;
    if (this.last || !this.seen) {
      this.value = value;
      this.seen = true;
    }
  }

  remove(): void {
    throw new Error("FIRST_VALUE/LAST_VALUE over a group never removes rows");
  }

  result(): SqlValue {
    return this.value;
  }

  snapshot(): unknown {
    return { seen: this.seen, value: encodeValue(this.value) };
  }

  restore(state: unknown): void {
    const saved = state as { seen: boolean; value: unknown };
    this.seen = saved.seen;
    this.value = decodeValue(saved.value);
  }
}
