import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StartingPosition, StoredApplication } from "../model.js";
import { requireApplication, settled, transition } from "./common.js";

interface InputConfiguration {
  Id: string;
  InputStartingPositionConfiguration: { InputStartingPosition?: StartingPosition };
}

export const startApplication = defineAction<{ ApplicationName: string; InputConfigurations: InputConfiguration[] }, Record<string, never>>({
  iamAction: "kinesisanalytics:StartApplication",
  shape: kinesisAnalyticsRequestShapes.StartApplication,
  async run(context, input) {
    await startStored(context, input.ApplicationName, "v1", input.InputConfigurations);
    return {};
  },
});

export const stopApplication = defineAction<{ ApplicationName: string }, Record<string, never>>({
  iamAction: "kinesisanalytics:StopApplication",
  shape: kinesisAnalyticsRequestShapes.StopApplication,
  async run(context, input) {
    await stopStored(context, input.ApplicationName, "v1");
    return {};
  },
});

/** READY → STARTING → RUNNING; each input starts where its configuration says (NOW when none does). */
export async function startStored(context: AnalyticsContext, name: string, api: "v1" | "v2", configurations: readonly InputConfiguration[]): Promise<void> {
  await requireApplication(context, name, api);
  const nowMs = context.clock.nowMs();
  const updated = await context.store.update(context.accountId, name, (stored) => {
    const current = settled(stored, nowMs);
    if (current === undefined) throw analyticsErrors.notFound(name);
    if (current.status !== "READY") throw analyticsErrors.inUse(name, current.status);
    if (current.inputs.length === 0) throw analyticsErrors.invalidConfiguration(`Application ${name} has no input configured; add an input before starting it.`);
    const unknown = configurations.find((configuration) => !current.inputs.some((stored) => stored.InputId === configuration.Id));
    if (unknown !== undefined) throw analyticsErrors.invalidArgument(`Input id ${unknown.Id} is not found in application ${name}.`);
    const inputs = current.inputs.map((stored) => {
      const given = configurations.find((configuration) => configuration.Id === stored.InputId);
      const position = given?.InputStartingPositionConfiguration.InputStartingPosition ?? "NOW";
      if (position === "TRIM_HORIZON" && stored.KinesisFirehoseInput !== undefined) {
        throw analyticsErrors.invalidArgument("TRIM_HORIZON is not supported for an Amazon Kinesis Firehose delivery stream input.");
      }
      return { ...stored, InputStartingPositionConfiguration: { InputStartingPosition: position } };
    });
    const started: StoredApplication = { ...current, inputs, running: true, runNumber: current.runNumber + 1, runStartedAtMs: nowMs };
    return transition(started, "STARTING", "RUNNING", nowMs, context.config.startDelayMs);
  });
  if (updated === undefined) throw analyticsErrors.notFound(name);
  context.runtime.applicationChanged(context.accountId, name);
}

/** RUNNING (or on its way there) → STOPPING → READY; stopping a READY or STOPPING application changes nothing. */
export async function stopStored(context: AnalyticsContext, name: string, api: "v1" | "v2"): Promise<void> {
  await requireApplication(context, name, api);
  const nowMs = context.clock.nowMs();
  const updated = await context.store.update(context.accountId, name, (stored) => {
    const current = settled(stored, nowMs);
    if (current === undefined) throw analyticsErrors.notFound(name);
    if (current.status === "READY" || current.status === "STOPPING") return current;
    if (current.status === "DELETING") throw analyticsErrors.inUse(name, current.status);
    return transition({ ...current, running: false }, "STOPPING", "READY", nowMs, context.config.stopDelayMs);
  });
  if (updated === undefined) throw analyticsErrors.notFound(name);
  context.runtime.applicationChanged(context.accountId, name);
}
