/**
 * The Lambda service's side of the FunctionInvoker port (src/storage/function-invoker.ts): other
 * services (Firehose's transformations) run a function synchronously from inside the process, as
 * Invoke with RequestResponse would, through the same resolver and sandboxes — no HTTP to ourselves.
 */
import type { FunctionInvokeOutcome, FunctionInvoker } from "../storage/function-invoker.js";
import type { Random } from "../util/random.js";
import { randomUUIDFrom } from "../util/uuid.js";
import { LambdaError } from "./errors.js";
import type { Executor, FunctionResolver } from "./model.js";

export function createFunctionInvoker(deps: { functions: FunctionResolver; executor: Executor; random: Random }): FunctionInvoker {
  return {
    async invoke(accountId, functionArn, payload): Promise<FunctionInvokeOutcome> {
      try {
        const fn = await deps.functions.resolve(accountId, functionArn);
        if (fn === undefined) return { ok: false, errorCode: "ResourceNotFoundException", errorMessage: `Function not found: ${functionArn}`, retriable: false };
        const result = await deps.executor.invoke(fn, { payload, requestId: randomUUIDFrom(deps.random) });
        if (result.kind === "throttled") return { ok: false, errorCode: "TooManyRequestsException", errorMessage: `Rate Exceeded. (${result.reason})`, retriable: true };
        return { ok: true, payload: result.payload, executedVersion: result.executedVersion, ...(result.functionError !== undefined && { functionError: result.functionError }) };
      } catch (error) {
        if (error instanceof LambdaError) return { ok: false, errorCode: error.type, errorMessage: error.message, retriable: error.statusCode === 429 || error.statusCode >= 500 };
        throw error;
      }
    },
  };
}
