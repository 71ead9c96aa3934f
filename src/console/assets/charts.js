// Graphs of CloudWatch metrics (GetMetricData, JSON 1.0, through the same origin) drawn with
// uPlot, under one time-range picker. Each graph also states its latest value, maximum and sum in
// text, which screen readers (and the browser tests) read.
import uPlot from "./vendor/uplot.js";
import { call } from "./api.js";
import { h, replace, formatNumber, errorBox } from "./dom.js";

/** Picker choices: the range and the period read for it (1–30 s periods read the server's raw seconds, kept 15 min). */
export const ranges = [
  { key: "5m", label: "Last 5 minutes", rangeMs: 5 * 60_000, periodSeconds: 1 },
  { key: "15m", label: "Last 15 minutes", rangeMs: 15 * 60_000, periodSeconds: 5 },
  { key: "1h", label: "Last hour", rangeMs: 60 * 60_000, periodSeconds: 60 },
  { key: "3h", label: "Last 3 hours", rangeMs: 3 * 60 * 60_000, periodSeconds: 60 },
  { key: "12h", label: "Last 12 hours", rangeMs: 12 * 60 * 60_000, periodSeconds: 300 },
  { key: "24h", label: "Last 24 hours", rangeMs: 24 * 60 * 60_000, periodSeconds: 300 },
];

const rangeStorageKey = "tributary.console.range";
const refreshMs = 5_000;
const palette = ["#2f7ed8", "#e4572e", "#17a673", "#a05bd6", "#d9a400", "#00a3b4", "#d6457a", "#7a8b00"];

function currentRange() {
  const key = localStorage.getItem(rangeStorageKey) ?? "15m";
  return ranges.find((range) => range.key === key) ?? ranges[1];
}

/**
 * A panel of graphs with a time-range picker, refreshed every few seconds while mounted.
 * `graphs`: [{ title, unit, stat, series: [{ label, metric: { Namespace, MetricName, Dimensions } }] }]
 * Returns { element, stop }.
 */
export function metricsPanel(title, graphs) {
  const picker = h("select", { "aria-label": "Time range", onchange: () => { localStorage.setItem(rangeStorageKey, picker.value); refresh(); } },
    ranges.map((range) => h("option", { value: range.key, selected: range.key === currentRange().key }, range.label)));
  const status = h("p", { class: "hint", role: "status" });
  const grid = h("div", { class: "graphs" });
  const cards = graphs.map((graph) => graphCard(graph));
  grid.append(...cards.map((card) => card.element));
  const element = h("section", { class: "card", "aria-label": title },
    h("div", { class: "card-head" }, h("h2", {}, title), h("label", { class: "inline" }, "Range ", picker)),
    status, grid);
  let timer;
  let stopped = false;
  async function refresh() {
    clearTimeout(timer);
    const range = ranges.find((candidate) => candidate.key === picker.value) ?? currentRange();
    const endMs = Date.now();
    const startMs = endMs - range.rangeMs;
    try {
      const results = await metricData(graphs, startMs, endMs, range.periodSeconds);
      cards.forEach((card, index) => card.update(results[index], startMs, endMs, range.periodSeconds));
      status.textContent = "";
    } catch (error) {
      replace(status, errorBox(error));
    }
    if (!stopped) timer = setTimeout(refresh, refreshMs);
  }
  refresh();
  return { element, stop: () => { stopped = true; clearTimeout(timer); cards.forEach((card) => card.destroy()); } };
}

/** One GetMetricData call for every series of every graph (at most 500 queries a call, as CloudWatch allows). */
async function metricData(graphs, startMs, endMs, periodSeconds) {
  const queries = [];
  graphs.forEach((graph, g) => graph.series.forEach((series, s) => queries.push({
    Id: `g${g}s${s}`,
    MetricStat: { Metric: series.metric, Period: periodSeconds, Stat: graph.stat ?? "Sum" },
    ReturnData: true,
  })));
  const byId = new Map();
  for (let offset = 0; offset < queries.length; offset += 500) {
    let token;
    for (let page = 0; page < 10; page++) {
      const answer = await call("cloudwatch", "GetMetricData", {
        MetricDataQueries: queries.slice(offset, offset + 500),
        StartTime: Math.floor(startMs / 1000),
        EndTime: Math.ceil(endMs / 1000),
        ScanBy: "TimestampAscending",
        ...(token && { NextToken: token }),
      });
      for (const result of answer.MetricDataResults ?? []) {
        const points = byId.get(result.Id) ?? [];
        (result.Timestamps ?? []).forEach((timestamp, i) => points.push([toSeconds(timestamp), result.Values[i]]));
        byId.set(result.Id, points);
      }
      token = answer.NextToken;
      if (!token) break;
    }
  }
  return graphs.map((graph, g) => graph.series.map((_, s) => byId.get(`g${g}s${s}`) ?? []));
}

