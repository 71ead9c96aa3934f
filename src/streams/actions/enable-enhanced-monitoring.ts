import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamId } from "../shapes/common.js";
import { changeMonitoring, monitoringMembers, type EnhancedMonitoringInput, type EnhancedMonitoringOutput } from "../enhanced-monitoring.js";

/** EnableEnhancedMonitoring: adds shard-level metrics ("ALL": every one); answers the metrics before and after. */
export const enableEnhancedMonitoring = defineAction<EnhancedMonitoringInput, EnhancedMonitoringOutput>({
  iamAction: "kinesis:EnableEnhancedMonitoring",
  resources: streamResource,
  plane: "control",
  shape: { type: "structure", members: { ...monitoringMembers, StreamId } },
  run: (context, input) => changeMonitoring(context, input, "enable"),
});
