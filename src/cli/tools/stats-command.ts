/**
 * `tributary stats <stream> [--window 1m]`: each open shard's incoming and outgoing rates and its
 * consumers' iterator age over the last window, as a table:
 *
 *   orders: ACTIVE, PROVISIONED, 2 open shards, over the last 60 s
 *   SHARD                 IN RECORDS/S  IN BYTES/S  OUT RECORDS/S  OUT BYTES/S  ITERATOR AGE
 *   shardId-000000000000          0.05       2 B/s              -            -             -
 *
 * Incoming rates are measured from the public API alone, so they work anywhere: each shard is
 * read from the window's start (GetShardIterator AT_TIMESTAMP) to its tip, and its records and
 * bytes counted (up to `probePagesMax` GetRecords pages a shard; beyond that, the rate is over the
 * part read and the row is marked `~`). What consumers read (OutgoingRecords, OutgoingBytes) and
 * how far behind they are (IteratorAgeMilliseconds) only the service knows: they come from
 * CloudWatch's shard-level metrics (GetMetricData, cloudwatch.ts), which enhanced monitoring
 * enables. When CloudWatch does not answer, or has no shard-level data, the columns show `-` and
 * a line under the table says why (and gives the stream-level iterator age when there is one).
 */
import type { KinesisClient, Shard } from "@aws-sdk/client-kinesis";
import { durationMs, parseToolArguments, toolHelp, type ToolOption } from "./arguments.js";
import { cloudWatchEndpointOf, getMetricData, type Datapoint, type MetricQuery } from "./cloudwatch.js";
import { connectionOf, errorMessage, kinesisClientOf } from "./connection.js";
import { exitOk, failWith, plural, usageError, type ToolContext } from "./context.js";
import { bytesText } from "./progress.js";
import { isClosed, listAllShards, ShardReader } from "./shard-reader.js";
import { describeStream, modeOf } from "./stream-summary.js";
import { table } from "./table.js";

const options: readonly ToolOption[] = [
  { flag: "window", value: "<duration>", description: "how far back the rates look: whole minutes, 1m (default) to 60m" },
  { flag: "watch", description: "report again every 5 seconds until Ctrl-C (a terminal is redrawn in place)" },
];

export const statsHelp = toolHelp(
  "tributary stats <stream> [options]",
  [
    "Shows each open shard's incoming rates (read from the shard itself) and, from CloudWatch's",
    "shard-level metrics when the endpoint serves them, its outgoing rates and iterator age.",
  ],
  options,
);

/** GetRecords pages read from one shard to count its window (each up to 10,000 records or 10 MiB). */
export const probePagesMax = 20;
const probeConcurrency = 4;
/** A probe that keeps being throttled gives up with the service's error rather than hang. */
const probeAttemptsMax = 5;
const windowMsDefault = 60_000;
const minuteMs = 60_000;
/** `--watch`: time between reports (each reads the window again, a few GetRecords a shard). */
const watchIntervalMs = 5_000;
const windowMsMax = 3_600_000;

interface Incoming {
  records: number;
  bytes: number;
  /** The probe stopped before the tip: the rate is over [window start, last record read]. */
  partial: boolean;
  spanMs: number;
}

interface Outgoing {
  records: number | undefined;
  bytes: number | undefined;
  iteratorAgeMs: number | undefined;
}

