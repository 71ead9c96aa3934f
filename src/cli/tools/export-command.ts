/**
 * `tributary export <stream> --to <file.jsonl>`: appends every record the stream holds to a
 * JSON-lines file, one line a record in the export format (record-format.ts), shards in lineage
 * order (a shard after its parents), each read from its oldest record (or from where the last run
 * stopped) to its end or, for an open shard, to its tip at the time. The per-shard positions are
 * kept in a sidecar state file (export-state.ts), so an interrupted export resumes where it
 * stopped and a finished one, run again, appends only what arrived since. Prints one line:
 *
 *   exported 3 records from orders to orders.jsonl
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, fstatSync, writeSync } from "node:fs";
import type { KinesisClient, Shard } from "@aws-sdk/client-kinesis";
import { parseToolArguments, toolHelp, type ToolOption } from "./arguments.js";
import { connectionOf, errorMessage, kinesisClientOf } from "./connection.js";
import { exitFailed, exitOk, failWith, plural, usageError, type ToolContext } from "./context.js";
import { newExportState, readExportState, statePathOf, writeExportState, type ExportState } from "./export-state.js";
import { followLineage, type ShardOutcome } from "./lineage.js";
import { progressBar, type Progress } from "./progress.js";
import { fromKinesisRecord, jsonLine } from "./record-format.js";
import { listAllShards, ShardReader } from "./shard-reader.js";
import { describeStream } from "./stream-summary.js";

const options: readonly ToolOption[] = [
  { flag: "to", value: "<file>", description: "the JSON-lines file to write (required); its state is kept beside it in <file>.state.json" },
  { flag: "restart", description: "start over: empty the file and forget the state" },
];

export const exportHelp = toolHelp(
  "tributary export <stream> --to <file.jsonl> [options]",
  [
    "Copies every record of the stream to a JSON-lines file, one line a record:",
    '  {"ShardId":…,"SequenceNumber":…,"ApproximateArrivalTimestamp":…,"PartitionKey":…,"Data":"<base64>"}',
    "shard by shard in lineage order (a shard after its parents), each up to its end or its newest record.",
    "Interrupted, it resumes where it stopped; run again, it appends the records that arrived since.",
  ],
  options,
);

/** Shards read at once: each is a GetRecords loop, and AWS allows 5 calls and 2 MiB a second a shard. */
const exportConcurrency = 4;
/**
 * Tries of one GetRecords page (each a few SDK attempts) before the export gives up with the
 * service's error: what it wrote is kept, and the same command resumes once the stream answers.
 */
const readAttemptsMax = 10;

export async function runExport(argv: readonly string[], context: ToolContext): Promise<number> {
  const parsed = parseToolArguments(argv, options, ["<stream>"]);
  if (!parsed.ok) return usageError(context, "export", exportHelp, parsed.message, parsed.showHelp);
  if (parsed.help) {
    context.stdout.write(exportHelp + "\n");
    return exitOk;
  }
  const StreamName = parsed.positionals[0]!;
  const path = parsed.values.to;
  if (path === undefined || path === "") return usageError(context, "export", exportHelp, "--to is required: the file to write", true);
  const connected = connectionOf(parsed.values, context.env);
  if (!connected.ok) return usageError(context, "export", exportHelp, connected.message, false);
  const kinesis = kinesisClientOf(connected.connection);
  let fd: number | undefined;
  try {
    const summary = await describeStream(kinesis, StreamName);
    const opened = openExport(path, StreamName, summary.StreamCreationTimestamp?.toISOString() ?? "", parsed.values.restart === "true");
    if (!opened.ok) return failWith(context, "export", opened.message);
    fd = opened.fd;
    const exported = await exportShards(context, kinesis, StreamName, { fd, path, state: opened.state });
    if (context.interrupted.aborted) {
      context.stderr.write(`tributary export: interrupted after ${plural(exported, "record")}; run the same command to resume\n`);
      return exitFailed;
    }
    context.stdout.write(`exported ${plural(exported, "record")} from ${StreamName} to ${path}\n`);
    return exitOk;
  } catch (error) {
    return failWith(context, "export", errorMessage(error, connected.connection));
  } finally {
    if (fd !== undefined) closeSync(fd);
    kinesis.destroy();
  }
}

