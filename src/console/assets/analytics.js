// Kinesis Data Analytics SQL applications: the list, and an application's detail — status and
// start/stop, its code, its in-application streams (inputs and outputs) and the live output rows
// of outputs that are Kinesis data streams (read with the data viewer's decoder from every open shard).
import { call, bytesOf } from "./api.js";
import { h, replace, section, table, facts, attempt, errorBox, badge, formatTime } from "./dom.js";
import { decode } from "./data-viewer.js";

const pollMs = 1_000;
const statusPollMs = 1_000;
const rowsMax = 200;

export function applicationsPage() {
  const box = h("div", {}, h("p", {}, "Loading…"));
  (async () => {
    const apps = [];
    let start;
    for (let page = 0; page < 20; page++) {
      const answer = await call("analytics", "ListApplications", { Limit: 50, ...(start && { ExclusiveStartApplicationName: start }) });
      apps.push(...answer.ApplicationSummaries);
      if (!answer.HasMoreApplications || answer.ApplicationSummaries.length === 0) break;
      start = answer.ApplicationSummaries.at(-1).ApplicationName;
    }
    replace(box, table("SQL applications", ["Name", "Status"], apps.map((app) => [
      h("a", { href: `#/applications/${encodeURIComponent(app.ApplicationName)}` }, app.ApplicationName), badge(app.ApplicationStatus),
    ]), "No SQL applications."));
  })().catch((error) => replace(box, errorBox(error)));
  return { element: h("div", {}, h("h1", {}, "SQL applications"), section("Applications", box)) };
}

export function applicationPage(name) {
  const box = h("div", {}, h("p", {}, "Loading…"));
  const streamsBox = h("div");
  const codeBox = h("div");
  const outputBox = h("div");
  const problem = h("div");
  const stops = [];
  let timer;
  let stopped = false;
  stops.push(() => { stopped = true; clearTimeout(timer); });
  /** The status and the start/stop button, re-read while the application is STARTING, STOPPING or UPDATING. */
  async function loadStatus() {
    clearTimeout(timer);
    const detail = (await call("analytics", "DescribeApplication", { ApplicationName: name })).ApplicationDetail;
    const running = detail.ApplicationStatus === "RUNNING" || detail.ApplicationStatus === "STARTING";
    const toggle = h("button", { type: "button", onclick: () => attempt(async () => {
      if (running) await call("analytics", "StopApplication", { ApplicationName: name });
      else await call("analytics", "StartApplication", { ApplicationName: name, InputConfigurations: (detail.InputDescriptions ?? []).map((input) => ({ Id: input.InputId, InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } })) });
      await loadStatus();
    }, { button: toggle, where: problem }) }, running ? "Stop application" : "Start application");
    replace(box, facts([
      ["Status", badge(detail.ApplicationStatus)], ["ARN", h("code", {}, detail.ApplicationARN)], ["Version", String(detail.ApplicationVersionId)],
      ["Created", formatTime(detail.CreateTimestamp)], ["Last updated", formatTime(detail.LastUpdateTimestamp)],
    ]), h("div", { class: "actions" }, toggle));
    if (!stopped && /ING$/.test(detail.ApplicationStatus)) timer = setTimeout(() => loadStatus().catch(() => undefined), statusPollMs);
    return detail;
  }
  async function load() {
    const detail = await loadStatus();
    replace(codeBox, h("pre", { class: "code", tabindex: 0, "aria-label": "Application code" }, detail.ApplicationCode ?? ""));
    const inputs = (detail.InputDescriptions ?? []).map((input) => [
      (input.InAppStreamNames ?? [input.NamePrefix]).join(", "), "input",
      input.KinesisStreamsInputDescription?.ResourceARN ?? input.KinesisFirehoseInputDescription?.ResourceARN ?? "–",
      (input.InputSchema?.RecordColumns ?? []).map((c) => `${c.Name} ${c.SqlType}`).join(", "),
    ]);
    const outputs = (detail.OutputDescriptions ?? []).map((output) => [
      output.Name, "output",
      output.KinesisStreamsOutputDescription?.ResourceARN ?? output.KinesisFirehoseOutputDescription?.ResourceARN ?? output.LambdaOutputDescription?.ResourceARN ?? "–",
      output.DestinationSchema?.RecordFormatType ?? "–",
    ]);
    replace(streamsBox, table("In-application streams", ["In-application stream", "Kind", "Connected to", "Columns / format"], [...inputs, ...outputs], "No inputs or outputs configured."));
    const streamOutputs = (detail.OutputDescriptions ?? []).filter((output) => output.KinesisStreamsOutputDescription);
    if (streamOutputs.length === 0) {
      replace(outputBox, h("p", { class: "hint" }, "Live output shows rows written to Kinesis data stream outputs; this application has none."));
      return;
    }
    const tails = streamOutputs.map((output) => liveOutput(output.Name, output.KinesisStreamsOutputDescription.ResourceARN.split("/").pop()));
    stops.push(...tails.map((tail) => tail.stop));
    replace(outputBox, tails.map((tail) => tail.element));
  }
  load().catch((error) => replace(box, errorBox(error)));
  const element = h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/applications" }, "SQL applications"), " / "), h("h1", {}, name),
    section("Application", box, problem), section("In-application streams", streamsBox), section("Live output", outputBox), section("Code", codeBox));
  return { element, stop: () => stops.forEach((stop) => stop()) };
}

/** New rows of one output stream (every open shard from LATEST), newest first. */
function liveOutput(outputName, streamName) {
  const rows = [];
  const list = h("tbody");
  const status = h("p", { class: "hint", role: "status" }, `Waiting for rows written to ${streamName}…`);
  let stopped = false;
  const timers = [];
  (async () => {
    const shards = (await call("kinesis", "ListShards", { StreamName: streamName, ShardFilter: { Type: "AT_LATEST" } })).Shards;
    for (const shard of shards) {
      let iterator = (await call("kinesis", "GetShardIterator", { StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: "LATEST" })).ShardIterator;
      const poll = async () => {
        if (stopped || !iterator) return;
        try {
          const answer = await call("kinesis", "GetRecords", { ShardIterator: iterator, Limit: 100 });
          iterator = answer.NextShardIterator;
          for (const record of answer.Records) rows.unshift([formatTime(record.ApproximateArrivalTimestamp), decode(bytesOf(record.Data), "text")]);
          if (rows.length > rowsMax) rows.length = rowsMax;
          if (answer.Records.length > 0) {
            replace(list, rows.map(([time, text]) => h("tr", {}, h("td", { class: "nowrap" }, time), h("td", {}, h("pre", { class: "record-data" }, text)))));
            status.textContent = `${rows.length} ${rows.length === 1 ? "row" : "rows"}`;
          }
        } catch (error) {
          replace(status, errorBox(error));
          return;
        }
        timers.push(setTimeout(poll, pollMs));
      };
      poll();
    }
  })().catch((error) => replace(status, errorBox(error)));
  const element = h("div", {}, h("h3", {}, `${outputName} → ${streamName}`), status,
    h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "visually-hidden" }, `Rows of ${outputName}`), h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Arrived"), h("th", { scope: "col" }, "Row"))), list)));
  return { element, stop: () => { stopped = true; timers.forEach(clearTimeout); } };
}
