/**
 * Runs `tributary analytics …` in-process (src/cli/analytics-command.ts) over files held in memory,
 * answering the exit status, the output lines parsed as JSON, and stderr.
 */
import { runAnalyticsCommand } from "../../../src/cli/analytics-command.js";

export interface CommandRun {
  status: number;
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

export async function analytics(argv: string[], files: Record<string, string>, stdin = ""): Promise<CommandRun> {
  let stdout = "";
  let stderr = "";
  const status = await runAnalyticsCommand(argv, {
    async readFile(path) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { path });
      return new TextEncoder().encode(text);
    },
    async readStdin() {
      return new TextEncoder().encode(stdin);
    },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  const lines = stdout.startsWith("{") ? stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>) : [];
  return { status, lines, stdout, stderr };
}

/** records.jsonl from record objects. */
export function jsonl(records: unknown[]): string {
  return records.map((record) => JSON.stringify(record)).join("\n") + "\n";
}

export const stockSchema = {
  RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
  RecordEncoding: "UTF-8",
  RecordColumns: [
    { Name: "TICKER_SYMBOL", SqlType: "VARCHAR(4)", Mapping: "$.TICKER_SYMBOL" },
    { Name: "SECTOR", SqlType: "VARCHAR(16)", Mapping: "$.SECTOR" },
    { Name: "CHANGE", SqlType: "REAL", Mapping: "$.CHANGE" },
    { Name: "PRICE", SqlType: "REAL", Mapping: "$.PRICE" },
  ],
};

export function stockConfig(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Inputs: [
      {
        NamePrefix: "SOURCE_SQL_STREAM",
        KinesisStreamsInput: { ResourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/stock", RoleARN: "arn:aws:iam::000000000000:role/analytics" },
        InputParallelism: { Count: 1 },
        InputSchema: stockSchema,
      },
    ],
    ...extra,
  });
}

/** Epoch ms of 2018-11-01 01:MM:SS.mmm. */
export function at(minute: number, second: number, ms = 0): number {
  return Date.UTC(2018, 10, 1, 1, minute, second, ms);
}

/** The lines of one stream, without the stream name. */
export function of(lines: Record<string, unknown>[], stream: string): Record<string, unknown>[] {
  return lines.filter((line) => line.stream === stream).map(({ stream: _, ...rest }) => rest);
}