function toSeconds(timestamp) {
  if (typeof timestamp === "number") return timestamp > 1e11 ? timestamp / 1000 : timestamp;
  return Date.parse(timestamp) / 1000;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function graphCard(graph) {
  const summary = h("p", { class: "graph-summary", "aria-live": "off" });
  const plotBox = h("div", { class: "plot", role: "img", "aria-label": `${graph.title} graph` });
  const element = h("figure", { class: "graph", "data-metric": graph.title }, h("figcaption", {}, graph.title, graph.unit && h("span", { class: "unit" }, ` (${graph.unit})`)), plotBox, summary);
  let plot;
  let observer;
  function build(data) {
    const text = cssVar("--text") || "#222";
    const grid = cssVar("--grid") || "#ddd";
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    plot = new uPlot({
      width: Math.max(plotBox.clientWidth, 240),
      height: 150,
      legend: { show: graph.series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(max, 1) * 1.1] } },
      axes: [axis, { ...axis, size: 56, values: (_u, values) => values.map((value) => formatNumber(value, 1)) }],
      series: [{}, ...graph.series.map((series, i) => ({ label: series.label, stroke: palette[i % palette.length], width: 1.5, points: { size: 4, ...(graph.stat !== "Sum" && { show: true }) }, spanGaps: graph.stat !== "Sum" }))],
    }, data, plotBox);
    observer = new ResizeObserver(() => plot && plot.setSize({ width: Math.max(plotBox.clientWidth, 240), height: 150 }));
    observer.observe(plotBox);
  }
  return {
    element,
    update(seriesPoints, startMs, endMs, periodSeconds) {
      // Every period on the x axis; a count with no datapoint in a period was zero, other statistics have a gap.
      const first = Math.floor(startMs / 1000 / periodSeconds) * periodSeconds;
      const xs = [];
      for (let t = first; t <= endMs / 1000; t += periodSeconds) xs.push(t);
      const fill = graph.stat === "Sum" || graph.stat === "SampleCount" ? 0 : null;
      const columns = seriesPoints.map((points) => {
        const at = new Map(points.map(([t, v]) => [Math.round(t), v]));
        return xs.map((t) => at.get(t) ?? fill);
      });
      const all = seriesPoints.flat().map(([, v]) => v);
      const latest = seriesPoints.map((points) => points.at(-1)?.[1]).filter((v) => v !== undefined);
      const sum = all.reduce((a, b) => a + b, 0);
      // A sum over the range means something for counts; for a maximum or an average it does not.
      const total = graph.stat === "Sum" || graph.stat === "SampleCount" ? `Sum ${formatNumber(sum)}` : `Mean ${formatNumber(sum / all.length)}`;
      summary.textContent = all.length === 0
        ? "No data in this range"
        : `Latest ${formatNumber(latest.reduce((a, b) => a + b, 0))} · Max ${formatNumber(Math.max(...all))} · ${total}`;
      element.dataset.sum = String(all.reduce((a, b) => a + b, 0));
      const data = [xs, ...columns];
      if (plot) plot.setData(data);
      else build(data);
    },
    destroy() {
      observer?.disconnect();
      plot?.destroy();
    },
  };
}

/** A Kinesis stream metric id. */
export function kinesisMetric(streamName, metricName, shardId) {
  const dimensions = [{ Name: "StreamName", Value: streamName }];
  if (shardId) dimensions.push({ Name: "ShardId", Value: shardId });
  return { Namespace: "AWS/Kinesis", MetricName: metricName, Dimensions: dimensions };
}

/** The time (epoch seconds) of the newest period within `rangeMs` where any of `metrics` had a non-zero Sum, or undefined. */
export async function lastNonZero(metrics, rangeMs = 24 * 60 * 60_000) {
  const endMs = Date.now();
  const answer = await call("cloudwatch", "GetMetricData", {
    MetricDataQueries: metrics.map((metric, i) => ({ Id: `m${i}`, MetricStat: { Metric: metric, Period: 60, Stat: "Sum" }, ReturnData: true })),
    StartTime: Math.floor((endMs - rangeMs) / 1000),
    EndTime: Math.ceil(endMs / 1000) + 60,
    ScanBy: "TimestampDescending",
  });
  let newest;
  for (const result of answer.MetricDataResults ?? []) {
    (result.Timestamps ?? []).forEach((timestamp, i) => {
      const seconds = toSeconds(timestamp);
      if (result.Values[i] > 0 && (newest === undefined || seconds > newest)) newest = seconds;
    });
  }
  return newest;
}
