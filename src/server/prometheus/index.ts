/** Prometheus' /metrics (docs/prometheus.md). */
export { prometheusPage, metricsPath, type PrometheusPageDeps, type StreamDiskBytes } from "./prometheus-page.js";
export { embeddedStreamDiskBytes } from "./stream-disk-bytes.js";
