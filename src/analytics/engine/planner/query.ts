/**
 * Planning a query: a SELECT (windowed ones go to the window planner, the rest are a filter and
 * a projection) or UNION ALL of queries, merged by ROWTIME. An output column named ROWTIME (a
 * select item `expr AS ROWTIME`, or ROWTIME itself) is not a column: it sets the ROWTIME of the
 * rows the query emits, as the service lets a query set it.
 */
import type { Expression, Query, Select, SetOperation } from "../../sql/ast.js";
import type { FunctionRegistry } from "../../sql/functions/contracts.js";
import { SqlRuntimeError, type Row, type SqlValue } from "../../sql/types.js";
import type { Operator } from "../plan-contracts.js";
import { assignment } from "../expressions/cast.js";
import { compileError } from "../expressions/compiled.js";
import { rowtimeColumn } from "../expressions/names.js";
import { commonType, typeText } from "../expressions/type-rules.js";
import { MergeBuffer, type MergeSnapshot } from "../runtime/merge.js";
import type { PlanContext, PlannedQuery } from "./context.js";
import { planFrom } from "./from.js";
import { planProjectFilter } from "./select.js";

function callsIn(expression: Expression, found: (call: Expression & { kind: "Call" }) => boolean): boolean {
  const visit = (node: unknown): boolean => {
    if (node === null || typeof node !== "object") return false;
    if (Array.isArray(node)) return node.some(visit);
    const record = node as Record<string, unknown>;
    if (record.kind === "Call" && found(record as unknown as Expression & { kind: "Call" })) return true;
    if (record.kind === "Cursor" || record.kind === "ScalarSubquery") return false;
    return Object.values(record).some(visit);
  };
  return visit(expression);
}

/** Windowing without the window planner's own test (it decides once windows/ has landed). */
function fallbackNeedsWindows(select: Select, functions: FunctionRegistry): boolean {
  if (select.groupBy !== undefined || select.having !== undefined || select.stagger !== undefined || select.distinct) return true;
  const windowed = (call: Expression & { kind: "Call" }): boolean => call.over !== undefined || (functions.aggregate(call.name) !== undefined && functions.scalar(call.name) === undefined);
  return select.items.some((item) => item.kind === "Item" && callsIn(item.expression, windowed));
}

function planSelect(select: Select, context: PlanContext): PlannedQuery {
  const input = planFrom(select.from, context, select.windows);
  if (select.stream && !input.stream) throw compileError("Cannot convert table to stream: SELECT STREAM needs a stream in FROM", select.from.at);
  if (!select.stream && input.stream) throw compileError("Cannot convert stream to relation: a query over a stream must be SELECT STREAM", select.at);
  const windows = context.windows;
  const windowed = windows === undefined ? fallbackNeedsWindows(select, context.functions) : windows.needsWindows(select, context.functions);
  if (!windowed) return planProjectFilter(select, input, context);
  if (windows === undefined) throw compileError("Windowed queries (GROUP BY, aggregates, OVER, STAGGER) are not supported yet", select.at);
  const environment = { compile: context.compile, functions: context.functions, windows: select.windows };
  const planned = windows.planSelect(select, input, environment);
  return { columns: planned.columns, stream: input.stream, sources: input.sources, instantiate: planned.instantiate };
}

export const rowtimeNullName = "Null ROWTIME";

/** Moves an output column named ROWTIME into the rows' ROWTIME. */
export function extractRowtime(query: PlannedQuery, at: Query["at"]): PlannedQuery {
  const index = query.columns.findIndex((column) => column.name === rowtimeColumn);
  if (index < 0) return query;
  const column = query.columns[index] as PlannedQuery["columns"][number];
  if (column.type.name !== "TIMESTAMP") throw compileError(`ROWTIME must be of type TIMESTAMP, not ${typeText(column.type)}`, at);
  const width = query.columns.length;
  return {
    ...query,
    columns: query.columns.filter((_, i) => i !== index),
    instantiate(emit, errors, getContext) {
      return query.instantiate(
        (row, rowtimeMs) => {
          const rowtime = row[index];
          if (rowtime === null || rowtime === undefined) {
            errors(new SqlRuntimeError(rowtimeNullName, "ROWTIME cannot be null"), row, rowtimeMs);
            return;
          }
          const out = new Array<SqlValue>(width - 1);
          for (let i = 0, j = 0; i < width; i++) if (i !== index) out[j++] = row[i] ?? null;
          emit(out, rowtime as number);
        },
        errors,
        getContext,
      );
    },
  };
}

