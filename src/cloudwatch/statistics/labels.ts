/**
 * GetMetricData's labels: the query's Label (the metric name when absent) with CloudWatch's
 * dynamic values filled in (User Guide, "Use dynamic labels"): `${AVG}`, `${MAX}`, `${MIN}`,
 * `${SUM}`, `${FIRST}`, `${LAST}`, `${DATAPOINT_COUNT}`, `${FIRST_LAST_RANGE}`, `${MIN_MAX_RANGE}`,
 * `${FIRST_TIME}`, `${LAST_TIME}`, `${MIN_TIME}`, `${MAX_TIME}` (in LabelOptions.Timezone, UTC by
 * default), `${LABEL}` and `${PROP('MetricName' | 'Namespace' | 'Period' | 'Stat' | 'AccountId' |
 * 'Region' | 'Dim.<name>')}`. Values CloudWatch computes over the whole time range shown are
 * computed over the datapoints returned. Anything else is left as written.
 */
import type { MetricDimension } from "../../core/metrics.js";

export interface LabelFacts {
  label: string | undefined;
  namespace: string;
  metricName: string;
  dimensions: readonly MetricDimension[];
  periodSeconds: number;
  stat: string;
  accountId: string;
  region: string;
  /** Oldest first. */
  points: readonly { timestampMs: number; value: number }[];
  /** Minutes east of UTC (LabelOptions.Timezone). */
  offsetMinutes: number;
}

/** `+0130` / `-0800`, LabelOptions.Timezone's format: hours 00–14 ahead, 00–12 behind. */
export function timezoneOffsetMinutes(timezone: string): number | undefined {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(timezone);
  if (match === null) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (minutes > 59 || hours > (match[1] === "+" ? 14 : 12)) return undefined;
  return (match[1] === "+" ? 1 : -1) * (hours * 60 + minutes);
}

export function resolveLabel(facts: LabelFacts): string {
  const defaultLabel = facts.metricName;
  const label = facts.label ?? defaultLabel;
  if (!label.includes("${")) return label;
  return label.replace(/\$\{([A-Z_]+|PROP\('([^']*)'\))\}/g, (whole: string, name: string, property: string | undefined) => {
    if (property !== undefined) return propertyValue(facts, property) ?? whole;
    if (name === "LABEL") return defaultLabel;
    return liveValue(facts, name) ?? whole;
  });
}

function propertyValue(facts: LabelFacts, property: string): string | undefined {
  if (property.startsWith("Dim.")) return facts.dimensions.find((d) => d.Name === property.slice(4))?.Value;
  switch (property) {
    case "MetricName":
      return facts.metricName;
    case "Namespace":
      return facts.namespace;
    case "Period":
      return String(facts.periodSeconds);
    case "Stat":
      return facts.stat;
    case "AccountId":
      return facts.accountId;
    case "Region":
      return facts.region;
    default:
      return undefined;
  }
}

function liveValue(facts: LabelFacts, name: string): string | undefined {
  const points = facts.points;
  if (name === "DATAPOINT_COUNT") return String(points.length);
  if (points.length === 0) return "";
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let min = first;
  let max = first;
  let sum = 0;
  for (const point of points) {
    if (point.value < min.value) min = point;
    if (point.value > max.value) max = point;
    sum += point.value;
  }
  switch (name) {
    case "AVG":
      return numberText(sum / points.length);
    case "SUM":
      return numberText(sum);
    case "MIN":
      return numberText(min.value);
    case "MAX":
      return numberText(max.value);
    case "FIRST":
      return numberText(first.value);
    case "LAST":
      return numberText(last.value);
    case "FIRST_LAST_RANGE":
      return numberText(last.value - first.value);
    case "MIN_MAX_RANGE":
      return numberText(max.value - min.value);
    case "FIRST_TIME":
      return timeText(first.timestampMs, facts.offsetMinutes);
    case "LAST_TIME":
      return timeText(last.timestampMs, facts.offsetMinutes);
    case "MIN_TIME":
      return timeText(min.timestampMs, facts.offsetMinutes);
    case "MAX_TIME":
      return timeText(max.timestampMs, facts.offsetMinutes);
    default:
      return undefined;
  }
}

/** At most three decimals, no trailing zeros: `12.5`, `0.333`, `1200`. */
function numberText(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** `2024-05-01T14:30:00+0200`: the time in the label's timezone, with its offset. */
function timeText(timestampMs: number, offsetMinutes: number): string {
  const local = new Date(timestampMs + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const magnitude = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(magnitude / 60)).padStart(2, "0")}${String(magnitude % 60).padStart(2, "0")}`;
}
