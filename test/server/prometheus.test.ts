/**
 * Prometheus' GET /metrics (docs/prometheus.md): the page is read by a strict parser of the text
 * exposition format 0.0.4 written here from the format's specification, independently of the
 * writer (src/server/prometheus/exposition.ts), so a page the writer gets wrong fails to parse.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { startApp, requestBytesMaxDefault, type AppConfig, type RunningApp } from "../../src/server/app.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { jsonCall } from "../helpers/raw.js";
import { writeExposition, type MetricFamily } from "../../src/server/prometheus/exposition.js";
import { mapSeries, snakeCase } from "../../src/server/prometheus/cloudwatch-names.js";
import { serviceFamilies } from "../../src/server/prometheus/prometheus-page.js";
import { MetricsStore } from "../../src/storage/metrics/metrics-store.js";
import type { MetricUnit } from "../../src/core/metrics.js";

// ---- A strict parser of the text format (prometheus.io/docs/instrumenting/exposition_formats) ----

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface ParsedFamily {
  name: string;
  type: string;
  help: string | undefined;
  samples: ParsedSample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const goFloat = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const types = new Set(["counter", "gauge", "summary", "histogram", "untyped"]);

function parseValue(text: string, line: string): number {
  assert.match(text, goFloat, `not a Go float: ${line}`);
  if (/^[+-]?Inf$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  return text === "NaN" ? NaN : Number(text);
}

/** Unescapes a HELP text: only `\\` and `\n` are escapes there. */
function unescapeHelp(text: string, line: string): string {
  return text.replace(/\\(.?)/g, (_match, next: string) => {
    if (next === "\\") return "\\";
    if (next === "n") return "\n";
    assert.fail(`bad escape in HELP: ${line}`);
  });
}

