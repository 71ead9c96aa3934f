/**
 * CloudWatch's period rules (MetricStat and GetMetricStatistics reference pages): a period is 1,
 * 5, 10, 20 or 30 seconds (high resolution) or a multiple of 60; the start time is rounded down —
 * to the period for a high-resolution one (even 5-, 10-, 20-, 30-second divisions of a minute),
 * otherwise to the minute when it is under 15 days old, to 5 minutes up to 63 days, to the hour
 * beyond. Datapoints then follow each other from that rounded start, one period apart.
 */

const highResolutionPeriods: ReadonlySet<number> = new Set([1, 5, 10, 20, 30]);

export function isValidPeriod(periodSeconds: number): boolean {
  return highResolutionPeriods.has(periodSeconds) || (periodSeconds > 0 && periodSeconds % 60 === 0);
}

const minuteMs = 60_000;
const dayMs = 86_400_000;

export function roundedStartMs(startMs: number, periodSeconds: number, nowMs: number): number {
  const unitMs = periodSeconds < 60 ? periodSeconds * 1000 : nowMs - startMs < 15 * dayMs ? minuteMs : nowMs - startMs < 63 * dayMs ? 5 * minuteMs : 60 * minuteMs;
  return Math.floor(startMs / unitMs) * unitMs;
}

/** How many periods [startMs, endMs) spans: what the datapoint limits count. */
export function periodsIn(startMs: number, endMs: number, periodSeconds: number): number {
  return Math.ceil((endMs - startMs) / (periodSeconds * 1000));
}
