// The data viewer: pick a shard and a starting position (trim horizon, latest, at a sequence
// number, at a timestamp), read its records with GetRecords and show them decoded as text, JSON
// or hex; "live tail" keeps polling the shard's next iterator. Also the test-record form.
import { call, base64Of, bytesOf } from "./api.js";
import { h, replace, field, attempt, formatTime, formatDuration, errorBox, toast } from "./dom.js";

/** Records a page keeps on screen (older rows are dropped from the top). */
const rowsMax = 500;
const pollMs = 1_000;
const recordsPerCall = 100;

export function dataViewer(streamName, shards, options = {}) {
  const shard = h("select", { name: "ShardId" }, shards.map((s) => h("option", { value: s.ShardId }, `${s.ShardId}${s.SequenceNumberRange.EndingSequenceNumber ? " (closed)" : ""}`)));
  const position = h("select", { name: "ShardIteratorType", onchange: () => showPositionInputs() },
    h("option", { value: "TRIM_HORIZON" }, "Trim horizon (oldest)"),
    h("option", { value: "LATEST" }, "Latest (new records only)"),
    h("option", { value: "AT_SEQUENCE_NUMBER" }, "At sequence number"),
    h("option", { value: "AFTER_SEQUENCE_NUMBER" }, "After sequence number"),
    h("option", { value: "AT_TIMESTAMP" }, "At timestamp"));
  const sequence = h("input", { name: "StartingSequenceNumber", class: "mono", size: 56, spellcheck: "false" });
  const timestamp = h("input", { name: "Timestamp", type: "datetime-local", step: 1 });
  const sequenceField = field("Sequence number", sequence);
  const timestampField = field("Timestamp (local time)", timestamp);
  const format = h("select", { name: "format", onchange: () => redraw() }, h("option", { value: "text" }, "Text"), h("option", { value: "json" }, "JSON"), h("option", { value: "hex" }, "Hex"));
  const live = h("input", { type: "checkbox", name: "live", checked: options.live ?? true });
  const read = h("button", { type: "submit" }, "Read records");
  const stopButton = h("button", { type: "button", class: "secondary", disabled: true, onclick: () => stopReading("Stopped.") }, "Stop");
  const status = h("p", { class: "hint", role: "status" });
  const problem = h("div");
  const tbody = h("tbody");
  const records = [];
  let iterator;
  let timer;
  let generation = 0;

  function showPositionInputs() {
    sequenceField.hidden = !position.value.includes("SEQUENCE");
    timestampField.hidden = position.value !== "AT_TIMESTAMP";
  }
  showPositionInputs();

  function stopReading(message) {
    generation++;
    clearTimeout(timer);
    stopButton.disabled = true;
    if (message) status.textContent = message;
  }

  async function start() {
    stopReading();
    const mine = ++generation;
    records.length = 0;
    redraw();
    problem.replaceChildren();
    const input = { StreamName: streamName, ShardId: shard.value, ShardIteratorType: position.value };
    if (position.value.includes("SEQUENCE")) input.StartingSequenceNumber = sequence.value.trim();
    if (position.value === "AT_TIMESTAMP") input.Timestamp = new Date(timestamp.value).getTime() / 1000;
    try {
      iterator = (await call("kinesis", "GetShardIterator", input)).ShardIterator;
    } catch (error) {
      replace(problem, errorBox(error));
      return;
    }
    stopButton.disabled = false;
    poll(mine);
  }

  async function poll(mine) {
    if (mine !== generation) return;
    let answer;
    try {
      answer = await call("kinesis", "GetRecords", { ShardIterator: iterator, Limit: recordsPerCall });
    } catch (error) {
      if (mine !== generation) return;
      // A shard allows five GetRecords a second (--limits aws): wait and go on rather than stop.
      if (error.type === "ProvisionedThroughputExceededException") {
        timer = setTimeout(() => poll(mine), pollMs);
        return;
      }
      replace(problem, errorBox(error));
      stopReading();
      return;
    }
    if (mine !== generation) return;
    records.push(...answer.Records);
    if (records.length > rowsMax) records.splice(0, records.length - rowsMax);
    if (answer.Records.length > 0) redraw();
    iterator = answer.NextShardIterator;
    const behind = answer.MillisBehindLatest;
    const closed = !iterator;
    status.textContent = closed
      ? `${plural(records.length, "record")}. The shard is closed and fully read${answer.ChildShards?.length ? `; its records continue in ${answer.ChildShards.map((c) => c.ShardId).join(" and ")}` : ""}.`
      : `${plural(records.length, "record")} shown · ${formatDuration(behind)} behind the tip${live.checked ? " · live" : ""}`;
    if (closed) { stopReading(); return; }
    // Catch up at once while behind; then poll once a second if live, or stop.
    if (answer.Records.length > 0 && behind > 0) timer = setTimeout(() => poll(mine), 0);
    else if (live.checked) timer = setTimeout(() => poll(mine), pollMs);
    else stopReading();
  }

  function redraw() {
    replace(tbody, records.map((record) => h("tr", {},
      h("td", { class: "mono small" }, record.SequenceNumber),
      h("td", {}, record.PartitionKey),
      h("td", { class: "nowrap" }, formatTime(record.ApproximateArrivalTimestamp)),
      h("td", {}, h("pre", { class: `record-data ${format.value}` }, decode(bytesOf(record.Data), format.value))))));
  }

  const form = h("form", { class: "viewer-form", "aria-label": "Read records", onsubmit: (event) => { event.preventDefault(); start(); } },
    h("div", { class: "row" }, field("Shard", shard), field("Starting position", position), sequenceField, timestampField),
    h("div", { class: "row" }, field("Show data as", format), h("label", { class: "check" }, live, " Live tail"), h("div", { class: "actions" }, read, stopButton)));
  const element = h("div", { class: "viewer" }, form, problem, status,
    h("div", { class: "table-wrap" }, h("table", { class: "records" },
      h("caption", { class: "visually-hidden" }, "Records"),
      h("thead", {}, h("tr", {}, ["Sequence number", "Partition key", "Arrived", "Data"].map((text) => h("th", { scope: "col" }, text)))),
      tbody)));
  return { element, stop: () => stopReading() };
}

