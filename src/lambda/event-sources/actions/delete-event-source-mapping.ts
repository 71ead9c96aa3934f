/**
 * DeleteEventSourceMapping (DELETE /2015-03-31/event-source-mappings/{UUID}, 202): the mapping
 * answers in state Deleting; the manager stops its pollers, then removes it and its checkpoints.
 */
import type { LambdaAction } from "../../action.js";
import { lambdaErrors } from "../../errors.js";
import { answer, existingMapping, mappingsPath } from "./shared.js";

export const deleteEventSourceMapping: LambdaAction = {
  name: "DeleteEventSourceMapping",
  method: "DELETE",
  path: `${mappingsPath}{UUID}`,
  iamAction: "lambda:DeleteEventSourceMapping",
  async run(context, request) {
    const uuid = request.params.UUID ?? "";
    await existingMapping(context, request.accountId, uuid);
    const nowMs = context.clock.nowMs();
    const deleting = await context.eventSources.mappings.modify(request.accountId, uuid, (record) => ({ ...record, State: "Deleting", StateTransitionReason: "User action", LastModifiedMs: nowMs }));
    if (deleting === undefined) throw lambdaErrors.resourceNotFound("The resource you requested does not exist.");
    context.eventSources.changed(request.accountId, uuid);
    return answer(202, deleting);
  },
};
