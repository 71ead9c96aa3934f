/**
 * The SQL engine's entry point (contracts.ts): compileApplication parses application code, plans
 * every pump against the inputs and reference tables, and returns an application that start()s
 * into running instances. Bad code is a SqlCompileError with the line and column of the
 * offending node, in the service's wording (the API answers CodeValidationException with it).
 *
 * Example:
 *   const result = compileApplication({ code, inputs: [{ name: "SOURCE_SQL_STREAM_001", columns }],
 *     references: [], functions: defaultFunctionRegistry(), seed: 1 });
 *   if (result.ok) { const app = result.application.start(sink, clock); app.push(...); app.advance(...); }
 */
import { parseProgram } from "../sql/parser.js";
import { SqlCompileError } from "../sql/types.js";
import type { CompiledApplication, CompileRequest, CompileResult, StreamSchema } from "./contracts.js";
import { errorStreamName } from "./contracts.js";
import { MutableCatalog, planApplication } from "./application-plan.js";
import { errorStreamColumns } from "./error-stream.js";
import { createExpressionCompiler } from "./expressions/compiler.js";
import type { WindowPlanner } from "./plan-contracts.js";
import type { PlanContext } from "./planner/context.js";
import { planRelation } from "./planner/relation.js";
import { Instance } from "./runtime/instance.js";
import { WiringSlot } from "./runtime/wiring.js";
import { windowPlanner } from "./window-planner.js";

/** Compiles with an explicit window planner (tests of the core without windows/ pass undefined). */
export function compileWith(request: CompileRequest, windows: WindowPlanner | undefined): CompileResult {
  try {
    const program = parseProgram(request.code);
    const slot = new WiringSlot();
    const context: PlanContext = {
      catalog: new MutableCatalog(),
      functions: request.functions,
      compile: createExpressionCompiler(request.functions),
      windows,
      slot,
      seed: request.seed,
    };
    // Subqueries in expressions plan their query over reference tables with this same context.
    context.compile = createExpressionCompiler(request.functions, (query, outer) => planRelation(query, context, outer));
    const plan = planApplication(program, request.inputs, request.references, context, context.catalog as MutableCatalog);
    const streams: StreamSchema[] = [...plan.inputs, ...plan.streams, { name: errorStreamName, columns: [...errorStreamColumns] }];
    const application: CompiledApplication = {
      streams: () => streams.map((stream) => ({ name: stream.name, columns: [...stream.columns] })),
      start: (sink, clock) => new Instance(plan, slot, sink, clock),
    };
    return { ok: true, application };
  } catch (error) {
    if (error instanceof SqlCompileError) return { ok: false, error };
    throw error;
  }
}

export function compileApplication(request: CompileRequest): CompileResult {
  return compileWith(request, windowPlanner);
}