/** Reads `{name="value",…}` from `text` at `at` (just after the `{`); returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, line: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let at = start;
  while (text[at] !== "}") {
    const equals = text.indexOf("=", at);
    assert.ok(equals > at, `label without =: ${line}`);
    const name = text.slice(at, equals);
    assert.match(name, labelName, `bad label name ${name}: ${line}`);
    assert.ok(!name.startsWith("__"), `reserved label name ${name}: ${line}`);
    assert.ok(!(name in labels), `label ${name} twice: ${line}`);
    assert.equal(text[equals + 1], '"', `label value not quoted: ${line}`);
    let value = "";
    at = equals + 2;
    for (;;) {
      const char = text[at];
      assert.ok(char !== undefined && char !== "\n", `unterminated label value: ${line}`);
      if (char === '"') break;
      if (char === "\\") {
        const next = text[at + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else assert.fail(`bad escape in a label value: ${line}`);
        at += 2;
        continue;
      }
      value += char;
      at++;
    }
    labels[name] = value;
    at++;
    if (text[at] === ",") at++;
    else assert.equal(text[at], "}", `expected , or } after a label: ${line}`);
  }
  return [labels, at + 1];
}

/** The families of an exposition, checked against the format's rules; any breach fails the assertion. */
function parseExposition(text: string): Map<string, ParsedFamily> {
  assert.ok(text.endsWith("\n"), "the exposition ends with a line feed");
  const families = new Map<string, ParsedFamily>();
  const finished = new Set<string>();
  const seenSeries = new Set<string>();
  let current: ParsedFamily | undefined;
  const familyOf = (name: string): ParsedFamily => {
    let family = families.get(name);
    if (family === undefined) families.set(name, (family = { name, type: "untyped", help: undefined, samples: [] }));
    if (current !== undefined && current !== family) finished.add(current.name);
    assert.ok(!finished.has(name), `family ${name} is not contiguous`);
    current = family;
    return family;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (match === null) continue; // a comment
      const [, keyword, name, rest = ""] = match;
      assert.match(name!, metricName, `bad metric name: ${line}`);
      const family = familyOf(name!);
      if (keyword === "HELP") {
        assert.equal(family.help, undefined, `second HELP: ${line}`);
        family.help = unescapeHelp(rest, line);
      } else {
        assert.ok(types.has(rest), `bad TYPE: ${line}`);
        assert.equal(family.samples.length, 0, `TYPE after samples: ${line}`);
        family.type = rest;
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    assert.ok(nameEnd > 0, `bad sample line: ${line}`);
    const name = line.slice(0, nameEnd);
    assert.match(name, metricName, `bad metric name: ${line}`);
    let labels: Record<string, string> = {};
    let at = nameEnd;
    if (line[at] === "{") [labels, at] = parseLabels(line, at + 1, line);
    const fields = line.slice(at).trim().split(/\s+/);
    assert.ok(fields.length === 1 || (fields.length === 2 && /^-?\d+$/.test(fields[1]!)), `bad value or timestamp: ${line}`);
    const value = parseValue(fields[0]!, line);
    // A sample belongs to the family being read when it has its name, or that name and one of its
    // type's suffixes; otherwise it starts an untyped family of its own name.
    const suffixOf = (family: ParsedFamily | undefined) => (family !== undefined && name.startsWith(family.name) ? name.slice(family.name.length) : undefined);
    const currentSuffix = suffixOf(current);
    const family = currentSuffix !== undefined && (currentSuffix === "" || familySuffixes(current!.type).includes(currentSuffix)) ? current! : familyOf(name);
    const suffix = name.slice(family.name.length);
    assert.ok(suffix === "" || familySuffixes(family.type).includes(suffix), `${name} does not belong to the ${family.type} ${family.name}: ${line}`);
    if (family.type === "summary" && suffix === "") assert.ok("quantile" in labels, `a summary's sample without quantile: ${line}`);
    if (family.type === "histogram" && suffix === "_bucket") assert.ok("le" in labels, `a bucket without le: ${line}`);
    if (family.type === "counter") assert.ok(value >= 0, `a negative counter: ${line}`);
    const key = name + JSON.stringify(Object.entries(labels).sort());
    assert.ok(!seenSeries.has(key), `series twice: ${line}`);
    seenSeries.add(key);
    family.samples.push({ name, labels, value });
  }
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function familySuffixes(type: string): string[] {
  return type === "histogram" ? ["_sum", "_count", "_bucket"] : type === "summary" ? ["_sum", "_count"] : [];
}

/** Buckets cumulative, ending at le="+Inf", which equals _count. */
function checkHistogram(family: ParsedFamily): void {
  const series = new Map<string, ParsedSample[]>();
  for (const sample of family.samples.filter((candidate) => candidate.name.endsWith("_bucket"))) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of series) {
    const bounds = buckets.map((bucket) => parseValue(bucket.labels.le!, bucket.labels.le!));
    assert.deepEqual([...bounds].sort((a, b) => a - b), bounds, `${family.name} buckets ascend`);
    assert.equal(bounds.at(-1), Infinity, `${family.name} ends at +Inf`);
    for (let index = 1; index < buckets.length; index++) assert.ok(buckets[index]!.value >= buckets[index - 1]!.value, `${family.name} buckets are cumulative`);
    const count = family.samples.find((sample) => sample.name === `${family.name}_count` && JSON.stringify(Object.entries(sample.labels).sort()) === key);
    assert.equal(count?.value, buckets.at(-1)!.value, `${family.name}: +Inf bucket = _count`);
  }
}

function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    const sample = family.samples.find((candidate) => candidate.name === name && Object.entries(labels).every(([key, value]) => candidate.labels[key] === value));
    if (sample !== undefined) return sample.value;
  }
  return undefined;
}

// ---- Servers ----

async function startWith(config: Partial<AppConfig>, storage: StorageEngine = createMemoryEngine(systemRandom)): Promise<RunningApp> {
  const streams = { ...defaultStreamsConfig, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, limits: "off" as const };
  return startApp({
    clock: systemClock,
    random: systemRandom,
    logger: silentLogger,
    storage,
    config: { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, streams, ...config },
  });
}

function httpGet(url: string, method = "GET", headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function putRecords(url: string, streamName: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const put = await jsonCall(url, "PutRecord", { StreamName: streamName, PartitionKey: `key-${index}`, Data: Buffer.from(`record ${index}`).toString("base64") });
    assert.equal(put.statusCode, 200);
  }
}