/** The file open for appending at the state's length, and the state to go on from; or why not. */
function openExport(path: string, StreamName: string, created: string, restart: boolean): { ok: true; fd: number; state: ExportState } | { ok: false; message: string } {
  const statePath = statePathOf(path);
  if (restart || !existsSync(statePath)) {
    if (!restart && existsSync(path) && fstatSizeOf(path) > 0) {
      return { ok: false, message: `${path} exists and is not an export in progress (there is no ${statePath}): remove it, choose another --to, or pass --restart to overwrite it` };
    }
    const state = newExportState(StreamName, created);
    const fd = openSync(path, "w");
    writeExportState(statePath, state);
    return { ok: true, fd, state };
  }
  const read = readExportState(statePath);
  if (!read.ok) return read;
  const { state } = read;
  if (state.StreamName !== StreamName) return { ok: false, message: `${path} is an export of ${state.StreamName}, not ${StreamName}: choose another --to, or pass --restart` };
  if (state.StreamCreationTimestamp !== created) {
    return { ok: false, message: `${StreamName} was created again since ${path} was exported (${state.StreamCreationTimestamp}, now ${created}): pass --restart to export the new stream` };
  }
  const fd = openSync(path, existsSync(path) ? "r+" : "w+");
  const size = fstatSync(fd).size;
  if (size < state.fileBytes) {
    closeSync(fd);
    return { ok: false, message: `${path} is shorter (${size} bytes) than its state says (${state.fileBytes}): it was changed; pass --restart to export again` };
  }
  // Lines appended after the state's last write are read again from the shards: cut them off.
  ftruncateSync(fd, state.fileBytes);
  return { ok: true, fd, state };
}

function fstatSizeOf(path: string): number {
  const fd = openSync(path, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

interface ExportTarget {
  fd: number;
  path: string;
  state: ExportState;
}

/** Reads the shards in lineage order into the file; answers how many records this run wrote. */
async function exportShards(context: ToolContext, kinesis: KinesisClient, StreamName: string, target: ExportTarget): Promise<number> {
  const { state } = target;
  const statePath = statePathOf(target.path);
  let written = 0;
  let shardsDone = 0;
  let shardsTotal = 0;
  const progress: Progress = progressBar(context, "export {bar} {value}/{total} shards | {records} records", 0, { records: 0 });
  const listShards = async () => {
    const shards = await listAllShards(kinesis, StreamName);
    shardsTotal = Math.max(shardsTotal, shards.length);
    progress.setTotal(shardsTotal);
    return shards;
  };
  const readShard = async (shard: Shard, signal: AbortSignal): Promise<ShardOutcome> => {
    const ShardId = shard.ShardId!;
    const position = (state.shards[ShardId] ??= {});
    const start = position.SequenceNumber !== undefined ? { Type: "AFTER_SEQUENCE_NUMBER" as const, SequenceNumber: position.SequenceNumber } : { Type: "TRIM_HORIZON" as const };
    const reader = new ShardReader({ kinesis, clock: context.clock, random: context.random }, StreamName, ShardId, start, signal, readAttemptsMax);
    for (;;) {
      const page = await reader.next();
      if (page.Records.length > 0) {
        const text = page.Records.map((record) => jsonLine(fromKinesisRecord(ShardId, record)) + "\n").join("");
        const bytes = Buffer.from(text, "utf8");
        writeSync(target.fd, bytes, 0, bytes.length, state.fileBytes);
        // The lines are on disk before the state that counts them: a crash between the two reads the page again.
        fsyncSync(target.fd);
        state.fileBytes += bytes.length;
        state.records += page.Records.length;
        written += page.Records.length;
        position.SequenceNumber = page.Records[page.Records.length - 1]!.SequenceNumber!;
      }
      if (page.ended) position.ended = true;
      if (page.Records.length > 0 || page.ended) writeExportState(statePath, state);
      progress.update(shardsDone, { records: written });
      if (page.ended) return "ended";
      // At the tip of an open shard: this export's snapshot of it is complete.
      if (page.MillisBehindLatest === 0 || (page.MillisBehindLatest === undefined && page.Records.length === 0)) return "caught-up";
    }
  };
  try {
    await followLineage({
      listShards,
      skip: (shard) => {
        const finished = state.shards[shard.ShardId!]?.ended === true;
        if (finished) shardsDone++;
        return finished;
      },
      concurrencyMax: exportConcurrency,
      signal: context.interrupted,
      read: async (shard, _initial, signal) => {
        try {
          const outcome = await readShard(shard, signal);
          progress.update(++shardsDone, { records: written });
          return outcome;
        } catch (error) {
          if (signal.aborted) return "stopped";
          throw error;
        }
      },
    });
  } finally {
    progress.stop();
  }
  return written;
}
