// Firehose delivery streams: the list and a stream's detail (source, destination, buffering) with
// its delivery metrics, and a form to put a test record.
import { call, all, base64Of } from "./api.js";
import { h, replace, section, table, facts, field, attempt, errorBox, badge, formatTime, confirmDialog } from "./dom.js";
import { metricsPanel, lastNonZero } from "./charts.js";

/** Re-reads while a delivery stream is being created or deleted. */
const settlePollMs = 1_000;

export function deliveryStreamsPage() {
  const box = h("div", {}, h("p", {}, "Loading…"));
  let timer;
  let stopped = false;
  const load = async () => {
    const names = [];
    let start;
    for (let page = 0; page < 20; page++) {
      const answer = await call("firehose", "ListDeliveryStreams", { Limit: 100, ...(start && { ExclusiveStartDeliveryStreamName: start }) });
      names.push(...answer.DeliveryStreamNames);
      if (!answer.HasMoreDeliveryStreams || answer.DeliveryStreamNames.length === 0) break;
      start = answer.DeliveryStreamNames.at(-1);
    }
    const described = await Promise.all(names.map((name) => call("firehose", "DescribeDeliveryStream", { DeliveryStreamName: name }).then((a) => a.DeliveryStreamDescription)));
    replace(box, table("Delivery streams", ["Name", "Status", "Source", "Destination", "Created"], described.map((d) => [
      h("a", { href: `#/delivery-streams/${encodeURIComponent(d.DeliveryStreamName)}` }, d.DeliveryStreamName), badge(d.DeliveryStreamStatus), d.DeliveryStreamType, destinationKind(d.Destinations?.[0]), formatTime(d.CreateTimestamp),
    ]), "No delivery streams."));
    if (!stopped && described.some((d) => d.DeliveryStreamStatus !== "ACTIVE")) timer = setTimeout(() => load().catch(show), settlePollMs);
  };
  const show = (error) => replace(box, errorBox(error));
  load().catch(show);
  return { element: h("div", {}, h("h1", {}, "Delivery streams"), section("Delivery streams", box)), stop: () => { stopped = true; clearTimeout(timer); } };
}

function destinationKind(destination) {
  if (!destination) return "–";
  const key = Object.keys(destination).find((name) => name.endsWith("DestinationDescription"));
  return key ? key.replace(/DestinationDescription$/, "").replace(/^Extended/, "") : "–";
}

function destinationFacts(destination) {
  const key = Object.keys(destination ?? {}).find((name) => name.endsWith("DestinationDescription"));
  if (!key) return [];
  const d = destination[key];
  return [
    ["Destination", destinationKind(destination)],
    ["Bucket", d.BucketARN],
    ["Prefix", d.Prefix],
    ["Buffering", d.BufferingHints ? `${d.BufferingHints.SizeInMBs} MiB or ${d.BufferingHints.IntervalInSeconds} s` : undefined],
    ["Compression", d.CompressionFormat],
    ["Endpoint", d.EndpointConfiguration?.Url ?? d.ClusterJDBCURL ?? d.DomainARN],
  ];
}

/** The destinations whose DeliveryTo<Destination>.* metrics Firehose publishes. */
const destinations = ["S3", "HttpEndpoint", "Redshift", "AmazonOpenSearchService", "Splunk"];

export function deliveryStreamPage(name) {
  const box = h("div", {}, h("p", {}, "Loading…"));
  const problem = h("div");
  const dimension = [{ Name: "DeliveryStreamName", Value: name }];
  const metric = (metricName) => ({ Namespace: "AWS/Firehose", MetricName: metricName, Dimensions: dimension });
  const panel = metricsPanel("Delivery metrics", [
    { title: "Incoming records", unit: "Count", stat: "Sum", series: [{ label: "IncomingRecords", metric: metric("IncomingRecords") }] },
    { title: "Incoming bytes", unit: "Bytes", stat: "Sum", series: [{ label: "IncomingBytes", metric: metric("IncomingBytes") }] },
    { title: "Delivered records", unit: "Count", stat: "Sum", series: destinations.map((d) => ({ label: d, metric: metric(`DeliveryTo${d}.Records`) })) },
    { title: "Delivered bytes", unit: "Bytes", stat: "Sum", series: [{ label: "DeliveryToS3.Bytes", metric: metric("DeliveryToS3.Bytes") }] },
    { title: "Data freshness (oldest undelivered record)", unit: "s", stat: "Maximum", series: [{ label: "DeliveryToS3.DataFreshness", metric: metric("DeliveryToS3.DataFreshness") }] },
    { title: "Delivery success", unit: "ratio", stat: "Average", series: [{ label: "DeliveryToS3.Success", metric: metric("DeliveryToS3.Success") }] },
  ]);
  call("firehose", "DescribeDeliveryStream", { DeliveryStreamName: name }).then(({ DeliveryStreamDescription: d }) => {
    replace(box, facts([
      ["Status", badge(d.DeliveryStreamStatus)],
      ["ARN", h("code", {}, d.DeliveryStreamARN)],
      ["Source", d.DeliveryStreamType === "KinesisStreamAsSource" ? d.Source?.KinesisStreamSourceDescription?.KinesisStreamARN : "Direct PUT"],
      ["Encryption", d.DeliveryStreamEncryptionConfiguration?.Status],
      ...destinationFacts(d.Destinations?.[0]),
      ["Created", formatTime(d.CreateTimestamp)],
      ["Last updated", formatTime(d.LastUpdateTimestamp)],
      ["Last delivery", lastDelivery],
    ]));
  }).catch((error) => replace(box, errorBox(error)));
  // The newest minute in which records were delivered, from the delivery metrics of the last day.
  const lastDelivery = h("span", {}, "–");
  lastNonZero(destinations.map((d) => metric(`DeliveryTo${d}.Records`)))
    .then((seconds) => { lastDelivery.textContent = seconds === undefined ? "none in the last 24 hours" : `in the minute from ${formatTime(seconds)}`; })
    .catch(() => undefined);
  const data = h("textarea", { rows: 2, required: true }, '{"hello": "firehose"}\n');
  const put = h("button", { type: "submit" }, "Put record");
  const result = h("p", { role: "status" });
  const form = h("form", { "aria-label": "Put a test record", onsubmit: (event) => {
    event.preventDefault();
    attempt(async () => {
      const answer = await call("firehose", "PutRecord", { DeliveryStreamName: name, Record: { Data: base64Of(data.value) } });
      result.textContent = `Accepted as ${answer.RecordId}.`;
    }, { button: put, where: result });
  } }, field("Data (UTF-8 text)", data), h("div", { class: "actions" }, put), result);
  const remove = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!(await confirmDialog(`Delete the delivery stream ${name}?`))) return;
    await attempt(async () => { await call("firehose", "DeleteDeliveryStream", { DeliveryStreamName: name }); location.hash = "#/delivery-streams"; }, { button: remove, where: problem });
  } }, "Delete delivery stream");
  const element = h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/delivery-streams" }, "Delivery streams"), " / "), h("h1", {}, name),
    section("Details", box), panel.element, section("Put a test record", form), problem, h("div", { class: "actions" }, remove));
  return { element, stop: panel.stop };
}

