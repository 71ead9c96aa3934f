// Kinesis data streams: the list (create, delete) and a stream's pages — overview (retention,
// tags, encryption, mode), shards (the hash-space map, split and merge), data (viewer and a test
// record), consumers (registered consumers and per-shard lag) and monitoring (graphs).
import { call, all } from "./api.js";
import { h, replace, section, table, facts, field, attempt, confirmDialog, badge, tabs, formatTime, formatNumber, errorBox } from "./dom.js";
import { metricsPanel, kinesisMetric } from "./charts.js";
import { shardMap } from "./shard-map.js";
import { dataViewer, putRecordForm } from "./data-viewer.js";

/** Re-reads a page while something it shows is changing (CREATING, UPDATING). */
const settlePollMs = 1_000;

export function streamsPage() {
  const list = h("div", {}, h("p", {}, "Loading…"));
  const problem = h("div");
  let stopped = false;
  let timer;
  async function load() {
    clearTimeout(timer);
    try {
      const summaries = await all("kinesis", "ListStreams", { Limit: 100 }, "StreamSummaries");
      replace(list, table("Data streams", ["Name", "Status", "Capacity mode", "Created"], summaries.map((stream) => [
        h("a", { href: `#/streams/${encodeURIComponent(stream.StreamName)}` }, stream.StreamName),
        badge(stream.StreamStatus),
        stream.StreamModeDetails?.StreamMode ?? "PROVISIONED",
        formatTime(stream.StreamCreationTimestamp),
      ]), "No data streams yet: create one below."));
      if (!stopped && summaries.some((stream) => stream.StreamStatus !== "ACTIVE")) timer = setTimeout(load, settlePollMs);
    } catch (error) {
      replace(list, errorBox(error));
    }
  }
  load();
  const element = h("div", {}, h("h1", {}, "Data streams"), section("Streams", list), createStreamForm(load, problem), problem);
  return { element, stop: () => { stopped = true; clearTimeout(timer); } };
}

function createStreamForm(onCreated, problem) {
  const name = h("input", { name: "StreamName", required: true, pattern: "[a-zA-Z0-9_.\\-]{1,128}", maxlength: 128, spellcheck: "false" });
  const count = h("input", { name: "ShardCount", type: "number", min: 1, value: "1", required: true });
  const mode = h("select", { name: "StreamMode", onchange: () => { count.disabled = mode.value === "ON_DEMAND"; } },
    h("option", { value: "PROVISIONED" }, "Provisioned"), h("option", { value: "ON_DEMAND" }, "On-demand"));
  const submit = h("button", { type: "submit" }, "Create stream");
  return h("form", { class: "card", "aria-label": "Create a data stream", onsubmit: (event) => {
    event.preventDefault();
    const input = { StreamName: name.value.trim(), StreamModeDetails: { StreamMode: mode.value } };
    if (mode.value === "PROVISIONED") input.ShardCount = Number(count.value);
    attempt(async () => {
      await call("kinesis", "CreateStream", input);
      name.value = "";
      await onCreated();
    }, { button: submit, where: problem, done: `Creating ${input.StreamName}` });
  } },
  h("h2", {}, "Create a data stream"),
  h("div", { class: "row" }, field("Stream name", name), field("Capacity mode", mode), field("Shard count", count)),
  h("div", { class: "actions" }, submit));
}

const streamTabs = [["overview", "Overview"], ["shards", "Shards"], ["data", "Data viewer"], ["consumers", "Consumers"], ["monitoring", "Monitoring"]];

export function streamPage(streamName, tab) {
  const base = `#/streams/${encodeURIComponent(streamName)}`;
  const body = h("div");
  const stops = [];
  const element = h("div", {},
    h("p", { class: "crumbs" }, h("a", { href: "#/streams" }, "Data streams"), " / "),
    h("h1", {}, streamName),
    tabs("Stream pages", streamTabs.map(([key, text]) => [key, text, `${base}/${key}`]), tab),
    body);
  const view = ({ overview: overviewTab, shards: shardsTab, data: dataTab, consumers: consumersTab, monitoring: monitoringTab }[tab] ?? overviewTab)(streamName);
  body.append(view.element);
  if (view.stop) stops.push(view.stop);
  return { element, stop: () => stops.forEach((stop) => stop()) };
}