export async function runStats(argv: readonly string[], context: ToolContext): Promise<number> {
  const parsed = parseToolArguments(argv, options, ["<stream>"]);
  if (!parsed.ok) return usageError(context, "stats", statsHelp, parsed.message, parsed.showHelp);
  if (parsed.help) {
    context.stdout.write(statsHelp + "\n");
    return exitOk;
  }
  const StreamName = parsed.positionals[0]!;
  const windowMs = parsed.values.window === undefined ? windowMsDefault : durationMs(parsed.values.window);
  if (windowMs === undefined || windowMs < 60_000 || windowMs > windowMsMax || windowMs % 60_000 !== 0) {
    return usageError(context, "stats", statsHelp, `--window must be whole minutes from 1m to 60m, got ${parsed.values.window}`, false);
  }
  const connected = connectionOf(parsed.values, context.env);
  if (!connected.ok) return usageError(context, "stats", statsHelp, connected.message, false);
  const kinesis = kinesisClientOf(connected.connection);
  const cloudWatchEndpoint = cloudWatchEndpointOf(connected.connection.endpoint, context.env);
  const watch = parsed.values.watch === "true";
  // A terminal is redrawn in place; a pipe or a file gets one report after the other.
  const clearScreen = watch && (context.stdout as { isTTY?: boolean }).isTTY === true ? "\x1b[H\x1b[2J" : "";
  try {
    for (let first = true; ; first = false) {
      const report = await statsReport(context, kinesis, StreamName, windowMs, cloudWatchEndpoint);
      context.stdout.write(watch ? `${clearScreen}${first || clearScreen !== "" ? "" : "\n"}${report}` : report);
      if (!watch) return exitOk;
      await context.clock.sleep(watchIntervalMs, { signal: context.interrupted }).catch(() => undefined);
      if (context.interrupted.aborted) return exitOk;
    }
  } catch (error) {
    if (watch && context.interrupted.aborted) return exitOk;
    return failWith(context, "stats", errorMessage(error, connected.connection));
  } finally {
    kinesis.destroy();
  }
}

/** One report: the header, the table, and the line saying why columns are empty, if they are. */
async function statsReport(context: ToolContext, kinesis: KinesisClient, StreamName: string, windowMs: number, cloudWatchEndpoint: string): Promise<string> {
  const summary = await describeStream(kinesis, StreamName);
  const shards = (await listAllShards(kinesis, StreamName)).filter((shard) => !isClosed(shard));
  const nowMs = context.clock.nowMs();
  const startMs = nowMs - windowMs;
  const incoming = await mapLimited(shards, probeConcurrency, (shard) => probeIncoming(context, kinesis, StreamName, shard.ShardId!, startMs, nowMs));
  // CloudWatch's one-minute datapoints over the minutes the window touches (aligned to the
  // period, as CloudWatch advises); the first minute, partly before the window, counts for its part.
  const metricsStartMs = Math.floor(startMs / minuteMs) * minuteMs;
  const metricsEndMs = Math.ceil(nowMs / minuteMs) * minuteMs;
  const metrics = await getMetricData(kinesis, cloudWatchEndpoint, queriesOf(StreamName, shards), { startMs: metricsStartMs, endMs: metricsEndMs, periodSeconds: 60, nowMs });
  const windowSeconds = windowMs / 1000;
  const outgoing: Outgoing[] = shards.map((_, index) => ({
    records: metrics.ok ? sumWithin(metrics.values.get(`out_records_${index}`), startMs) : undefined,
    bytes: metrics.ok ? sumWithin(metrics.values.get(`out_bytes_${index}`), startMs) : undefined,
    iteratorAgeMs: metrics.ok ? maxOf(metrics.values.get(`iterator_age_${index}`)) : undefined,
  }));
  const header = `${StreamName}: ${summary.StreamStatus}, ${modeOf(summary)}, ${plural(shards.length, "open shard")}, over the last ${windowSeconds} s`;
  let out = header + "\n" + statsTable(shards, incoming, outgoing, windowSeconds);
  if (!metrics.ok) {
    out += `outgoing rates and iterator ages: CloudWatch GetMetricData did not answer at ${cloudWatchEndpoint} (${metrics.reason})\n`;
  } else if (outgoing.every((row) => row.records === undefined && row.bytes === undefined && row.iteratorAgeMs === undefined)) {
    const streamAgeMs = maxOf(metrics.values.get("stream_iterator_age"));
    out += `outgoing rates and iterator ages: no shard-level metrics (enhanced monitoring: aws kinesis enable-enhanced-monitoring --shard-level-metrics ALL)`;
    out += streamAgeMs === undefined ? "\n" : `; the stream's GetRecords.IteratorAgeMilliseconds: ${ageText(streamAgeMs)}\n`;
  }
  return out;
}

