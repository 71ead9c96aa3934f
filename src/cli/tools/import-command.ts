/**
 * `tributary import <file.jsonl> --stream <name>`: puts the records of an export file (or of
 * `tail --format json`) into a stream, in the file's order, batched as `put` does (put-batches.ts):
 * each line's Data (base64), PartitionKey and, when present, ExplicitHashKey; the other members
 * are the source's and are not sent (the stream assigns new sequence numbers and arrival times).
 *
 * Resumable: after each PutRecords request is acknowledged in full, the number of lines done is
 * written to `<file>.import-<stream>.json` ({"format":"tributary-import-state","version":1,
 * "StreamName":…,"lines":N}); a run finds it and starts after line N. So an interrupted import
 * resumes, and a finished one, run again after the file grew (an export run again), imports only
 * the new lines. Prints one line:
 *
 *   imported 3 records from orders.jsonl to orders
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { writeJsonAtomically } from "./atomic-file.js";
import { parseToolArguments, toolHelp, type ToolOption } from "./arguments.js";
import { connectionOf, errorMessage, kinesisClientOf } from "./connection.js";
import { exitFailed, exitOk, failWith, plural, usageError, type ToolContext } from "./context.js";
import { LineTooLongError, readLines } from "./line-reader.js";
import { progressBar } from "./progress.js";
import { BatchBuilder, putBatch, type PutDeps, type PutEntry } from "./put-batches.js";
import { describeStream } from "./stream-summary.js";

const options: readonly ToolOption[] = [
  { flag: "stream", value: "<name>", description: "the stream to put the records into (required)" },
  { flag: "restart", description: "start from the first line, forgetting what an earlier run imported" },
];

export const importHelp = toolHelp(
  "tributary import <file.jsonl> --stream <name> [options]",
  [
    "Puts the records of a file written by `tributary export` (or `tributary tail --format json`) into",
    "a stream, in the file's order. Interrupted, it resumes after the last line acknowledged; run again",
    "after the file grew, it imports only the new lines.",
  ],
  options,
);

const importStateFormat = "tributary-import-state";
const importStateVersion = 1;
/** A base64 line of a 10 MiB record, with room for its other members. */
const importLineBytesMax = 15 * 1024 * 1024;

interface ImportState {
  format: typeof importStateFormat;
  version: typeof importStateVersion;
  StreamName: string;
  /** Lines of the file done: every record on them acknowledged by the stream. */
  lines: number;
}

export function importStatePathOf(path: string, StreamName: string): string {
  return `${path}.import-${StreamName}.json`;
}

/** A line that is not a record: `<file>:<line>: <what is wrong>`. */
class ImportLineError extends Error {
  override readonly name = "ImportLineError";
}

