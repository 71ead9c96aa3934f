/**
 * The processors of a destination's ProcessingConfiguration. The PROCESSORS helper's module
 * (src/firehose/processors: createProcessors) is wired here once it exists; until then a stream
 * with processing enabled runs no processors (records pass through unchanged).
 */
import type { RecordProcessor } from "../contracts.js";
import type { StoredDestination } from "../../model.js";
import type { FunctionInvoker } from "../../../storage/function-invoker.js";
import type { Clock } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";

export interface ProcessorDeps {
  functionInvoker: FunctionInvoker;
  accountId: string;
  clock: Clock;
  logger: Logger;
}

export function processorsFor(destination: StoredDestination, _deps: ProcessorDeps): RecordProcessor[] {
  const processing = destination.configuration.ProcessingConfiguration as { Enabled?: boolean } | undefined;
  if (processing?.Enabled !== true) return [];
  return [];
}
