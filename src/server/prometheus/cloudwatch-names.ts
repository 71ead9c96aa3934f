/**
 * The rule that turns a CloudWatch series (src/core/metrics.ts) into Prometheus samples
 * (docs/prometheus.md, "Names"):
 *
 * - name: `tributary_` + the namespace without `AWS/`, lowercased (`kinesis`, `firehose`,
 *   `lambda`, `kinesisanalytics`) + `_` + the metric name in snake case, dots as underscores
 *   (`GetRecords.IteratorAgeMilliseconds` → `get_records_iterator_age_milliseconds`), then a
 *   suffix by unit, in Prometheus' base units:
 *   - Count: a counter of the samples' sum, `_total` (IncomingRecords → `…_incoming_records_total`);
 *   - Bytes, Kilobytes, … Bits, …: a counter of the sum in bytes, `_bytes_total` (a trailing
 *     `_bytes` of the name is not repeated: IncomingBytes → `…_incoming_bytes_total`);
 *   - Seconds, Milliseconds, Microseconds: a summary in seconds, `_seconds` with `_sum` and
 *     `_count` (a trailing `_milliseconds`, `_millis`, `_microseconds` or `_seconds` of the name
 *     is replaced: `…_get_records_iterator_age_seconds`, `…_put_record_latency_seconds`);
 *   - Percent: a summary of the ratio (value / 100), `_ratio`;
 *   - …/Second: a summary of the rate in base units, `_per_second` or `_bytes_per_second`;
 *   - None: a summary of the values as recorded.
 * - labels: `account_id`, the account the series is of (CloudWatch keeps each account's apart: two
 *   accounts' streams of one name are two series), then each dimension, its name in snake case
 *   (StreamName → `stream_name`, ShardId → `shard_id`), its value verbatim.
 * - values: every sample since the server started (MetricsReader.totals), so counters only rise
 *   and `rate()` works; a restart starts them again from zero, which Prometheus reads as a reset.
 */
import type { MetricId, MetricUnit, StatisticSet } from "../../core/metrics.js";
import type { Labels, MetricType } from "./exposition.js";

export interface MappedSeries {
  name: string;
  type: MetricType;
  help: string;
  labels: Labels;
  /** The samples' suffixes and values: one for a counter; `_sum` and `_count` for a summary. */
  values: readonly { suffix: string; value: number }[];
}

type UnitKind = "count" | "bytes" | "seconds" | "ratio" | "per_second" | "bytes_per_second" | "none";

/** Each CloudWatch unit: what kind of quantity it is and the factor to Prometheus' base unit. */
const units: Record<MetricUnit, readonly [UnitKind, number]> = {
  Count: ["count", 1],
  Bytes: ["bytes", 1],
  Kilobytes: ["bytes", 1024],
  Megabytes: ["bytes", 1024 ** 2],
  Gigabytes: ["bytes", 1024 ** 3],
  Terabytes: ["bytes", 1024 ** 4],
  Bits: ["bytes", 1 / 8],
  Kilobits: ["bytes", 1000 / 8],
  Megabits: ["bytes", 1000 ** 2 / 8],
  Gigabits: ["bytes", 1000 ** 3 / 8],
  Terabits: ["bytes", 1000 ** 4 / 8],
  Seconds: ["seconds", 1],
  Milliseconds: ["seconds", 1e-3],
  Microseconds: ["seconds", 1e-6],
  Percent: ["ratio", 0.01],
  "Count/Second": ["per_second", 1],
  "Bytes/Second": ["bytes_per_second", 1],
  "Kilobytes/Second": ["bytes_per_second", 1024],
  "Megabytes/Second": ["bytes_per_second", 1024 ** 2],
  "Gigabytes/Second": ["bytes_per_second", 1024 ** 3],
  "Terabytes/Second": ["bytes_per_second", 1024 ** 4],
  "Bits/Second": ["bytes_per_second", 1 / 8],
  "Kilobits/Second": ["bytes_per_second", 1000 / 8],
  "Megabits/Second": ["bytes_per_second", 1000 ** 2 / 8],
  "Gigabits/Second": ["bytes_per_second", 1000 ** 3 / 8],
  "Terabits/Second": ["bytes_per_second", 1000 ** 4 / 8],
  None: ["none", 1],
};

/**
 * CamelCase and dotted names in snake case: a word starts at an upper-case letter after a
 * lower-case letter or digit, or at the last upper-case letter of a run followed by a lower-case
 * one (`HTTPEndpoint` → `http_endpoint`, `DeliveryToS3` → `delivery_to_s3`); anything but
 * letters and digits becomes `_`.
 */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** `AWS/Kinesis` → `kinesis`, `AWS/KinesisAnalytics` → `kinesisanalytics`; a namespace of one's own, lowercased and cleaned. */
function namespacePart(namespace: string): string {
  return namespace.replace(/^AWS\//, "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

function withoutTrailing(name: string, words: readonly string[]): string {
  for (const word of words) if (name.endsWith(`_${word}`)) return name.slice(0, -word.length - 1);
  return name;
}

/** One CloudWatch series' Prometheus name, type, labels and values (the rule at the top of this file). */
export function mapSeries(id: MetricId, unit: MetricUnit, stats: StatisticSet): MappedSeries {
  const [kind, factor] = units[unit] ?? ["none", 1];
  const base = `tributary_${namespacePart(id.Namespace)}_${snakeCase(id.MetricName)}`;
  const dimensions: Labels = id.Dimensions.map((dimension) => [snakeCase(dimension.Name) || "dimension", dimension.Value] as const);
  const labels: Labels = id.AccountId === undefined ? dimensions : [["account_id", id.AccountId], ...dimensions];
  const help = `CloudWatch ${id.Namespace} ${id.MetricName} (${unit}): ${kind === "count" || kind === "bytes" ? "the sum of" : "a summary of"} every sample since the server started`;
  const sum = stats.Sum * factor;
  const summary = (name: string): MappedSeries => ({
    name,
    type: "summary",
    help,
    labels,
    values: [
      { suffix: "_sum", value: sum },
      { suffix: "_count", value: stats.SampleCount },
    ],
  });
  switch (kind) {
    case "count":
      return { name: `${withoutTrailing(base, ["total"])}_total`, type: "counter", help, labels, values: [{ suffix: "", value: sum }] };
    case "bytes":
      return { name: `${withoutTrailing(base, ["bytes"])}_bytes_total`, type: "counter", help, labels, values: [{ suffix: "", value: sum }] };
    case "seconds":
      return summary(`${withoutTrailing(base, ["milliseconds", "millis", "microseconds", "seconds"])}_seconds`);
    case "ratio":
      return summary(`${withoutTrailing(base, ["percent", "percentage"])}_ratio`);
    case "per_second":
      return summary(`${withoutTrailing(base, ["per_second"])}_per_second`);
    case "bytes_per_second":
      return summary(`${withoutTrailing(base, ["bytes_per_second", "per_second"])}_bytes_per_second`);
    case "none":
      return summary(base);
  }
}