/** A stream's DescribeStreamSummary, re-read while it is not ACTIVE. */
function summaryLoader(streamName, render) {
  let timer;
  let stopped = false;
  async function load() {
    clearTimeout(timer);
    const summary = (await call("kinesis", "DescribeStreamSummary", { StreamName: streamName })).StreamDescriptionSummary;
    await render(summary);
    if (!stopped && summary.StreamStatus !== "ACTIVE") timer = setTimeout(() => load().catch(() => undefined), settlePollMs);
    return summary;
  }
  return { load, stop: () => { stopped = true; clearTimeout(timer); } };
}

function overviewTab(streamName) {
  const details = h("div", {}, h("p", {}, "Loading…"));
  const tagsBox = h("div");
  const problem = h("div");
  const loader = summaryLoader(streamName, async (summary) => {
    replace(details, facts([
      ["Status", badge(summary.StreamStatus)],
      ["ARN", h("code", {}, summary.StreamARN)],
      ["Capacity mode", summary.StreamModeDetails?.StreamMode],
      ["Open shards", formatNumber(summary.OpenShardCount)],
      ["Retention", `${summary.RetentionPeriodHours} hours`],
      ["Encryption", summary.EncryptionType === "KMS" ? `KMS (${summary.KeyId})` : "None"],
      ["Registered consumers", formatNumber(summary.ConsumerCount ?? 0)],
      ["Shard-level metrics", (summary.EnhancedMonitoring?.[0]?.ShardLevelMetrics ?? []).join(", ") || "None"],
      ["Created", formatTime(summary.StreamCreationTimestamp)],
    ]), settingsForms(streamName, summary, () => loader.load().catch(show), problem));
  });
  const show = (error) => replace(details, errorBox(error));
  loader.load().catch(show);
  loadTags(streamName, tagsBox);
  const remove = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!(await confirmDialog(`Delete the stream ${streamName} and all its records?`))) return;
    await attempt(async () => {
      await call("kinesis", "DeleteStream", { StreamName: streamName, EnforceConsumerDeletion: true });
      location.hash = "#/streams";
    }, { button: remove, where: problem, done: `Deleting ${streamName}` });
  } }, "Delete stream");
  const element = h("div", {}, section("Details", details), section("Tags", tagsBox), problem, h("div", { class: "actions" }, remove));
  return { element, stop: loader.stop };
}

function settingsForms(streamName, summary, reload, problem) {
  const hours = h("input", { type: "number", min: 24, max: 8760, value: String(summary.RetentionPeriodHours), required: true });
  const saveRetention = h("button", { type: "submit" }, "Save retention");
  const retention = h("form", { class: "inline-form", "aria-label": "Retention period", onsubmit: (event) => {
    event.preventDefault();
    const wanted = Number(hours.value);
    if (wanted === summary.RetentionPeriodHours) return;
    const action = wanted > summary.RetentionPeriodHours ? "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod";
    attempt(async () => { await call("kinesis", action, { StreamName: streamName, RetentionPeriodHours: wanted }); await reload(); }, { button: saveRetention, where: problem, done: "Retention saved" });
  } }, field("Retention period (hours)", hours), saveRetention);
  const encrypted = summary.EncryptionType === "KMS";
  const keyId = h("input", { value: summary.KeyId ?? "alias/aws/kinesis", required: true, spellcheck: "false" });
  const toggle = h("button", { type: "submit" }, encrypted ? "Stop encryption" : "Start encryption");
  const encryption = h("form", { class: "inline-form", "aria-label": "Server-side encryption", onsubmit: (event) => {
    event.preventDefault();
    const action = encrypted ? "StopStreamEncryption" : "StartStreamEncryption";
    attempt(async () => { await call("kinesis", action, { StreamName: streamName, EncryptionType: "KMS", KeyId: keyId.value.trim() }); await reload(); }, { button: toggle, where: problem, done: encrypted ? "Encryption stopped" : "Encryption started" });
  } }, field("KMS key", keyId), toggle);
  const mode = summary.StreamModeDetails?.StreamMode ?? "PROVISIONED";
  const other = mode === "PROVISIONED" ? "ON_DEMAND" : "PROVISIONED";
  const switchMode = h("button", { type: "button", class: "secondary", onclick: () => attempt(async () => {
    await call("kinesis", "UpdateStreamMode", { StreamARN: summary.StreamARN, StreamModeDetails: { StreamMode: other } });
    await reload();
  }, { button: switchMode, where: problem, done: `Switching to ${other}` }) }, `Switch to ${other === "ON_DEMAND" ? "on-demand" : "provisioned"}`);
  return h("div", { class: "settings" }, retention, encryption, h("div", { class: "inline-form" }, switchMode));
}

