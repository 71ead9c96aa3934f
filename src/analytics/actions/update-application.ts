import { defineAction } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import { changeApplication } from "./common.js";
import { applyItemUpdates, type ItemUpdates } from "./apply-updates.js";
import { checkApplicationParts } from "./configuration.js";
import { checkCode } from "./code-check.js";

interface UpdateInput {
  ApplicationName: string;
  CurrentApplicationVersionId: number;
  ApplicationUpdate: ItemUpdates & { ApplicationCodeUpdate?: string };
}

export const updateApplication = defineAction<UpdateInput, Record<string, never>>({
  iamAction: "kinesisanalytics:UpdateApplication",
  shape: kinesisAnalyticsRequestShapes.UpdateApplication,
  async run(context, input) {
    const update = input.ApplicationUpdate;
    const members = [update.InputUpdates, update.OutputUpdates, update.ReferenceDataSourceUpdates, update.CloudWatchLoggingOptionUpdates, update.ApplicationCodeUpdate];
    if (members.every((member) => member === undefined)) throw analyticsErrors.invalidArgument("ApplicationUpdate must contain at least one update.");
    await changeApplication(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, (application) => {
      const changed = applyItemUpdates(application, update);
      if (update.ApplicationCodeUpdate !== undefined) changed.ApplicationCode = update.ApplicationCodeUpdate;
      checkApplicationParts(changed);
      checkCode(context, changed);
      return changed;
    });
    return {};
  },
});
