// DynamoDB tables, read as KCL applications where they are lease tables (hash key `leaseKey`):
// one row per shard lease with its owner, checkpoint and lag. The lag is what GetRecords says of
// the position right after the checkpoint (MillisBehindLatest), so it needs no metrics.
import { call, all } from "./api.js";
import { h, replace, section, table, facts, field, errorBox, badge, formatNumber, formatDuration } from "./dom.js";

const refreshMs = 5_000;
/** Items read from a lease table (one per shard; a KCL application rarely has more). */
const itemsMax = 1_000;

export function tablesPage() {
  const box = h("div", {}, h("p", {}, "Loading…"));
  (async () => {
    const names = await all("dynamodb", "ListTables", {}, "TableNames");
    const described = await Promise.all(names.map((name) => call("dynamodb", "DescribeTable", { TableName: name }).then((answer) => answer.Table)));
    const leases = described.filter(isLeaseTable);
    const others = described.filter((t) => !isLeaseTable(t));
    replace(box,
      section("KCL applications (lease tables)", table("Lease tables", ["Application", "Status", "Leases"], leases.map((t) => [
        h("a", { href: `#/tables/${encodeURIComponent(t.TableName)}` }, t.TableName), badge(t.TableStatus), formatNumber(t.ItemCount ?? 0),
      ]), "No lease tables: a KCL application creates one named after the application when it starts.")),
      section("Other tables", table("Other tables", ["Table", "Status", "Items", "Key"], others.map((t) => [
        h("a", { href: `#/tables/${encodeURIComponent(t.TableName)}` }, t.TableName), badge(t.TableStatus), formatNumber(t.ItemCount ?? 0), t.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", "),
      ]), "None.")));
  })().catch((error) => replace(box, errorBox(error)));
  return { element: h("div", {}, h("h1", {}, "KCL applications"), box) };
}

function isLeaseTable(description) {
  return description.KeySchema?.length === 1 && description.KeySchema[0].AttributeName === "leaseKey";
}

/** A DynamoDB attribute value as plain text. */
function plain(value) {
  if (value === undefined) return undefined;
  if ("S" in value) return value.S;
  if ("N" in value) return value.N;
  if ("BOOL" in value) return String(value.BOOL);
  if ("SS" in value) return value.SS.join(", ");
  if ("L" in value) return JSON.stringify(value.L.map(plain));
  if ("M" in value) return JSON.stringify(Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, plain(v)])));
  return JSON.stringify(value);
}

async function scan(tableName) {
  const items = [];
  let start;
  do {
    const answer = await call("dynamodb", "Scan", { TableName: tableName, ...(start && { ExclusiveStartKey: start }) });
    items.push(...(answer.Items ?? []));
    start = answer.LastEvaluatedKey;
  } while (start && items.length < itemsMax);
  return items;
}

export function tablePage(tableName) {
  const head = h("div", {}, h("p", {}, "Loading…"));
  const body = h("div");
  let timer;
  let stopped = false;
  const streamSelect = h("select", { name: "stream", onchange: () => refresh() });
  async function refresh() {
    clearTimeout(timer);
    try {
      const description = (await call("dynamodb", "DescribeTable", { TableName: tableName })).Table;
      replace(head, facts([["Status", badge(description.TableStatus)], ["Items", formatNumber(description.ItemCount ?? 0)], ["Key", description.KeySchema.map((k) => k.AttributeName).join(", ")]]));
      const items = await scan(tableName);
      if (isLeaseTable(description)) await renderLeases(items);
      else renderItems(items);
    } catch (error) {
      replace(body, errorBox(error));
    }
    if (!stopped) timer = setTimeout(refresh, refreshMs);
  }
  async function renderLeases(items) {
    if (streamSelect.options.length === 0) {
      const streams = await all("kinesis", "ListStreams", { Limit: 100 }, "StreamNames").catch(() => []);
      replace(streamSelect, h("option", { value: "" }, "(choose the stream it reads)"), streams.map((name) => h("option", { value: name }, name)));
      const guess = streams.find((name) => tableName.includes(name));
      if (guess) streamSelect.value = guess;
    }
    const leases = items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plain(v)])));
    leases.sort((a, b) => String(a.leaseKey).localeCompare(String(b.leaseKey)));
    const lags = await Promise.all(leases.map((lease) => lagOf(streamSelect.value, lease)));
    const owners = new Set(leases.map((lease) => lease.leaseOwner).filter(Boolean));
    replace(body,
      h("div", { class: "row" }, field("Stream", streamSelect)),
      h("p", {}, `${leases.length} leases, ${owners.size} workers, ${leases.filter((l) => l.checkpoint === "SHARD_END").length} shards finished.`),
      table("Leases", ["Shard (leaseKey)", "Owner", "Checkpoint", "Lag", "Lease counter", "Owner switches"], leases.map((lease, i) => [
        h("code", {}, lease.leaseKey), lease.leaseOwner ?? "(unowned)", h("span", { class: "mono small" }, lease.checkpoint ?? "–"), lags[i], formatNumber(Number(lease.leaseCounter ?? 0)), lease.ownerSwitchesSinceCheckpoint ?? "0",
      ])));
  }
  function renderItems(items) {
    const columns = [...new Set(items.flatMap((item) => Object.keys(item)))].slice(0, 12);
    replace(body, table("Items", columns, items.slice(0, 200).map((item) => columns.map((column) => plain(item[column]) ?? "")), "No items."));
  }
  refresh();
  const element = h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/tables" }, "KCL applications"), " / "), h("h1", {}, tableName), section("Table", head), section("Progress", body));
  return { element, stop: () => { stopped = true; clearTimeout(timer); } };
}

/** How far behind the tip a lease's checkpoint is, as text. */
async function lagOf(streamName, lease) {
  const checkpoint = lease.checkpoint;
  if (checkpoint === "SHARD_END") return "done";
  if (!streamName || !checkpoint) return "–";
  // Multi-stream lease keys are account:stream:epoch:shardId; single-stream ones the shard id.
  const shardId = String(lease.leaseKey).split(":").pop();
  const position = checkpoint === "TRIM_HORIZON" || checkpoint === "LATEST"
    ? { ShardIteratorType: checkpoint }
    : checkpoint === "AT_TIMESTAMP" ? undefined : { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: checkpoint };
  if (!position) return "–";
  try {
    const { ShardIterator } = await call("kinesis", "GetShardIterator", { StreamName: streamName, ShardId: shardId, ...position });
    const answer = await call("kinesis", "GetRecords", { ShardIterator, Limit: 1 });
    return answer.MillisBehindLatest === undefined ? "–" : answer.Records.length === 0 ? "caught up" : formatDuration(answer.MillisBehindLatest);
  } catch (error) {
    return h("span", { class: "bad-text" }, error.type ?? "error");
  }
}