async function loadTags(streamName, box) {
  const problem = h("div");
  try {
    const tags = (await call("kinesis", "ListTagsForStream", { StreamName: streamName })).Tags ?? [];
    const key = h("input", { required: true, maxlength: 128 });
    const value = h("input", { maxlength: 256 });
    const add = h("button", { type: "submit" }, "Add tag");
    replace(box,
      table("Tags", ["Key", "Value", ""], tags.map((tag) => [tag.Key, tag.Value ?? "", h("button", { type: "button", class: "link", "aria-label": `Remove tag ${tag.Key}`, onclick: () => attempt(async () => {
        await call("kinesis", "RemoveTagsFromStream", { StreamName: streamName, TagKeys: [tag.Key] });
        await loadTags(streamName, box);
      }, { where: problem }) }, "Remove")]), "No tags."),
      h("form", { class: "inline-form", "aria-label": "Add a tag", onsubmit: (event) => {
        event.preventDefault();
        attempt(async () => {
          await call("kinesis", "AddTagsToStream", { StreamName: streamName, Tags: { [key.value]: value.value } });
          await loadTags(streamName, box);
        }, { button: add, where: problem });
      } }, field("Key", key), field("Value", value), add),
      problem);
  } catch (error) {
    replace(box, errorBox(error));
  }
}

/** Every shard of the stream, closed ones included (ListShards pages). */
export function listShards(streamName) {
  return all("kinesis", "ListShards", { StreamName: streamName }, "Shards").catch(async (error) => {
    // ListShards takes NextToken without StreamName on later pages.
    if (error.type !== "InvalidArgumentException") throw error;
    const shards = [];
    let answer = await call("kinesis", "ListShards", { StreamName: streamName });
    shards.push(...answer.Shards);
    while (answer.NextToken) {
      answer = await call("kinesis", "ListShards", { NextToken: answer.NextToken });
      shards.push(...answer.Shards);
    }
    return shards;
  });
}

function shardsTab(streamName) {
  const mapBox = h("div", { class: "shard-map-box" }, h("p", {}, "Loading…"));
  const actions = h("div", { class: "shard-actions", "aria-live": "polite" });
  const listBox = h("div");
  const problem = h("div");
  let selected;
  let timer;
  let stopped = false;
  async function load() {
    clearTimeout(timer);
    try {
      const [shards, summary] = await Promise.all([
        listShards(streamName),
        call("kinesis", "DescribeStreamSummary", { StreamName: streamName }).then((answer) => answer.StreamDescriptionSummary),
      ]);
      const map = shardMap(shards, { selected, onSelect: (shardId) => { selected = shardId; load(); } });
      replace(mapBox, map, h("p", { class: "hint" }, `${shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber).length} open, ${shards.filter((s) => s.SequenceNumberRange.EndingSequenceNumber).length} closed shards · status `, badge(summary.StreamStatus)));
      replace(listBox, shardTable(shards, (shardId) => { selected = shardId; load(); }));
      replace(actions, shardActions(streamName, shards, selected, summary, async () => { await load(); }, problem));
      if (!stopped && summary.StreamStatus !== "ACTIVE") timer = setTimeout(load, settlePollMs);
    } catch (error) {
      replace(mapBox, errorBox(error));
    }
  }
  load();
  const element = h("div", {},
    section("Shard map", h("p", { class: "hint" }, "Each shard is drawn over the 128-bit hash key space (left 0, right 2¹²⁸−1), one row per generation; lines join parents to children. Select a shard to split or merge it."), mapBox, actions, problem),
    section("Shards", listBox));
  return { element, stop: () => { stopped = true; clearTimeout(timer); } };
}

