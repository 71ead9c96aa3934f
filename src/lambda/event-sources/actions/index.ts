/** The event source mapping operations, for the Lambda router. */
import type { LambdaAction } from "../../action.js";
import { createEventSourceMapping } from "./create-event-source-mapping.js";
import { deleteEventSourceMapping } from "./delete-event-source-mapping.js";
import { getEventSourceMapping } from "./get-event-source-mapping.js";
import { listEventSourceMappings } from "./list-event-source-mappings.js";
import { updateEventSourceMapping } from "./update-event-source-mapping.js";

export const eventSourceActions: readonly LambdaAction[] = [
  createEventSourceMapping,
  getEventSourceMapping,
  updateEventSourceMapping,
  deleteEventSourceMapping,
  listEventSourceMappings,
];
