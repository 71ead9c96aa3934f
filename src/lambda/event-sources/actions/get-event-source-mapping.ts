/** GetEventSourceMapping (GET /2015-03-31/event-source-mappings/{UUID}). */
import type { LambdaAction } from "../../action.js";
import { answer, existingMapping, mappingsPath } from "./shared.js";

export const getEventSourceMapping: LambdaAction = {
  name: "GetEventSourceMapping",
  method: "GET",
  path: `${mappingsPath}{UUID}`,
  iamAction: "lambda:GetEventSourceMapping",
  async run(context, request) {
    return answer(200, await existingMapping(context, request.accountId, request.params.UUID ?? ""));
  },
};