function planUnion(operation: SetOperation, context: PlanContext): PlannedQuery {
  // SQL Reference, "Query": "UNION ALL is the only set operator that can be applied to streams.
  // Both sides of the operator must be streams; it is an error if one side is a stream and the
  // other is a relation." Set operations of relations are planned by relation.ts.
  if (operation.operator !== "UNION ALL") throw compileError(`${operation.operator} cannot be applied to streams: UNION ALL is the only set operator on streams`, operation.at);
  const sides = [planQuery(operation.left, context), planQuery(operation.right, context)];
  const [left, right] = sides as [PlannedQuery, PlannedQuery];
  if (left.stream !== right.stream) throw compileError("UNION ALL of a stream and a relation: both sides must be streams", operation.at);
  if (left.columns.length !== right.columns.length) throw compileError("Column count mismatch in UNION ALL", operation.at);
  const columns = left.columns.map((column, i) => {
    const other = right.columns[i] as PlannedQuery["columns"][number];
    const type = commonType([column.type, other.type]);
    if (type === undefined) throw compileError(`Type mismatch in column ${i + 1} of UNION ALL`, operation.at);
    return { name: column.name, type };
  });
  const conversions = sides.map((side) => side.columns.map((column, i) => assignment(column.type, (columns[i] as { type: typeof column.type }).type)));
  return {
    columns,
    stream: left.stream,
    sources: [...left.sources, ...right.sources],
    instantiate(emit, errors, getContext): Operator {
      const buffer = new MergeBuffer(sides.length);
      const evalContext = getContext();
      const operators = sides.map((side, sideIndex) => {
        const convert = conversions[sideIndex] ?? [];
        const needed = convert.some((conversion) => conversion !== undefined);
        return side.instantiate(
          (row: Row, rowtimeMs: number) => {
            if (!needed) return buffer.add(sideIndex, row, rowtimeMs);
            let out: Row;
            try {
              out = row.map((value, i) => {
                const conversion = convert[i];
                return value === null || conversion === undefined ? value : conversion(value, evalContext);
              });
            } catch (error) {
              errors(error as Error, row, rowtimeMs);
              return;
            }
            buffer.add(sideIndex, out, rowtimeMs);
          },
          errors,
          getContext,
        );
      });
      context.slot.require().addMergePoint({
        release(bound) {
          let limit = Infinity;
          for (const side of sides) limit = Math.min(limit, bound(side.sources));
          buffer.release(limit, emit);
        },
      });
      return {
        push() {},
        advance(watermarkMs) {
          for (const operator of operators) operator.advance(watermarkMs);
        },
        snapshot: () => ({ sides: operators.map((operator) => operator.snapshot()), buffer: buffer.snapshot() }),
        restore(state) {
          const saved = state as { sides: unknown[]; buffer: MergeSnapshot };
          operators.forEach((operator, i) => operator.restore(saved.sides[i]));
          buffer.restore(saved.buffer);
        },
      };
    },
  };
}

export interface QueryOptions {
  /** false: keep an output column named ROWTIME as a column (INSERT INTO s (ROWTIME, …) maps it). */
  extractRowtime?: boolean;
}

export function planQuery(query: Query, context: PlanContext, options: QueryOptions = {}): PlannedQuery {
  if (query.kind === "SetOperation") return planUnion(query, context);
  if (query.kind === "Values") throw compileError("Cannot convert table to stream: VALUES is a relation, and a pump needs SELECT STREAM", query.at);
  const planned = planSelect(query, context);
  return options.extractRowtime === false ? planned : extractRowtime(planned, query.at);
}
