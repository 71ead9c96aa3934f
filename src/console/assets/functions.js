// Lambda functions: the list, and a function's detail — configuration, event source mappings,
// invocation metrics, a test invoke (with its log tail) and the function's log, followed live
// (the server's /_tributary/lambda/logs route, served under --auth none only).
import { lambda, admin, settings } from "./api.js";
import { h, replace, section, table, facts, field, attempt, errorBox, badge, formatTime, formatBytes } from "./dom.js";
import { metricsPanel } from "./charts.js";

const logPollMs = 2_000;
const logLinesMax = 1_000;

export function functionsPage() {
  const box = h("div", {}, h("p", {}, "Loading…"));
  (async () => {
    const functions = [];
    let marker;
    for (let page = 0; page < 20; page++) {
      const answer = await (await lambda("GET", `/2015-03-31/functions/?MaxItems=50${marker ? `&Marker=${encodeURIComponent(marker)}` : ""}`)).json();
      functions.push(...answer.Functions);
      marker = answer.NextMarker;
      if (!marker) break;
    }
    replace(box, table("Functions", ["Name", "Runtime", "Handler", "Memory", "Timeout", "Last modified"], functions.map((f) => [
      h("a", { href: `#/functions/${encodeURIComponent(f.FunctionName)}` }, f.FunctionName), f.Runtime ?? f.PackageType, f.Handler ?? "–", `${f.MemorySize} MB`, `${f.Timeout} s`, formatTime(f.LastModified),
    ]), "No functions."));
  })().catch((error) => replace(box, errorBox(error)));
  return { element: h("div", {}, h("h1", {}, "Functions"), section("Functions", box)) };
}

export function functionPage(name) {
  const box = h("div", {}, h("p", {}, "Loading…"));
  const mappingsBox = h("div", {}, h("p", {}, "Loading…"));
  const metric = (metricName) => ({ Namespace: "AWS/Lambda", MetricName: metricName, Dimensions: [{ Name: "FunctionName", Value: name }] });
  const panel = metricsPanel("Invocations", [
    { title: "Invocations", unit: "Count", stat: "Sum", series: [{ label: "Invocations", metric: metric("Invocations") }] },
    { title: "Errors", unit: "Count", stat: "Sum", series: [{ label: "Errors", metric: metric("Errors") }, { label: "Throttles", metric: metric("Throttles") }] },
    { title: "Duration", unit: "ms", stat: "Average", series: [{ label: "Duration", metric: metric("Duration") }] },
    { title: "Iterator age (stream triggers)", unit: "ms", stat: "Maximum", series: [{ label: "IteratorAge", metric: metric("IteratorAge") }] },
  ]);
  lambda("GET", `/2015-03-31/functions/${encodeURIComponent(name)}/configuration`).then((r) => r.json()).then((f) => {
    replace(box, facts([
      ["State", badge(f.State ?? "Active")], ["ARN", h("code", {}, f.FunctionArn)], ["Runtime", f.Runtime], ["Handler", f.Handler],
      ["Memory", `${f.MemorySize} MB`], ["Timeout", `${f.Timeout} s`], ["Code size", formatBytes(f.CodeSize)], ["Last modified", formatTime(f.LastModified)],
    ]));
  }).catch((error) => replace(box, errorBox(error)));
  lambda("GET", `/2015-03-31/event-source-mappings/?FunctionName=${encodeURIComponent(name)}`).then((r) => r.json()).then((answer) => {
    replace(mappingsBox, table("Event source mappings", ["Source", "State", "Batch size", "Starting position", "Last result"], (answer.EventSourceMappings ?? []).map((m) => [
      h("code", {}, m.EventSourceArn), badge(m.State), String(m.BatchSize ?? "–"), m.StartingPosition ?? "–", m.LastProcessingResult ?? "–",
    ]), "No triggers."));
  }).catch((error) => replace(mappingsBox, errorBox(error)));
  const log = functionLog(name);
  const element = h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/functions" }, "Functions"), " / "), h("h1", {}, name),
    section("Configuration", box), section("Triggers", mappingsBox), panel.element, section("Test invoke", invokeForm(name)), section("Log", log.element));
  return { element, stop: () => { panel.stop(); log.stop(); } };
}

function invokeForm(name) {
  const payload = h("textarea", { rows: 3, required: true, class: "mono" }, "{}");
  const invoke = h("button", { type: "submit" }, "Invoke");
  const result = h("div", { role: "status" });
  return h("form", { "aria-label": "Invoke the function", onsubmit: (event) => {
    event.preventDefault();
    attempt(async () => {
      const response = await lambda("POST", `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, payload.value, { "x-amz-log-type": "Tail" });
      const text = await response.text();
      const logTail = response.headers.get("x-amz-log-result");
      const error = response.headers.get("x-amz-function-error");
      replace(result, h("p", {}, error ? `Function error (${error}):` : "Result:"), h("pre", { class: "record-data" }, text),
        logTail ? [h("p", {}, "Log tail:"), h("pre", { class: "record-data" }, new TextDecoder().decode(Uint8Array.from(atob(logTail), (c) => c.charCodeAt(0))))] : null);
    }, { button: invoke, where: result });
  } }, field("Event (JSON)", payload), h("div", { class: "actions" }, invoke), result);
}

function functionLog(name) {
  const pre = h("pre", { class: "log", tabindex: 0, "aria-label": `Log of ${name}` });
  const status = h("p", { class: "hint", role: "status" });
  let timer;
  let stopped = false;
  let sinceMs = Date.now() - 60 * 60_000;
  const lines = [];
  if (settings.signed) {
    status.textContent = "The function log is served under --auth none only (tributary logs reads it); under sigv4, invoke with the test form above to see an invocation's log tail.";
    return { element: h("div", {}, status), stop: () => {} };
  }
  async function poll() {
    try {
      const answer = await admin(`/_tributary/lambda/logs?function=${encodeURIComponent(name)}&start=${sinceMs}&limit=1000`);
      for (const event of answer.events) {
        lines.push(`${new Date(event.timestampMs).toISOString()} ${event.message}`);
        sinceMs = event.timestampMs + 1;
      }
      if (lines.length > logLinesMax) lines.splice(0, lines.length - logLinesMax);
      if (answer.events.length > 0) {
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.textContent = lines.join("\n");
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
      status.textContent = lines.length === 0 ? "No log lines in the last hour. Following…" : `${lines.length} lines · following`;
    } catch (error) {
      replace(status, errorBox(error));
    }
    if (!stopped) timer = setTimeout(poll, logPollMs);
  }
  poll();
  return { element: h("div", {}, status, pre), stop: () => { stopped = true; clearTimeout(timer); } };
}
