/**
 * `tributary tail <stream> [--from trim-horizon|latest|<time>] [--format text|json|hex]`: prints a
 * stream's records as they arrive, until Ctrl-C (or `--max-records`). Every shard is read by the
 * client library's PollingFetcher (GetRecords, KPL aggregates de-aggregated as the KCL does) and
 * the shards are walked in lineage order (lineage.ts): a shard's children start once it and its
 * merge partner have ended, so each partition key's records print in order across reshards.
 *
 * Starting positions: `latest` (the default) reads the open shards from their tip; `trim-horizon`
 * every shard from its oldest record; a time every shard from that time on. Shards created while
 * tailing are read from their first record (from the time, when one was given).
 */
import type { KinesisClient, Shard } from "@aws-sdk/client-kinesis";
import { PollingFetcher } from "../../client/consumer/retrieval/polling-fetcher.js";
import type { InitialPosition } from "../../client/consumer/types.js";
import { parseToolArguments, timeOf, toolHelp, wholeNumber, type ToolOption } from "./arguments.js";
import { connectionOf, errorMessage, kinesisClientOf } from "./connection.js";
import { exitOk, failWith, usageError, type ToolContext } from "./context.js";
import { followLineage } from "./lineage.js";
import { formatRecord, fromUserRecord, type TailFormat } from "./record-format.js";
import { isClosed, listAllShards } from "./shard-reader.js";
import { describeStream } from "./stream-summary.js";

const options: readonly ToolOption[] = [
  { flag: "from", value: "<position>", description: "latest (default), trim-horizon, or a time: ISO 8601 (2026-01-02T03:04:05Z) or a duration back from now (10m)" },
  { flag: "format", value: "<format>", description: "text (default: the data as UTF-8), json (one export line a record) or hex (hexdump -C)" },
  { flag: "max-records", value: "<n>", description: "stop after n records (default: run until Ctrl-C)" },
];

export const tailHelp = toolHelp(
  "tributary tail <stream> [options]",
  [
    "Prints a stream's records as they arrive, following its shards across splits and merges (a",
    "shard's children are read once it has ended, so each partition key's records print in order).",
    "Runs until Ctrl-C.",
  ],
  options,
);

/** How long a shard's reader waits after an empty GetRecords (the KCL's idleTimeBetweenReadsMillis). */
const idleMs = 1_000;

type From = { type: "TRIM_HORIZON" } | { type: "LATEST" } | { type: "AT_TIMESTAMP"; timestamp: Date };

export async function runTail(argv: readonly string[], context: ToolContext): Promise<number> {
  const parsed = parseToolArguments(argv, options, ["<stream>"]);
  if (!parsed.ok) return usageError(context, "tail", tailHelp, parsed.message, parsed.showHelp);
  if (parsed.help) {
    context.stdout.write(tailHelp + "\n");
    return exitOk;
  }
  const { values } = parsed;
  const StreamName = parsed.positionals[0]!;
  const from = fromOf(values.from ?? "latest", context.clock.nowMs());
  if (from === undefined) return usageError(context, "tail", tailHelp, `--from must be trim-horizon, latest, an ISO 8601 time or a duration (10m), got ${values.from}`, false);
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json" && format !== "hex") return usageError(context, "tail", tailHelp, `--format must be text, json or hex, got ${format}`, false);
  const maxRecords = values["max-records"] === undefined ? Infinity : wholeNumber(values["max-records"], 1, Number.MAX_SAFE_INTEGER);
  if (maxRecords === undefined) return usageError(context, "tail", tailHelp, `--max-records must be a whole number from 1, got ${values["max-records"]}`, false);
  const connected = connectionOf(values, context.env);
  if (!connected.ok) return usageError(context, "tail", tailHelp, connected.message, false);

  const kinesis = kinesisClientOf(connected.connection);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  context.interrupted.addEventListener("abort", onInterrupt, { once: true });
  try {
    await describeStream(kinesis, StreamName);
    let printed = 0;
    await followLineage({
      listShards: () => listAllShards(kinesis, StreamName),
      // At LATEST, what is already closed has nothing new to say.
      skip: (shard, initial) => from.type === "LATEST" && initial && isClosed(shard),
      signal: stop.signal,
      read: async (shard, initial, signal) => {
        const start: From = initial || from.type === "AT_TIMESTAMP" ? from : { type: "TRIM_HORIZON" };
        const fetcher = fetcherOf(context, kinesis, StreamName, shard, start);
        const onAbort = () => void fetcher.close();
        signal.addEventListener("abort", onAbort, { once: true });
        try {
          while (!signal.aborted) {
            const batch = await fetcher.next();
            let text = "";
            for (const record of batch.records) {
              if (printed >= maxRecords) break;
              text += formatRecord(fromUserRecord(shard.ShardId!, record), format as TailFormat);
              printed++;
            }
            // A slow reader of stdout holds the shards' reading back rather than letting output pile up in memory.
            if (text !== "" && !context.stdout.write(text)) await drained(context, signal);
            if (printed >= maxRecords) stop.abort();
            else if (batch.shardEnd !== undefined) return "ended";
          }
          return "stopped";
        } catch (error) {
          if (signal.aborted) return "stopped";
          throw error;
        } finally {
          signal.removeEventListener("abort", onAbort);
          await fetcher.close();
        }
      },
    });
    return exitOk;
  } catch (error) {
    return failWith(context, "tail", errorMessage(error, connected.connection));
  } finally {
    context.interrupted.removeEventListener("abort", onInterrupt);
    kinesis.destroy();
  }
}

/** Resolves when stdout can take more, or the tail stops. */
function drained(context: ToolContext, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      context.stdout.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    context.stdout.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

function fetcherOf(context: ToolContext, kinesis: KinesisClient, StreamName: string, shard: Shard, start: From): PollingFetcher {
  const range = shard.HashKeyRange;
  return new PollingFetcher({
    kinesis,
    stream: { StreamName },
    shardId: shard.ShardId!,
    checkpoint: { sequenceNumber: start.type, subSequenceNumber: 0 },
    initialPosition: start as InitialPosition,
    ...(range?.StartingHashKey !== undefined && range.EndingHashKey !== undefined && { hashKeyRange: { startingHashKey: range.StartingHashKey, endingHashKey: range.EndingHashKey } }),
    idleTimeBetweenReadsMs: idleMs,
    clock: context.clock,
    random: context.random,
  });
}

function fromOf(text: string, nowMs: number): From | undefined {
  if (text === "trim-horizon") return { type: "TRIM_HORIZON" };
  if (text === "latest") return { type: "LATEST" };
  const timeMs = timeOf(text, nowMs);
  return timeMs === undefined ? undefined : { type: "AT_TIMESTAMP", timestamp: new Date(timeMs) };
}
