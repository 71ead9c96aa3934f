/**
 * `tributary streams`: every stream with its status, capacity mode, open shard count and
 * retention, one a line under a header, in ListStreams' order (by name):
 *
 *   NAME    STATUS  MODE         SHARDS  RETENTION
 *   orders  ACTIVE  PROVISIONED  2       24h
 *
 * ListStreams gives names, statuses and modes; the shard count and retention come from one
 * DescribeStreamSummary a stream (AWS allows 20 a second: the SDK's retries absorb a throttle).
 * `--format json` prints one JSON object a stream instead, with DescribeStreamSummary's names.
 */
import { ListStreamsCommand, type KinesisClient, type StreamDescriptionSummary } from "@aws-sdk/client-kinesis";
import { parseToolArguments, toolHelp, type ToolOption } from "./arguments.js";
import { connectionOf, errorMessage, kinesisClientOf } from "./connection.js";
import { exitOk, failWith, usageError, type ToolContext } from "./context.js";
import { describeStream, modeOf } from "./stream-summary.js";
import { table } from "./table.js";

const options: readonly ToolOption[] = [{ flag: "format", value: "<format>", description: "table (default) or json (one object a line)" }];

export const streamsHelp = toolHelp("tributary streams [options]", ["Lists the streams with their status, capacity mode, open shard count and retention period."], options);

/** Streams whose summaries are asked for at once: well under AWS's 20 DescribeStreamSummary calls a second. */
const describeConcurrency = 5;

export async function runStreams(argv: readonly string[], context: ToolContext): Promise<number> {
  const parsed = parseToolArguments(argv, options, []);
  if (!parsed.ok) return usageError(context, "streams", streamsHelp, parsed.message, parsed.showHelp);
  if (parsed.help) {
    context.stdout.write(streamsHelp + "\n");
    return exitOk;
  }
  const format = parsed.values.format ?? "table";
  if (format !== "table" && format !== "json") return usageError(context, "streams", streamsHelp, `--format must be table or json, got ${format}`, false);
  const connected = connectionOf(parsed.values, context.env);
  if (!connected.ok) return usageError(context, "streams", streamsHelp, connected.message, false);
  const kinesis = kinesisClientOf(connected.connection);
  try {
    const summaries = await describeAll(kinesis, await listStreamNames(kinesis));
    context.stdout.write(format === "json" ? summaries.map((summary) => JSON.stringify(jsonOf(summary)) + "\n").join("") : streamsTable(summaries));
    return exitOk;
  } catch (error) {
    return failWith(context, "streams", errorMessage(error, connected.connection));
  } finally {
    kinesis.destroy();
  }
}

async function listStreamNames(kinesis: KinesisClient): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListStreamsCommand(NextToken !== undefined ? { NextToken } : {}));
    names.push(...(page.StreamNames ?? []));
    NextToken = page.HasMoreStreams ? page.NextToken : undefined;
  } while (NextToken !== undefined);
  return names;
}

/** Each stream's summary, in the names' order; a stream deleted since the listing is left out. */
async function describeAll(kinesis: KinesisClient, names: readonly string[]): Promise<StreamDescriptionSummary[]> {
  const summaries: (StreamDescriptionSummary | undefined)[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < names.length; index = next++) {
      summaries[index] = await describeStream(kinesis, names[index]!).catch((error: { name?: string }) => {
        if (error.name === "ResourceNotFoundException") return undefined;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(describeConcurrency, names.length) }, worker));
  return summaries.filter((summary): summary is StreamDescriptionSummary => summary !== undefined);
}

function jsonOf(summary: StreamDescriptionSummary) {
  return {
    StreamName: summary.StreamName,
    StreamStatus: summary.StreamStatus,
    StreamMode: modeOf(summary),
    OpenShardCount: summary.OpenShardCount,
    RetentionPeriodHours: summary.RetentionPeriodHours,
  };
}

/** The table: columns two spaces apart, each as wide as its widest cell; the header alone when there are no streams. */
export function streamsTable(summaries: readonly StreamDescriptionSummary[]): string {
  const rows = [
    ["NAME", "STATUS", "MODE", "SHARDS", "RETENTION"],
    ...summaries.map((summary) => [
      summary.StreamName ?? "",
      summary.StreamStatus ?? "",
      modeOf(summary),
      String(summary.OpenShardCount ?? ""),
      summary.RetentionPeriodHours === undefined ? "" : `${summary.RetentionPeriodHours}h`,
    ]),
  ];
  return table(rows);
}