function shardTable(shards, onSelect) {
  return table("Shards", ["Shard", "State", "Hash key range", "Parents", "Starting sequence number"], shards.map((shard) => [
    h("button", { type: "button", class: "link", onclick: () => onSelect(shard.ShardId) }, shard.ShardId),
    shard.SequenceNumberRange.EndingSequenceNumber ? "Closed" : "Open",
    h("span", { class: "mono small" }, `${shard.HashKeyRange.StartingHashKey} – ${shard.HashKeyRange.EndingHashKey}`),
    [shard.ParentShardId, shard.AdjacentParentShardId].filter(Boolean).join(", ") || "–",
    h("span", { class: "mono small" }, shard.SequenceNumberRange.StartingSequenceNumber),
  ]));
}

function shardActions(streamName, shards, selectedId, summary, reload, problem) {
  const shard = shards.find((candidate) => candidate.ShardId === selectedId);
  if (!shard) return h("p", { class: "hint" }, "No shard selected.");
  if (shard.SequenceNumberRange.EndingSequenceNumber) return h("p", {}, `${shard.ShardId} is closed: it keeps its records for the retention period and takes no new ones.`);
  const start = BigInt(shard.HashKeyRange.StartingHashKey);
  const end = BigInt(shard.HashKeyRange.EndingHashKey);
  const middle = (start + end + 1n) / 2n;
  const splitAt = h("input", { value: middle.toString(), required: true, class: "mono", size: 40, spellcheck: "false" });
  const split = h("button", { type: "submit" }, "Split shard");
  const busy = summary.StreamStatus !== "ACTIVE";
  const neighbour = shards.find((other) => !other.SequenceNumberRange.EndingSequenceNumber && (BigInt(other.HashKeyRange.StartingHashKey) === end + 1n || BigInt(other.HashKeyRange.EndingHashKey) + 1n === start));
  const merge = neighbour && h("button", { type: "button", class: "secondary", disabled: busy, onclick: () => attempt(async () => {
    const [low, high] = BigInt(neighbour.HashKeyRange.StartingHashKey) > start ? [shard, neighbour] : [neighbour, shard];
    await call("kinesis", "MergeShards", { StreamName: streamName, ShardToMerge: low.ShardId, AdjacentShardToMerge: high.ShardId });
    await reload();
  }, { button: merge, where: problem, done: `Merging ${shard.ShardId} with ${neighbour.ShardId}` }) }, `Merge with ${neighbour.ShardId}`);
  return h("section", { class: "card inset", "aria-label": `Selected shard ${shard.ShardId}` },
    h("h3", {}, `Selected: ${shard.ShardId}`),
    h("form", { class: "inline-form", "aria-label": "Split the selected shard", onsubmit: (event) => {
      event.preventDefault();
      attempt(async () => {
        await call("kinesis", "SplitShard", { StreamName: streamName, ShardToSplit: shard.ShardId, NewStartingHashKey: splitAt.value.trim() });
        await reload();
      }, { button: split, where: problem, done: `Splitting ${shard.ShardId}` });
    } }, field("New starting hash key", splitAt, "Default: the middle of the shard's range"), h("span", {}, split)),
    merge ? h("div", { class: "inline-form" }, merge) : h("p", { class: "hint" }, "No open adjacent shard to merge with."),
    busy ? h("p", { class: "hint" }, "The stream is updating; wait for it to be ACTIVE.") : null);
}