/** Counts a shard's records that arrived in [startMs, nowMs]. */
async function probeIncoming(context: ToolContext, kinesis: KinesisClient, StreamName: string, ShardId: string, startMs: number, nowMs: number): Promise<Incoming> {
  const reader = new ShardReader({ kinesis, clock: context.clock, random: context.random }, StreamName, ShardId, { Type: "AT_TIMESTAMP", Timestamp: new Date(startMs) }, context.interrupted, probeAttemptsMax);
  let records = 0;
  let bytes = 0;
  let lastArrivalMs = startMs;
  for (let page = 1; page <= probePagesMax; page++) {
    const { Records, MillisBehindLatest, ended } = await reader.next();
    for (const record of Records) {
      const arrivalMs = record.ApproximateArrivalTimestamp?.getTime() ?? nowMs;
      if (arrivalMs > nowMs) continue;
      records++;
      bytes += record.Data?.byteLength ?? 0;
      lastArrivalMs = Math.max(lastArrivalMs, arrivalMs);
    }
    if (ended || MillisBehindLatest === 0 || (MillisBehindLatest === undefined && Records.length === 0)) return { records, bytes, partial: false, spanMs: nowMs - startMs };
  }
  return { records, bytes, partial: true, spanMs: Math.max(1, lastArrivalMs - startMs) };
}

function queriesOf(StreamName: string, shards: readonly Shard[]): MetricQuery[] {
  const queries: MetricQuery[] = [{ Id: "stream_iterator_age", MetricName: "GetRecords.IteratorAgeMilliseconds", Dimensions: [{ Name: "StreamName", Value: StreamName }], Stat: "Maximum" }];
  shards.forEach((shard, index) => {
    const Dimensions = [
      { Name: "StreamName", Value: StreamName },
      { Name: "ShardId", Value: shard.ShardId! },
    ];
    queries.push(
      { Id: `out_records_${index}`, MetricName: "OutgoingRecords", Dimensions, Stat: "Sum" },
      { Id: `out_bytes_${index}`, MetricName: "OutgoingBytes", Dimensions, Stat: "Sum" },
      { Id: `iterator_age_${index}`, MetricName: "IteratorAgeMilliseconds", Dimensions, Stat: "Maximum" },
    );
  });
  return queries;
}

export function statsTable(shards: readonly Shard[], incoming: readonly Incoming[], outgoing: readonly Outgoing[], windowSeconds: number): string {
  const rows = [["SHARD", "IN RECORDS/S", "IN BYTES/S", "OUT RECORDS/S", "OUT BYTES/S", "ITERATOR AGE"]];
  shards.forEach((shard, index) => {
    const into = incoming[index]!;
    const out = outgoing[index]!;
    const inSeconds = into.spanMs / 1000;
    const mark = into.partial ? "~" : "";
    rows.push([
      shard.ShardId!,
      mark + (into.records / inSeconds).toFixed(2),
      mark + rateBytesText(into.bytes / inSeconds),
      out.records === undefined ? "-" : (out.records / windowSeconds).toFixed(2),
      out.bytes === undefined ? "-" : rateBytesText(out.bytes / windowSeconds),
      out.iteratorAgeMs === undefined ? "-" : ageText(out.iteratorAgeMs),
    ]);
  });
  return table(rows, new Set([1, 2, 3, 4, 5]));
}

/** Bytes a second: "0.5 B/s" (a quiet shard's rate is small), "1.5 KiB/s". */
export function rateBytesText(bytesPerSecond: number): string {
  return bytesPerSecond < 1024 ? `${bytesPerSecond.toFixed(1)} B/s` : `${bytesText(bytesPerSecond)}/s`;
}

/** 850 → "850 ms", 12_300 → "12.3 s", 185_000 → "3.1 min". */
export function ageText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/**
 * A sum's share of the window that starts at `startMs`: each one-minute datapoint whole, but the
 * one that began before the window only for the part of its minute inside it (its events are
 * taken as spread evenly). The current minute counts whole: it holds only what happened so far.
 */
export function sumWithin(points: readonly Datapoint[] | undefined, startMs: number): number | undefined {
  if (points === undefined || points.length === 0) return undefined;
  let sum = 0;
  for (const { timestampMs, value } of points) {
    const insideMs = Math.min(minuteMs, timestampMs + minuteMs - startMs);
    if (insideMs > 0) sum += (value * insideMs) / minuteMs;
  }
  return sum;
}

function maxOf(points: readonly Datapoint[] | undefined): number | undefined {
  return points === undefined || points.length === 0 ? undefined : Math.max(...points.map((point) => point.value));
}

async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await map(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
