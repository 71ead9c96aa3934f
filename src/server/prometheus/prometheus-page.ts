/**
 * `GET /metrics` for Prometheus (docs/prometheus.md): the CloudWatch-named series every service
 * records (cloudwatch-names.ts says how they are named), the process's own metrics
 * (process-metrics.ts) and the bytes each stream keeps on disk, in the text exposition format
 * (exposition.ts). A SitePage (create-server.ts): served to unsigned GET and HEAD requests, which
 * is what a scraper sends; a signed `GET /metrics` is S3's (a bucket named "metrics").
 */
import type { MetricsReader } from "../../core/metrics.js";
import type { SitePage } from "../create-server.js";
import type { Clock } from "../../util/clock.js";
import { expositionContentType, isValidLabelName, isValidMetricName, writeExposition, type MetricFamily } from "./exposition.js";
import { mapSeries } from "./cloudwatch-names.js";
import { processWatch } from "./process-metrics.js";

export const metricsPath = "/metrics";

/** One stream's logs on disk. */
export interface StreamDiskBytes {
  accountId: string;
  streamName: string;
  bytes: number;
}

export interface PrometheusPageDeps {
  metrics: MetricsReader;
  /** Reads the time once, for process_start_time_seconds. */
  clock: Clock;
  /** The bytes each stream keeps on disk, read at each scrape; absent for an engine that keeps nothing on disk. */
  streamDiskBytes?: () => Promise<readonly StreamDiskBytes[]>;
}

export function prometheusPage(deps: PrometheusPageDeps): SitePage {
  const watch = processWatch();
  const startTimeSeconds = deps.clock.nowMs() / 1000 - process.uptime();
  return {
    claims: (path) => path === metricsPath,
    async respond() {
      const families = [...serviceFamilies(deps.metrics), ...(await diskFamilies(deps)), ...(await watch.families(startTimeSeconds))];
      return { statusCode: 200, headers: { "content-type": expositionContentType }, body: Buffer.from(writeExposition(families), "utf8") };
    },
  };
}

/**
 * Every recorded series, grouped into families by Prometheus name in the order first seen. A
 * series whose name or labels Prometheus cannot take, or whose name another series already gave
 * a different type, is left out rather than breaking the whole page for a scraper.
 */
export function serviceFamilies(metrics: MetricsReader): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  for (const { id, unit, stats } of metrics.totals()) {
    const mapped = mapSeries(id, unit, stats);
    if (!isValidMetricName(mapped.name) || !mapped.labels.every(([name]) => isValidLabelName(name))) continue;
    let family = families.get(mapped.name);
    if (family === undefined) families.set(mapped.name, (family = { name: mapped.name, help: mapped.help, type: mapped.type, samples: [] }));
    else if (family.type !== mapped.type) continue;
    for (const { suffix, value } of mapped.values) family.samples.push({ suffix, labels: mapped.labels, value });
  }
  return [...families.values()];
}

async function diskFamilies(deps: PrometheusPageDeps): Promise<MetricFamily[]> {
  if (deps.streamDiskBytes === undefined) return [];
  const streams = await deps.streamDiskBytes();
  return [
    {
      name: "tributary_stream_disk_bytes",
      help: "Bytes of a stream's shard logs (segments and indexes) on disk",
      type: "gauge",
      samples: streams.map((stream) => ({ labels: [["account_id", stream.accountId], ["stream_name", stream.streamName]], value: stream.bytes })),
    },
  ];
}
