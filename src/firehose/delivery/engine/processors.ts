/**
 * The processors of a destination's ProcessingConfiguration: the PROCESSORS helper's module
 * (src/firehose/processors: createProcessors), in their configured order.
 */
import type { RecordProcessor } from "../contracts.js";
import type { StoredDestination } from "../../model.js";
import { createProcessors, type ProcessingConfiguration, type ProcessorDeps } from "../../processors/index.js";

export type { ProcessorDeps };

export function processorsFor(destination: StoredDestination, deps: ProcessorDeps): RecordProcessor[] {
  return createProcessors(destination.configuration.ProcessingConfiguration as ProcessingConfiguration | undefined, deps);
}
