/**
 * The sandboxes that run Lambda functions (docs/lambda.md, "Runtimes and sandboxes"): child
 * processes speaking the Lambda Runtime API, warm ones reused, bounded in concurrency, time and
 * memory, their output kept as the function's log.
 *
 * @example
 *   const executor = createExecutor({ clock, random, logger, region, options, code, logs, endpointUrl });
 *   const result = await executor.invoke(fn, { payload: Buffer.from("{}"), requestId });
 *   await executor.stop();
 */
import type { Executor } from "../model.js";
import { SandboxExecutor, type ExecutorDeps } from "./executor.js";

export type { ExecutorDeps } from "./executor.js";
export { accountConcurrencyMax, idleSandboxMs } from "./executor.js";

export function createExecutor(deps: ExecutorDeps): Executor {
  return new SandboxExecutor(deps);
}