const plural = (count, noun) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** A record's bytes as text (UTF-8, replacement characters for invalid bytes), pretty JSON, or a hex dump. */
export function decode(bytes, format) {
  if (format === "hex") return hexDump(bytes);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (format !== "json") return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return `(not JSON) ${text}`;
  }
}

function hexDump(bytes) {
  const lines = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = bytes.slice(offset, offset + 16);
    const hex = [...chunk].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...chunk].map((byte) => (byte >= 32 && byte < 127 ? String.fromCharCode(byte) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

export function putRecordForm(streamName) {
  const key = h("input", { name: "PartitionKey", required: true, maxlength: 256, value: "test" });
  const data = h("textarea", { name: "Data", rows: 3, required: true }, '{"hello": "world"}');
  const explicit = h("input", { name: "ExplicitHashKey", class: "mono", size: 40, placeholder: "optional", spellcheck: "false" });
  const put = h("button", { type: "submit" }, "Put record");
  const result = h("p", { role: "status", class: "put-result" });
  return h("form", { "aria-label": "Put a test record", onsubmit: (event) => {
    event.preventDefault();
    attempt(async () => {
      const answer = await call("kinesis", "PutRecord", { StreamName: streamName, PartitionKey: key.value, Data: base64Of(data.value), ...(explicit.value.trim() && { ExplicitHashKey: explicit.value.trim() }) });
      result.textContent = `Put to ${answer.ShardId} at sequence number ${answer.SequenceNumber}.`;
      toast(`Record put to ${answer.ShardId}`, "ok");
    }, { button: put, where: result });
  } },
  h("div", { class: "row" }, field("Partition key", key), field("Explicit hash key", explicit)),
  field("Data (UTF-8 text)", data),
  h("div", { class: "actions" }, put), result);
}
