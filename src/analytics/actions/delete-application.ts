import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StoredApplication } from "../model.js";
import { requireApplication, settled, transition } from "./common.js";

export const deleteApplication = defineAction<{ ApplicationName: string; CreateTimestamp: number }, Record<string, never>>({
  iamAction: "kinesisanalytics:DeleteApplication",
  shape: kinesisAnalyticsRequestShapes.DeleteApplication,
  async run(context, input) {
    await deleteStored(context, input.ApplicationName, "v1", (application) => {
      // CreateTimestamp is kept to the second (clients such as the AWS CLI send whole seconds).
      if (Math.floor(input.CreateTimestamp / 1000) !== Math.floor(application.createdAtMs / 1000)) throw analyticsErrors.createTimestampMismatch(application.ApplicationName);
    });
    return {};
  },
});

/** DELETING (the runtime stops the application at once), then gone after the delay. */
export async function deleteStored(context: AnalyticsContext, name: string, api: "v1" | "v2", check: (application: StoredApplication) => void): Promise<void> {
  await requireApplication(context, name, api);
  const nowMs = context.clock.nowMs();
  const updated = await context.store.update(context.accountId, name, (stored) => {
    const current = settled(stored, nowMs);
    if (current === undefined) throw analyticsErrors.notFound(name);
    check(current);
    if (current.status === "DELETING") throw analyticsErrors.inUse(name, current.status);
    return transition({ ...current, running: false }, "DELETING", "GONE", nowMs, context.config.deleteDelayMs);
  });
  if (updated === undefined) throw analyticsErrors.notFound(name);
  context.runtime.applicationChanged(context.accountId, name);
}
