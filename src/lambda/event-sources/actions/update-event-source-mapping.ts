/**
 * UpdateEventSourceMapping (PUT /2015-03-31/event-source-mappings/{UUID}, 202): the options given
 * replace the stored ones; the mapping answers Updating (Enabling or Disabling when `Enabled`
 * turns it on or off) and the manager restarts its pollers with the new options, from the
 * checkpoints (the position in each shard is kept).
 */
import type { LambdaAction } from "../../action.js";
import { LambdaError, lambdaErrors } from "../../errors.js";
import type { MappingRecord, MappingState } from "../mapping.js";
import { readOptions } from "../options.js";
import { validateFilters } from "./create-event-source-mapping.js";
import { answer, existingMapping, mappedFunctionArn, mappingsPath, readFunctionName } from "./shared.js";

export const updateEventSourceMapping: LambdaAction = {
  name: "UpdateEventSourceMapping",
  method: "PUT",
  path: `${mappingsPath}{UUID}`,
  iamAction: "lambda:UpdateEventSourceMapping",
  async run(context, request) {
    const uuid = request.params.UUID ?? "";
    const options = readOptions(request.json, "update");
    validateFilters(options);
    const functionName = readFunctionName(request.json, false);
    const current = await existingMapping(context, request.accountId, uuid);
    if (current.State === "Deleting") throw new LambdaError("ResourceInUseException", "Cannot update the event source mapping because it is in use.", 400);
    const functionArn = functionName === undefined ? undefined : await mappedFunctionArn(context, request.accountId, functionName);
    const nowMs = context.clock.nowMs();
    const updated = await context.eventSources.mappings.modify(request.accountId, uuid, (record) => {
      const next: MappingRecord = { ...record, LastModifiedMs: nowMs, StateTransitionReason: "User action" };
      if (functionArn !== undefined) next.FunctionArn = functionArn;
      for (const member of ["BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria"] as const) {
        if (options[member] !== undefined) (next as unknown as Record<string, unknown>)[member] = options[member];
      }
      if (options.FilterCriteria !== undefined && (options.FilterCriteria.Filters ?? []).length === 0) delete next.FilterCriteria;
      if (options.OnFailureDestination !== undefined) {
        if (options.OnFailureDestination === "") delete next.OnFailureDestination;
        else next.OnFailureDestination = options.OnFailureDestination;
      }
      if (options.Enabled !== undefined) next.Enabled = options.Enabled;
      next.State = transitionState(record, next.Enabled);
      return next;
    });
    if (updated === undefined) throw lambdaErrors.resourceNotFound("The resource you requested does not exist.");
    context.eventSources.changed(request.accountId, uuid);
    return answer(202, updated);
  },
};

function transitionState(before: MappingRecord, enabled: boolean): MappingState {
  if (enabled && !before.Enabled) return "Enabling";
  if (!enabled && before.Enabled) return "Disabling";
  return "Updating";
}