describe("server > prometheus > /metrics", () => {
  let app: RunningApp;
  before(async () => {
    app = await startWith({});
    assert.equal((await jsonCall(app.url, "CreateStream", { StreamName: "orders", ShardCount: 2 })).statusCode, 200);
  });
  after(() => app.stop());

  it("answers in the text format 0.0.4 with its content type", async () => {
    const response = await httpGet(`${app.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    parseExposition(response.body);
  });

  it("counts what was sent: IncomingRecords after N puts is N, IncomingBytes the reader's sum in bytes", async () => {
    await putRecords(app.url, "orders", 7);
    const families = parseExposition((await httpGet(`${app.url}/metrics`)).body);
    assert.equal(families.get("tributary_kinesis_incoming_records_total")?.type, "counter");
    // The stream's account is a label: two accounts' streams of one name are two series.
    assert.equal(valueOf(families, "tributary_kinesis_incoming_records_total", { account_id: "000000000000", stream_name: "orders" }), 7);
    assert.equal(valueOf(families, "tributary_kinesis_incoming_records_total", { account_id: "111122223333", stream_name: "orders" }), undefined);
    const incomingBytes = [...app.metrics.totals()].find(({ id }) => id.MetricName === "IncomingBytes" && id.Dimensions.length === 1 && id.Dimensions[0]!.Value === "orders");
    assert.ok(incomingBytes !== undefined && incomingBytes.stats.Sum >= 7 * Buffer.byteLength("record 0"));
    assert.equal(valueOf(families, "tributary_kinesis_incoming_bytes_total", { stream_name: "orders" }), incomingBytes.stats.Sum);
  });

  it("shows each series under the mapped name the reader's totals give, with the same values", async () => {
    const families = parseExposition((await httpGet(`${app.url}/metrics`)).body);
    let checked = 0;
    for (const { id, unit, stats } of app.metrics.totals()) {
      const mapped = mapSeries(id, unit, stats);
      const labels = Object.fromEntries(mapped.labels);
      for (const { suffix, value } of mapped.values) {
        const shown = valueOf(families, mapped.name + suffix, labels);
        assert.ok(shown !== undefined, `${mapped.name}${suffix} ${JSON.stringify(labels)} is on the page`);
        // The page was read before this loop: a later request may have added samples since.
        assert.ok(Math.abs(shown - value) <= Math.abs(value) * 1e-9 || shown <= value, `${mapped.name}${suffix}: ${shown} against ${value}`);
        checked++;
      }
    }
    assert.ok(checked > 0, "some series were recorded");
  });

  it("has the process metrics: memory, heap, CPU, event-loop delay, open descriptors", async () => {
    const families = parseExposition((await httpGet(`${app.url}/metrics`)).body);
    assert.ok(valueOf(families, "process_resident_memory_bytes")! > 0);
    assert.ok(valueOf(families, "nodejs_heap_size_used_bytes")! > 0);
    assert.ok(valueOf(families, "process_cpu_seconds_total")! > 0);
    assert.equal(families.get("nodejs_eventloop_delay_seconds")?.type, "summary");
    assert.ok(valueOf(families, "nodejs_eventloop_delay_seconds_count")! >= 0);
    assert.equal(families.get("nodejs_gc_duration_seconds")?.type, "summary");
    if (process.platform === "linux") assert.ok(valueOf(families, "process_open_fds")! > 0);
  });

  it("counts garbage collections by kind", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    // Without --expose-gc, allocate until the young generation collects at least once.
    if (gc === undefined) for (let round = 0; round < 50; round++) Buffer.from(new Array(100_000).fill("x").join(""));
    else gc();
    await new Promise((resolve) => setImmediate(resolve));
    const families = parseExposition((await httpGet(`${app.url}/metrics`)).body);
    const counts = families.get("nodejs_gc_duration_seconds")?.samples.filter((sample) => sample.name.endsWith("_count")) ?? [];
    assert.ok(counts.some((sample) => sample.value > 0), `some collection was counted: ${JSON.stringify(counts)}`);
    for (const sample of counts) assert.match(sample.labels.kind!, /^(minor|major|incremental|weakcb|other)$/);
  });

  it("answers HEAD with the headers and no body", async () => {
    const response = await httpGet(`${app.url}/metrics`, "HEAD");
    assert.equal(response.status, 200);
    assert.equal(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(response.body, "");
  });

  it("leaves a signed GET /metrics to S3 (a bucket named metrics)", async () => {
    const response = await httpGet(`${app.url}/metrics`, "GET", { authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00" });
    assert.notEqual(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    assert.match(response.body, /<Error>/);
  });
});

describe("server > prometheus > --metrics off", () => {
  it("does not serve /metrics: the path is S3's (no bucket of that name)", async () => {
    const app = await startWith({ metrics: { enabled: false } });
    try {
      const response = await httpGet(`${app.url}/metrics`);
      assert.equal(response.status, 404);
      assert.match(response.body, /<Code>NoSuchBucket<\/Code>/);
    } finally {
      await app.stop();
    }
  });
});

describe("server > prometheus > embedded engine", () => {
  let dir: string;
  let app: RunningApp;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tributary-prometheus-"));
    const storage = await createEmbeddedEngine({ dataDir: dir, fsync: "always", clock: systemClock, random: systemRandom, logger: silentLogger, accountId: "000000000000" });
    app = await startWith({ dataDir: dir }, storage);
  });
  after(async () => {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("shows each stream's bytes on disk, growing as records arrive, and the engine's sync latencies", async () => {
    assert.equal((await jsonCall(app.url, "CreateStream", { StreamName: "disk", ShardCount: 1 })).statusCode, 200);
    const before = valueOf(parseExposition((await httpGet(`${app.url}/metrics`)).body), "tributary_stream_disk_bytes", { stream_name: "disk", account_id: "000000000000" });
    assert.ok(before !== undefined, "the stream is listed");
    await putRecords(app.url, "disk", 20);
    const families = parseExposition((await httpGet(`${app.url}/metrics`)).body);
    const afterBytes = valueOf(families, "tributary_stream_disk_bytes", { stream_name: "disk", account_id: "000000000000" })!;
    assert.ok(afterBytes >= before + 20 * Buffer.byteLength("record 0"), `${before} → ${afterBytes} bytes`);
    // fsync=always writes segments through O_DSYNC: each of those writes is a sync.
    assert.ok(valueOf(families, "tributary_storage_sync_duration_seconds_count", { operation: "dsync_write" })! >= 20);
    assert.ok(valueOf(families, "tributary_storage_sync_duration_seconds_count", { operation: "fsync" })! >= 1);
    assert.equal(families.get("tributary_storage_sync_duration_seconds")?.type, "histogram");
  });
});

describe("server > prometheus > exposition", () => {
  it("escapes help text and label values as the format requires, and a strict parser reads them back", () => {
    const families: MetricFamily[] = [
      { name: "odd_total", help: 'back\\slash, "quotes" and a\nline feed', type: "counter", samples: [{ labels: [["value", 'a\\b "c"\nd'], ["empty", ""]], value: 3 }] },
      { name: "special", help: "specials", type: "gauge", samples: [{ labels: [["v", "nan"]], value: NaN }, { labels: [["v", "inf"]], value: Infinity }, { labels: [["v", "-inf"]], value: -Infinity }, { labels: [["v", "tiny"]], value: 1e-7 }, { labels: [["v", "huge"]], value: 1e21 }] },
      { name: "nothing", help: "no samples, left out", type: "gauge", samples: [] },
    ];
    const text = writeExposition(families);
    const parsed = parseExposition(text);
    assert.equal(parsed.get("odd_total")!.help, 'back\\slash, "quotes" and a\nline feed');
    assert.deepEqual(parsed.get("odd_total")!.samples[0]!.labels, { value: 'a\\b "c"\nd', empty: "" });
    assert.equal(text.split("\n").filter((line) => line.startsWith("odd_total")).length, 1, "one physical line per sample");
    const special = Object.fromEntries(parsed.get("special")!.samples.map((sample) => [sample.labels.v, sample.value]));
    assert.ok(Number.isNaN(special.nan));
    assert.deepEqual([special.inf, special["-inf"], special.tiny, special.huge], [Infinity, -Infinity, 1e-7, 1e21]);
    assert.equal(parsed.has("nothing"), false);
  });
});

describe("server > prometheus > names", () => {
  const stats = { SampleCount: 4, Sum: 2000, Minimum: 100, Maximum: 900 };
  const kinesis = (MetricName: string, unit: MetricUnit) => mapSeries({ Namespace: "AWS/Kinesis", MetricName, Dimensions: [{ Name: "StreamName", Value: "orders" }] }, unit, stats);

  it("counts are counters of the sum, _total", () => {
    const mapped = kinesis("IncomingRecords", "Count");
    assert.deepEqual([mapped.name, mapped.type, mapped.labels, mapped.values], ["tributary_kinesis_incoming_records_total", "counter", [["stream_name", "orders"]], [{ suffix: "", value: 2000 }]]);
    assert.equal(kinesis("ReadProvisionedThroughputExceeded", "Count").name, "tributary_kinesis_read_provisioned_throughput_exceeded_total");
    assert.equal(kinesis("PutRecords.FailedRecords", "Count").name, "tributary_kinesis_put_records_failed_records_total");
  });

  it("bytes are counters in bytes, _bytes_total, a trailing Bytes not repeated", () => {
    assert.equal(kinesis("IncomingBytes", "Bytes").name, "tributary_kinesis_incoming_bytes_total");
    assert.equal(kinesis("PutRecord.Bytes", "Bytes").name, "tributary_kinesis_put_record_bytes_total");
    assert.deepEqual(kinesis("Transferred", "Kilobytes").values, [{ suffix: "", value: 2000 * 1024 }]);
  });

  it("times are summaries in seconds, the unit word of the name replaced", () => {
    const age = kinesis("GetRecords.IteratorAgeMilliseconds", "Milliseconds");
    assert.deepEqual([age.name, age.type, age.values], ["tributary_kinesis_get_records_iterator_age_seconds", "summary", [{ suffix: "_sum", value: 2 }, { suffix: "_count", value: 4 }]]);
    assert.equal(kinesis("PutRecord.Latency", "Milliseconds").name, "tributary_kinesis_put_record_latency_seconds");
    const freshness = mapSeries({ Namespace: "AWS/Firehose", MetricName: "DeliveryToS3.DataFreshness", Dimensions: [{ Name: "DeliveryStreamName", Value: "d" }] }, "Seconds", stats);
    assert.deepEqual([freshness.name, freshness.labels], ["tributary_firehose_delivery_to_s3_data_freshness_seconds", [["delivery_stream_name", "d"]]]);
  });

  it("other units are summaries in base units: ratios, rates, plain values", () => {
    assert.deepEqual(kinesis("Utilization", "Percent").values[0], { suffix: "_sum", value: 20 });
    assert.equal(kinesis("Utilization", "Percent").name, "tributary_kinesis_utilization_ratio");
    assert.equal(kinesis("Throughput", "Bytes/Second").name, "tributary_kinesis_throughput_bytes_per_second");
    assert.equal(kinesis("Calls", "Count/Second").name, "tributary_kinesis_calls_per_second");
    assert.equal(kinesis("Something", "None").name, "tributary_kinesis_something");
  });

  it("snake-cases names and dimensions: words, acronyms and digits", () => {
    assert.deepEqual(
      ["DeliveryToS3.Success", "DeliveryToHTTPEndpoint.Bytes", "SubscribeToShardEvent.MillisBehindLatest", "ShardId", "EventSourceMappingUUID", "KinesisAnalytics"].map(snakeCase),
      ["delivery_to_s3_success", "delivery_to_http_endpoint_bytes", "subscribe_to_shard_event_millis_behind_latest", "shard_id", "event_source_mapping_uuid", "kinesis_analytics"],
    );
    assert.equal(mapSeries({ Namespace: "AWS/KinesisAnalytics", MetricName: "Bytes", Dimensions: [{ Name: "Id", Value: "1.1" }, { Name: "Flow", Value: "Input" }] }, "Bytes", stats).name, "tributary_kinesisanalytics_bytes_total");
  });

  it("labels a series with its account first, then its dimensions", () => {
    const id = { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] };
    assert.deepEqual(mapSeries({ ...id, AccountId: "111122223333" }, "Count", stats).labels, [["account_id", "111122223333"], ["stream_name", "orders"]]);
    assert.deepEqual(mapSeries(id, "Count", stats).labels, [["stream_name", "orders"]]);
  });

  it("groups a name's series into one family, whatever their dimensions, and leaves out a series whose name another gave another type", () => {
    const store = new MetricsStore(systemClock, { enabled: true, accountId: "000000000000" });
    store.series({ Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "a" }] }, "Count").observe(1);
    store.series({ Namespace: "AWS/Kinesis", MetricName: "Latency", Dimensions: [] }, "Milliseconds").observe(5);
    store.series({ Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "b" }, { Name: "ShardId", Value: "shardId-000000000000" }] }, "Count").observe(2);
    // Would be tributary_kinesis_latency_seconds too, as a summary: the same name, the same type, kept.
    store.series({ Namespace: "AWS/Kinesis", MetricName: "LatencySeconds", Dimensions: [{ Name: "StreamName", Value: "a" }] }, "Seconds").observe(1);
    // tributary_kinesis_incoming_records_total again, but a summary: left out.
    store.series({ Namespace: "AWS/Kinesis", MetricName: "IncomingRecordsTotal", Dimensions: [] }, "None").observe(1);
    const families = serviceFamilies(store);
    const parsed = parseExposition(writeExposition(families));
    assert.deepEqual([...parsed.keys()], ["tributary_kinesis_incoming_records_total", "tributary_kinesis_latency_seconds"]);
    assert.equal(parsed.get("tributary_kinesis_incoming_records_total")!.samples.length, 2);
    assert.equal(parsed.get("tributary_kinesis_latency_seconds")!.samples.length, 4);
  });
});
