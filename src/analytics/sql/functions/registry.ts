/**
 * The function library the engine compiles against (contracts.ts FunctionRegistry): the scalar,
 * aggregate and table functions of the SQL reference, each module exporting its list, looked up
 * here by upper-case name. A name in no list is a compile error naming the call site — never a
 * silent null (engine/expressions/calls.ts).
 *
 * Example: `compileApplication({ code, inputs, references: [], functions: defaultFunctionRegistry(), seed: 1 })`.
 */
import { aggregateFunctions } from "./aggregate/index.js";
import { tableFunctions } from "./analytic/index.js";
import type { AggregateFunction, FunctionRegistry, ScalarFunction, TableFunction } from "./contracts.js";
import { scalarFunctions } from "./scalar/index.js";

export interface FunctionLists {
  scalars: readonly ScalarFunction[];
  aggregates: readonly AggregateFunction[];
  tables: readonly TableFunction[];
}

function byName<T extends { name: string }>(functions: readonly T[], kind: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const fn of functions) {
    const name = fn.name.toUpperCase();
    // Two modules claiming one name is a bug in the library, not in application code.
    if (map.has(name)) throw new Error(`duplicate ${kind} function ${name}`);
    map.set(name, fn);
  }
  return map;
}

/** A registry over explicit lists (tests compose their own). */
export function createFunctionRegistry(lists: FunctionLists): FunctionRegistry {
  const scalars = byName(lists.scalars, "scalar");
  const aggregates = byName(lists.aggregates, "aggregate");
  const tables = byName(lists.tables, "table");
  return {
    scalar: (name) => scalars.get(name.toUpperCase()),
    aggregate: (name) => aggregates.get(name.toUpperCase()),
    table: (name) => tables.get(name.toUpperCase()),
  };
}

/** The library's modules as they have landed: scalar/, aggregate/ and analytic/ each export one list. */
export function defaultFunctionRegistry(): FunctionRegistry {
  return createFunctionRegistry({ scalars: scalarFunctions, aggregates: aggregateFunctions, tables: tableFunctions });
}

/** The registry the runtime and the API compile with. */
export const functionRegistry: FunctionRegistry = defaultFunctionRegistry();
