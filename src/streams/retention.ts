/**
 * Increase/DecreaseStreamRetentionPeriod share their checks, in AWS's order: the stream exists,
 * is ACTIVE, the new period is within 24..8760 hours, and moves in the action's direction
 * (the same period is accepted by both).
 */
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";
import type { StreamsContext } from "./context.js";
import type { Shape } from "../protocol/shapes.js";
import type { StreamReference } from "./stream-registry.js";

export interface RetentionInput extends StreamReference {
  RetentionPeriodHours: number;
}

/** Shape members, in AWS's check order. */
export const retentionMembers: Readonly<Record<string, Shape>> = {
  RetentionPeriodHours: { type: "integer", required: true, min: 1 },
};

export async function changeRetention(context: StreamsContext, input: RetentionInput, direction: "increase" | "decrease"): Promise<void> {
  const streamName = context.streams.nameOf(input);
  await context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require(input);
    const { accountId } = context;
    if (meta.StreamStatus !== "ACTIVE") throw streamsErrors.streamNotActive(meta.StreamName, accountId, meta.StreamStatus);
    const hours = input.RetentionPeriodHours;
    if (hours < limits.retentionHoursMin) throw streamsErrors.retentionTooShort(hours, limits.retentionHoursMin);
    if (hours > limits.retentionHoursMax) throw streamsErrors.retentionTooLong(hours, limits.retentionHoursMax);
    const current = meta.RetentionPeriodHours;
    if (direction === "increase" && hours < current) throw streamsErrors.retentionNotLonger(hours, meta.StreamName, current);
    if (direction === "decrease" && hours > current) throw streamsErrors.retentionNotShorter(hours, meta.StreamName, current);
    if (hours !== current) await context.streams.put({ ...meta, RetentionPeriodHours: hours });
  });
}
