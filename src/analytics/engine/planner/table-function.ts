/**
 * TABLE(fn(CURSOR(SELECT STREAM ...), arg, ...)) (SQL Reference "Analytic Functions":
 * RANDOM_CUT_FOREST, HOTSPOTS, TOP_K_ITEMS_TUMBLING, …): the cursor's query feeds an instance of
 * the library's table function, whose rows (with the ROWTIMEs it gives them) are the FROM item's
 * rows. The other arguments must be constants, as the reference requires; the function resolves
 * its output columns from the cursor's columns and those constants at compile time.
 */
import type { Cursor, TableFunctionRef } from "../../sql/ast.js";
import type { Row } from "../../sql/types.js";
import type { Operator, ScopeColumn } from "../plan-contracts.js";
import { compileError } from "../expressions/compiled.js";
import { familyText } from "../expressions/type-rules.js";
import type { CorePlannedInput, PlanContext } from "./context.js";
import { planQuery } from "./query.js";

export function planTableFunction(ref: TableFunctionRef, context: PlanContext): CorePlannedInput {
  const cursorIndex = ref.args.findIndex((arg) => arg.kind === "Cursor");
  if (cursorIndex < 0) throw compileError(`Table function ${ref.name} requires a CURSOR argument`, ref.at);
  const cursor = ref.args[cursorIndex] as Cursor;
  const input = planQuery(cursor.query, context);
  if (!input.stream) throw compileError("CURSOR of a table function must be a streaming query (SELECT STREAM)", cursor.at);
  const others = ref.args.filter((_, i) => i !== cursorIndex);
  const compiledArgs = others.map((arg) => context.compile(arg, { columns: [] }));
  compiledArgs.forEach((arg, i) => {
    if (arg.constant === undefined) throw compileError(`Argument ${i + 2} of table function ${ref.name} must be a constant`, (others[i] as { at: typeof ref.at }).at);
  });
  const fn = context.functions.table(ref.name);
  if (fn === undefined) {
    const signature = ["<CURSOR>", ...compiledArgs.map((arg) => familyText(arg.type))].join(", ");
    throw compileError(`No match found for function signature ${ref.name}(${signature})`, ref.at);
  }
  const resolution = fn.resolve(
    input.columns,
    compiledArgs.map((arg) => arg.constant),
    compiledArgs.map((arg) => arg.type),
    context.seed,
  );
  if (!resolution.ok) throw compileError(resolution.message, ref.at);
  const implementation = resolution.value;
  const qualifier = ref.alias;
  const columns: ScopeColumn[] = implementation.columns.map((column, index) => ({ ...(qualifier === undefined ? {} : { qualifier }), name: column.name, type: column.type, index }));
  return {
    scope: { columns },
    stream: true,
    sources: input.sources,
    instantiate(emit, errors, getContext): Operator {
      const instance = implementation.create();
      const upstream = input.instantiate(
        (row: Row, rowtimeMs: number) => {
          try {
            instance.push(row, rowtimeMs, emit);
          } catch (error) {
            errors(error as Error, row, rowtimeMs);
          }
        },
        errors,
        getContext,
      );
      return {
        push: (row, rowtimeMs) => upstream.push(row, rowtimeMs),
        advance(watermarkMs) {
          upstream.advance(watermarkMs);
          instance.advance(watermarkMs, emit);
        },
        snapshot: () => ({ input: upstream.snapshot(), function: instance.snapshot() }),
        restore(state) {
          const saved = state as { input: unknown; function: unknown };
          upstream.restore(saved.input);
          instance.restore(saved.function);
        },
      };
    },
  };
}
