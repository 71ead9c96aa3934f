/**
 * Prometheus' text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
 *
 *   exposition = { family } ;
 *   family     = "# HELP " name " " help-text "\n" "# TYPE " name " " type "\n" { sample } ;
 *   sample     = name [ "{" label { "," label } "}" ] " " value "\n" ;
 *   label      = label-name "=" '"' label-value '"' ;
 *   name       = [a-zA-Z_:][a-zA-Z0-9_:]*      label-name = [a-zA-Z_][a-zA-Z0-9_]* (not "__"-prefixed)
 *   value      = a Go float: "NaN", "+Inf", "-Inf" or a decimal / exponent number
 *
 * In help text `\` and line feed are escaped (`\\`, `\n`); in label values `\`, `"` and line feed
 * (`\\`, `\"`, `\n`). A family's samples are contiguous and come after its HELP and TYPE; a
 * summary's samples are `name{quantile="…"}`, `name_sum` and `name_count`, a histogram's
 * `name_bucket{le="…"}` (cumulative, ending at le="+Inf"), `name_sum` and `name_count`.
 * Written by hand: a wire format of a page, with no dependency to keep current.
 */

export const expositionContentType = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "summary" | "histogram" | "untyped";

/** Label name and value pairs, written in this order. */
export type Labels = readonly (readonly [string, string])[];

export interface Sample {
  /** Appended to the family's name: "_sum", "_count", "_bucket" ("" or absent: the name itself). */
  suffix?: string;
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return metricNamePattern.test(name);
}

/** A label name a scraper takes: the pattern, and not one of the `__`-prefixed names Prometheus reserves. */
export function isValidLabelName(name: string): boolean {
  return labelNamePattern.test(name) && !name.startsWith("__");
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A value as Go's ParseFloat reads it: NaN, +Inf, -Inf, or JavaScript's shortest round-tripping decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** The families as one exposition; families without samples are left out (a HELP and TYPE alone say nothing). */
export function writeExposition(families: readonly MetricFamily[]): string {
  let text = "";
  for (const family of families) {
    if (family.samples.length === 0) continue;
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      text += family.name + (sample.suffix ?? "");
      if (sample.labels !== undefined && sample.labels.length > 0) {
        text += "{" + sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",") + "}";
      }
      text += ` ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}