export async function runImport(argv: readonly string[], context: ToolContext): Promise<number> {
  const parsed = parseToolArguments(argv, options, ["<file.jsonl>"]);
  if (!parsed.ok) return usageError(context, "import", importHelp, parsed.message, parsed.showHelp);
  if (parsed.help) {
    context.stdout.write(importHelp + "\n");
    return exitOk;
  }
  const path = parsed.positionals[0]!;
  const StreamName = parsed.values.stream;
  if (StreamName === undefined || StreamName === "") return usageError(context, "import", importHelp, "--stream is required: the stream to import into", true);
  const connected = connectionOf(parsed.values, context.env);
  if (!connected.ok) return usageError(context, "import", importHelp, connected.message, false);
  if (!existsSync(path)) return failWith(context, "import", `cannot read ${path}: no such file`);
  const statePath = importStatePathOf(path, StreamName);
  const loaded = parsed.values.restart === "true" || !existsSync(statePath) ? { ok: true as const, lines: 0 } : readImportState(statePath, StreamName);
  if (!loaded.ok) return failWith(context, "import", loaded.message);
  const state: ImportState = { format: importStateFormat, version: importStateVersion, StreamName, lines: loaded.lines };

  const kinesis = kinesisClientOf(connected.connection);
  const deps: PutDeps = { kinesis, clock: context.clock, random: context.random, signal: context.interrupted };
  const input = createReadStream(path);
  let imported = 0;
  try {
    await describeStream(kinesis, StreamName);
    const totalBytes = fileSize(path);
    const progress = progressBar(context, "import {bar} {percentage}% | {records} records", totalBytes, { records: 0 });
    let readBytes = 0;
    const builder = new BatchBuilder();
    const send = async (entries: PutEntry[]) => {
      if (entries.length === 0) return;
      const failures = await putBatch(deps, StreamName, entries, (count) => progress.update(readBytes, { records: (imported += count) }));
      if (failures.length > 0) {
        // Only a prefix of the file can be remembered: stop at the first record the stream refused.
        const first = failures.reduce((a, b) => (a.line <= b.line ? a : b));
        throw new ImportLineError(`${path}:${first.line}: ${first.ErrorCode}: ${first.ErrorMessage}`);
      }
      state.lines = entries[entries.length - 1]!.line;
      writeJsonAtomically(statePath, state);
    };
    try {
      for await (const line of readLines(input, importLineBytesMax)) {
        readBytes += line.inputBytes;
        if (line.number <= loaded.lines || line.bytes.length === 0) continue;
        const entry = entryOf(line.bytes, line.number, path);
        if (entry instanceof ImportLineError) {
          await send(builder.take());
          throw entry;
        }
        const full = builder.add(entry);
        if (full !== undefined) await send(full);
      }
      await send(builder.take());
    } finally {
      progress.stop();
    }
    const resumed = loaded.lines > 0 ? `, after line ${loaded.lines} (imported by an earlier run)` : "";
    context.stdout.write(`imported ${plural(imported, "record")} from ${path} to ${StreamName}${resumed}\n`);
    return exitOk;
  } catch (error) {
    if (context.interrupted.aborted) {
      context.stderr.write(`tributary import: interrupted after line ${state.lines}; run the same command to resume\n`);
      return exitFailed;
    }
    const message = error instanceof ImportLineError || error instanceof LineTooLongError ? error.message : errorMessage(error, connected.connection);
    failWith(context, "import", message);
    if (state.lines > loaded.lines) context.stderr.write(`tributary import: lines up to ${state.lines} are imported; run the same command to resume after them\n`);
    return exitFailed;
  } finally {
    input.destroy();
    kinesis.destroy();
  }
}

/** The record on a line, or what keeps it from being one. */
function entryOf(bytes: Buffer, line: number, path: string): PutEntry | ImportLineError {
  const where = `${path}:${line}`;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return new ImportLineError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return new ImportLineError(`${where}: not a JSON object`);
  const { Data, PartitionKey, ExplicitHashKey } = value as Record<string, unknown>;
  if (typeof Data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(Data) || Data.length % 4 !== 0) return new ImportLineError(`${where}: Data must be a base64 string`);
  if (typeof PartitionKey !== "string" || PartitionKey.length === 0) return new ImportLineError(`${where}: PartitionKey must be a non-empty string`);
  if (ExplicitHashKey !== undefined && typeof ExplicitHashKey !== "string") return new ImportLineError(`${where}: ExplicitHashKey must be a string`);
  return { Data: Buffer.from(Data, "base64"), PartitionKey, ...(ExplicitHashKey !== undefined && { ExplicitHashKey }), line };
}

function readImportState(path: string, StreamName: string): { ok: true; lines: number } | { ok: false; message: string } {
  let state: Partial<ImportState>;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as Partial<ImportState>;
  } catch (error) {
    return { ok: false, message: `cannot read the import state ${path}: ${(error as Error).message}` };
  }
  if (state.format !== importStateFormat || state.version !== importStateVersion || state.StreamName !== StreamName || !Number.isSafeInteger(state.lines) || state.lines! < 0) {
    return { ok: false, message: `${path} is not an import state of ${StreamName} this version reads: remove it, or pass --restart` };
  }
  return { ok: true, lines: state.lines! };
}

function fileSize(path: string): number {
  return statSync(path).size;
}