function dataTab(streamName) {
  const viewerBox = h("div", {}, h("p", {}, "Loading…"));
  const putBox = h("div");
  let viewer;
  listShards(streamName).then((shards) => {
    viewer = dataViewer(streamName, shards);
    replace(viewerBox, viewer.element);
    replace(putBox, putRecordForm(streamName));
  }).catch((error) => replace(viewerBox, errorBox(error)));
  const element = h("div", {}, section("Put a test record", putBox), section("Records", viewerBox));
  return { element, stop: () => viewer?.stop() };
}

function consumersTab(streamName) {
  const consumersBox = h("div", {}, h("p", {}, "Loading…"));
  const problem = h("div");
  const panelBox = h("div");
  let panel;
  let arn;
  async function load() {
    const summary = (await call("kinesis", "DescribeStreamSummary", { StreamName: streamName })).StreamDescriptionSummary;
    arn = summary.StreamARN;
    const consumers = await all("kinesis", "ListStreamConsumers", { StreamARN: arn }, "Consumers");
    replace(consumersBox, table("Registered consumers", ["Name", "Status", "Registered", ""], consumers.map((consumer) => [
      consumer.ConsumerName, badge(consumer.ConsumerStatus), formatTime(consumer.ConsumerCreationTimestamp),
      h("button", { type: "button", class: "link", "aria-label": `Deregister ${consumer.ConsumerName}`, onclick: async () => {
        if (!(await confirmDialog(`Deregister the consumer ${consumer.ConsumerName}?`, "Deregister"))) return;
        await attempt(async () => { await call("kinesis", "DeregisterStreamConsumer", { ConsumerARN: consumer.ConsumerARN }); await load(); }, { where: problem });
      } }, "Deregister"),
    ]), "No registered (enhanced fan-out) consumers."));
    const shards = (await listShards(streamName)).filter((shard) => !shard.SequenceNumberRange.EndingSequenceNumber);
    const graphs = [];
    if (consumers.length > 0) {
      graphs.push({ title: "Enhanced fan-out lag (MillisBehindLatest)", unit: "ms", stat: "Maximum", series: consumers.map((consumer) => ({ label: consumer.ConsumerName, metric: { Namespace: "AWS/Kinesis", MetricName: "SubscribeToShardEvent.MillisBehindLatest", Dimensions: [{ Name: "StreamName", Value: streamName }, { Name: "ConsumerName", Value: consumer.ConsumerName }] } })) });
    }
    graphs.push({ title: "GetRecords iterator age (stream)", unit: "ms", stat: "Maximum", series: [{ label: "IteratorAgeMilliseconds", metric: kinesisMetric(streamName, "GetRecords.IteratorAgeMilliseconds") }] });
    graphs.push({ title: "Iterator age per shard (shard-level metrics)", unit: "ms", stat: "Maximum", series: shards.map((shard) => ({ label: shard.ShardId, metric: kinesisMetric(streamName, "IteratorAgeMilliseconds", shard.ShardId) })) });
    panel?.stop();
    panel = metricsPanel("Consumer lag", graphs);
    replace(panelBox, panel.element, h("p", { class: "hint" }, "Per-shard lag needs shard-level metrics (Monitoring tab). KCL applications' progress per shard is under ", h("a", { href: "#/tables" }, "KCL applications"), "."));
  }
  load().catch((error) => replace(consumersBox, errorBox(error)));
  const name = h("input", { required: true, maxlength: 128, pattern: "[a-zA-Z0-9_.\\-]{1,128}" });
  const register = h("button", { type: "submit" }, "Register consumer");
  const form = h("form", { class: "inline-form", "aria-label": "Register a consumer", onsubmit: (event) => {
    event.preventDefault();
    attempt(async () => { await call("kinesis", "RegisterStreamConsumer", { StreamARN: arn, ConsumerName: name.value.trim() }); name.value = ""; await load(); }, { button: register, where: problem });
  } }, field("Consumer name", name), register);
  const element = h("div", {}, section("Consumers", consumersBox, form, problem), panelBox);
  return { element, stop: () => panel?.stop() };
}

