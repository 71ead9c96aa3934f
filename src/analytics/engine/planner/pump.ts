/**
 * CREATE PUMP … AS INSERT INTO target [(columns)] query: the checks the service's validator makes
 * (as many source items as target columns; each source type assignable to its column's type:
 * same family) and the mapping of a query row into a target row — column order, nulls for
 * columns not listed, values converted to the column's type (VARCHAR cut to length, CHAR padded,
 * numbers rounded to the column's scale). A target column list naming ROWTIME sets the rows'
 * ROWTIME from that item.
 */
import type { CreatePump } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlRuntimeError, type Column, type Row, type SqlType, type SqlValue } from "../../sql/types.js";
import { assignment, type Conversion } from "../expressions/cast.js";
import { compileError } from "../expressions/compiled.js";
import { rowtimeColumn } from "../expressions/names.js";
import { canAssign, typeText } from "../expressions/type-rules.js";
import { rowtimeNullName } from "./query.js";

export interface RowMapping {
  /** undefined: the query's rows are the target's rows as they are. */
  map?: (row: Row, context: EvalContext) => Row;
  /** The query column that gives the ROWTIME, when the target list names ROWTIME. */
  rowtimeIndex?: number;
}

export function planInsert(pump: CreatePump, target: readonly Column[], source: readonly { name: string; type: SqlType }[]): RowMapping {
  const names = pump.targetColumns ?? target.map((column) => column.name);
  if (names.length !== source.length) {
    throw compileError(`Number of INSERT target columns (${names.length}) does not equal number of source items (${source.length})`, pump.query.at);
  }
  const positions: number[] = [];
  const conversions: (Conversion | undefined)[] = [];
  const used = new Set<string>();
  let rowtimeIndex: number | undefined;
  names.forEach((name, i) => {
    const item = source[i] as { name: string; type: SqlType };
    if (name === rowtimeColumn && pump.targetColumns !== undefined) {
      if (item.type.name !== "TIMESTAMP") throw compileError(`Cannot assign to target field 'ROWTIME' of type TIMESTAMP from source field '${item.name}' of type ${typeText(item.type)}`, pump.at);
      rowtimeIndex = i;
      return;
    }
    const index = target.findIndex((column) => column.name === name);
    if (index < 0) throw compileError(`Unknown target column '${name}'`, pump.at);
    if (used.has(name)) throw compileError(`Target column '${name}' is assigned more than once`, pump.at);
    used.add(name);
    const column = target[index] as Column;
    if (!canAssign(column.type, item.type)) {
      throw compileError(`Cannot assign to target field '${name}' of type ${typeText(column.type)} from source field '${item.name}' of type ${typeText(item.type)}`, pump.query.at);
    }
    positions[i] = index;
    conversions[i] = assignment(item.type, column.type);
  });
  const identity = rowtimeIndex === undefined && source.length === target.length && positions.every((position, i) => position === i) && conversions.every((conversion) => conversion === undefined);
  if (identity) return {};
  const width = target.length;
  const count = source.length;
  const map = (row: Row, context: EvalContext): Row => {
    const out = new Array<SqlValue>(width).fill(null);
    for (let i = 0; i < count; i++) {
      const position = positions[i];
      if (position === undefined) continue;
      const value = row[i] ?? null;
      const conversion = conversions[i];
      out[position] = value === null || conversion === undefined ? value : conversion(value, context);
    }
    return out;
  };
  return rowtimeIndex === undefined ? { map } : { map, rowtimeIndex };
}

export function nullRowtime(): SqlRuntimeError {
  return new SqlRuntimeError(rowtimeNullName, "ROWTIME cannot be null");
}
