/**
 * `tributary put <stream> [--partition-key <key>] < file`: one record a line of stdin (the line's
 * bytes, without its newline; empty lines are skipped), batched into PutRecords (put-batches.ts).
 * Each record's partition key is `--partition-key`, or else its line number, which spreads the
 * lines over the shards and is the same on every run. A progress bar runs on stderr when it is a
 * terminal; at the end one line on stdout counts what was put:
 *
 *   put 3 records to orders
 *
 * Records the service refused are listed on stderr (`tributary put: line 7: <ErrorCode>: <message>`),
 * counted in the last line (`put 2 records to orders, 1 failed`) and make the exit status 1.
 */
import { fstatSync } from "node:fs";
import { parseToolArguments, toolHelp, type ToolOption } from "./arguments.js";
import { connectionOf, errorMessage, kinesisClientOf } from "./connection.js";
import { exitFailed, exitOk, failWith, plural, usageError, type ToolContext } from "./context.js";
import { LineTooLongError, readLines } from "./line-reader.js";
import { progressBar } from "./progress.js";
import { BatchBuilder, putBatch, type PutDeps, type PutEntry, type PutFailure } from "./put-batches.js";
import { describeStream } from "./stream-summary.js";

const options: readonly ToolOption[] = [
  { flag: "partition-key", value: "<key>", description: "every record's partition key (default: its line number)" },
];

export const putHelp = toolHelp(
  "tributary put <stream> [options] < file",
  [
    "Puts each line of stdin into the stream as one record (the line's bytes without its newline;",
    "empty lines are skipped), in PutRecords calls of up to 500 records and 5 MiB, retrying the",
    "records the service throttles. Prints how many records were put.",
  ],
  options,
  ["Exit status: 0 when every record was put, 1 when some were not (each is listed on stderr) or the stream cannot be used, 2 for a bad command line."],
);

/** No record can be larger (UpdateMaxRecordSize's ceiling): a longer line is not a record. */
export const lineBytesMax = 10 * 1024 * 1024;
/** How long gathered records wait for more lines before they are sent anyway (the KPL's RecordMaxBufferedTime is 100 ms too). */
export const lingerMs = 100;

export async function runPut(argv: readonly string[], context: ToolContext): Promise<number> {
  const parsed = parseToolArguments(argv, options, ["<stream>"]);
  if (!parsed.ok) return usageError(context, "put", putHelp, parsed.message, parsed.showHelp);
  if (parsed.help) {
    context.stdout.write(putHelp + "\n");
    return exitOk;
  }
  const StreamName = parsed.positionals[0]!;
  const partitionKey = parsed.values["partition-key"];
  if (partitionKey !== undefined && (partitionKey.length < 1 || partitionKey.length > 256)) {
    return usageError(context, "put", putHelp, `--partition-key must be 1 to 256 characters, got ${partitionKey.length}`, false);
  }
  const connected = connectionOf(parsed.values, context.env);
  if (!connected.ok) return usageError(context, "put", putHelp, connected.message, false);
  const kinesis = kinesisClientOf(connected.connection);
  const deps: PutDeps = { kinesis, clock: context.clock, random: context.random, signal: context.interrupted };
  let put = 0;
  const failures: PutFailure[] = [];
  const progress = progressBar(context, inputBytes(context) === undefined ? "put {records} records" : "put {bar} {percentage}% | {records} records", inputBytes(context), { records: 0 });
  let readBytes = 0;
  const send = async (entries: PutEntry[]) => {
    if (entries.length === 0) return;
    failures.push(...(await putBatch(deps, StreamName, entries, (count) => progress.update(readBytes, { records: (put += count) }))));
  };
  // Ctrl-C while waiting for input (a terminal, a slow pipe) ends the reading too.
  const stopReading = () => context.stdin.destroy();
  context.interrupted.addEventListener("abort", stopReading, { once: true });
  try {
    await describeStream(kinesis, StreamName);
    if (context.stdin.isTTY === true) context.stderr.write("tributary put: reading records from the terminal, one a line; Ctrl-D ends\n");
    const builder = new BatchBuilder();
    const lines = readLines(context.stdin, lineBytesMax)[Symbol.asyncIterator]();
    let nextLine = lines.next();
    // Started with a request's first record: lines that trickle in (`tail -f app.log | tributary
    // put logs`) go out lingerMs after the first of them rather than wait for a full request.
    let linger: Linger | undefined;
    const sendGathered = async (entries: PutEntry[]) => {
      linger?.cancel();
      linger = undefined;
      await send(entries);
    };
    for (;;) {
      const result = linger === undefined ? await nextLine : await Promise.race([nextLine, linger.expired]);
      if (result === "linger") {
        await sendGathered(builder.take());
        continue;
      }
      if (result.done === true) break;
      nextLine = lines.next();
      const line = result.value;
      readBytes += line.inputBytes;
      if (line.bytes.length === 0) continue;
      const full = builder.add({ Data: line.bytes, PartitionKey: partitionKey ?? String(line.number), line: line.number });
      if (full !== undefined) await sendGathered(full);
      linger ??= lingerOf(context);
    }
    linger?.cancel();
    await send(builder.take());
  } catch (error) {
    progress.stop();
    const message = error instanceof LineTooLongError ? error.message : errorMessage(error, connected.connection);
    const interrupted = context.interrupted.aborted;
    if (put > 0 || interrupted) context.stdout.write(countLine(put, StreamName, failures.length) + "\n");
    return interrupted ? exitFailed : failWith(context, "put", message);
  } finally {
    context.interrupted.removeEventListener("abort", stopReading);
    kinesis.destroy();
  }
  progress.stop();
  for (const failure of failures) context.stderr.write(`tributary put: line ${failure.line}: ${failure.ErrorCode}: ${failure.ErrorMessage}\n`);
  context.stdout.write(countLine(put, StreamName, failures.length) + "\n");
  return failures.length === 0 ? exitOk : exitFailed;
}

interface Linger {
  expired: Promise<"linger">;
  cancel(): void;
}

function lingerOf(context: ToolContext): Linger {
  const timer = new AbortController();
  const expired = context.clock.sleep(lingerMs, { signal: timer.signal }).then(
    () => "linger" as const,
    () => "linger" as const,
  );
  return { expired, cancel: () => timer.abort() };
}

function countLine(put: number, StreamName: string, failed: number): string {
  return `put ${plural(put, "record")} to ${StreamName}${failed > 0 ? `, ${failed} failed` : ""}`;
}

/** Stdin's size when it is a regular file (`< file`): the bar's total; undefined for a pipe or a terminal. */
function inputBytes(context: ToolContext): number | undefined {
  if (context.stdin.fd === undefined) return undefined;
  try {
    const stat = fstatSync(context.stdin.fd);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}