const shardLevelMetrics = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"];

function monitoringTab(streamName) {
  const stream = (name) => [{ label: name, metric: kinesisMetric(streamName, name) }];
  const panel = metricsPanel("Stream metrics", [
    { title: "Incoming records", unit: "Count", stat: "Sum", series: stream("IncomingRecords") },
    { title: "Incoming bytes", unit: "Bytes", stat: "Sum", series: stream("IncomingBytes") },
    { title: "GetRecords records", unit: "Count", stat: "Sum", series: stream("GetRecords.Records") },
    { title: "Iterator age", unit: "ms", stat: "Maximum", series: stream("GetRecords.IteratorAgeMilliseconds") },
    { title: "Throttled writes", unit: "Count", stat: "Sum", series: stream("WriteProvisionedThroughputExceeded") },
    { title: "Throttled reads", unit: "Count", stat: "Sum", series: stream("ReadProvisionedThroughputExceeded") },
    { title: "PutRecord latency", unit: "ms", stat: "Average", series: [...stream("PutRecord.Latency"), { label: "PutRecords.Latency", metric: kinesisMetric(streamName, "PutRecords.Latency") }] },
    { title: "PutRecords failed records", unit: "Count", stat: "Sum", series: stream("PutRecords.FailedRecords") },
  ]);
  const shardBox = h("div", {}, h("p", {}, "Loading…"));
  let shardPanel;
  async function loadShards() {
    const [shards, summary] = await Promise.all([listShards(streamName), call("kinesis", "DescribeStreamSummary", { StreamName: streamName }).then((a) => a.StreamDescriptionSummary)]);
    const enabled = summary.EnhancedMonitoring?.[0]?.ShardLevelMetrics ?? [];
    const open = shards.filter((shard) => !shard.SequenceNumberRange.EndingSequenceNumber);
    const toggle = h("button", { type: "button", class: "secondary", onclick: () => attempt(async () => {
      const action = enabled.length > 0 ? "DisableEnhancedMonitoring" : "EnableEnhancedMonitoring";
      await call("kinesis", action, { StreamName: streamName, ShardLevelMetrics: ["ALL"] });
      await loadShards();
    }, { button: toggle }) }, enabled.length > 0 ? "Disable shard-level metrics" : "Enable shard-level metrics");
    shardPanel?.stop();
    shardPanel = metricsPanel("Per-shard throughput", [
      { title: "Incoming bytes per shard", unit: "Bytes", stat: "Sum", series: open.map((shard) => ({ label: shard.ShardId, metric: kinesisMetric(streamName, "IncomingBytes", shard.ShardId) })) },
      { title: "Incoming records per shard", unit: "Count", stat: "Sum", series: open.map((shard) => ({ label: shard.ShardId, metric: kinesisMetric(streamName, "IncomingRecords", shard.ShardId) })) },
      { title: "Outgoing records per shard", unit: "Count", stat: "Sum", series: open.map((shard) => ({ label: shard.ShardId, metric: kinesisMetric(streamName, "OutgoingRecords", shard.ShardId) })) },
    ]);
    replace(shardBox, h("p", {}, enabled.length > 0 ? `Shard-level metrics on: ${enabled.filter((m) => shardLevelMetrics.includes(m)).join(", ")}. ` : "Shard-level metrics are off (EnableEnhancedMonitoring turns them on). ", toggle), shardPanel.element);
  }
  loadShards().catch((error) => replace(shardBox, errorBox(error)));
  const element = h("div", {}, panel.element, shardBox);
  return { element, stop: () => { panel.stop(); shardPanel?.stop(); } };
}
