/**
 * `tributary analytics run --code app.sql --config app.json --records records.jsonl
 * [--object s3://BUCKET/KEY=FILE …] [--seed N]`: runs a Kinesis Data Analytics SQL application
 * deterministically on a virtual clock (src/analytics/replay) and prints every row each
 * in-application stream receives as a JSON line. Exit status 0 when the run completes, 1 when the
 * code doesn't compile or an input file can't be used (the message names the line and column, or
 * the file and what is wrong), 2 for a bad command line.
 */
import { readFile } from "node:fs/promises";
import type { SqlCompileError } from "../analytics/sql/types.js";
import { parseReplayConfig, parseReplayRecords, ReplayConfigError, ReplayRecordError, replaySeedDefault, runReplay } from "../analytics/replay/index.js";

const usage = `Usage: tributary analytics run --code <app.sql> --config <app.json> --records <records.jsonl> [options]

Runs a Kinesis Data Analytics SQL application over recorded input and prints, as JSON lines, every
row each in-application stream receives (error_stream included), in order:
  {"stream": "DESTINATION_SQL_STREAM", "ROWTIME": "YYYY-MM-DD HH:MM:SS.fff", ...columns}

Options:
  --code <file>                  the application code (SQL)
  --config <file>                {"Inputs": [...], "ReferenceDataSources": [...]} as CreateApplication and
                                 AddApplicationReferenceDataSource take them
  --records <file>               one record a line: {"arrival": <epoch ms>, "partitionKey": "...", "data": ...}
                                 (optional: "approximateArrival", "stream", "sequenceNumber", "shardId"); - reads stdin
  --object s3://BUCKET/KEY=FILE  the content of a reference data source's S3 object (repeatable)
  --seed <n>                     seed of the randomised functions (RANDOM_CUT_FOREST), default ${replaySeedDefault}
  -h, --help                     show this help

Exit status: 0 when the run completes, 1 when the code does not compile (the message names the line
and column) or an input file is unusable, 2 for a bad command line.`;

/** What the command reads and writes, injected so tests run it in-process. */
export interface AnalyticsCommandIo {
  readFile(path: string): Promise<Uint8Array>;
  readStdin(): Promise<Uint8Array>;
  stdout(text: string): void;
  stderr(text: string): void;
}

interface RunArguments {
  code: string;
  config: string;
  records: string;
  objects: { location: string; file: string }[];
  seed: number;
}

type Parsed = { ok: true; help: true } | { ok: true; help: false; args: RunArguments } | { ok: false; message: string };

/** Lines are written in batches of about this many characters (a large replay prints millions of lines). */
const outputChunkChars = 64 * 1024;

function parseRunArguments(argv: readonly string[]): Parsed {
  const values: Partial<Record<"code" | "config" | "records" | "seed", string>> = {};
  const objects: RunArguments["objects"] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return { ok: true, help: true };
    const match = /^--(code|config|records|object|seed)(?:=(.*))?$/.exec(arg);
    if (match === null) return { ok: false, message: `unknown option ${arg}` };
    const flag = match[1] as "code" | "config" | "records" | "object" | "seed";
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === "") return { ok: false, message: `--${flag} needs a value` };
    if (flag === "object") {
      const object = /^(s3:\/\/[^/]+\/.+?)=(.+)$/.exec(value);
      if (object === null) return { ok: false, message: `--object must be s3://BUCKET/KEY=FILE, got ${value}` };
      objects.push({ location: object[1]!, file: object[2]! });
    } else {
      if (values[flag] !== undefined) return { ok: false, message: `--${flag} given twice` };
      values[flag] = value;
    }
  }
  for (const flag of ["code", "config", "records"] as const) if (values[flag] === undefined) return { ok: false, message: `--${flag} is required` };
  const seed = values.seed === undefined ? replaySeedDefault : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return { ok: false, message: `--seed must be a whole number from 0 to 4294967295, got ${values.seed}` };
  return { ok: true, help: false, args: { code: values.code!, config: values.config!, records: values.records!, objects, seed } };
}

const decoder = new TextDecoder("utf-8");

async function readText(io: AnalyticsCommandIo, path: string): Promise<string> {
  return decoder.decode(path === "-" ? await io.readStdin() : await io.readFile(path));
}

/** The error's message, led by its line and column when the message doesn't name them itself. */
function compileMessage(error: SqlCompileError): string {
  const position = error.position;
  if (position === undefined || /line \d+, column \d+/.test(error.message)) return error.message;
  return `line ${position.line}, column ${position.column}: ${error.message}`;
}

/** Runs `tributary analytics <subcommand> …`; answers the exit status. */
export async function runAnalyticsCommand(argv: readonly string[], io: AnalyticsCommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === "-h" || subcommand === "--help" || subcommand === "help") {
    io.stdout(usage + "\n");
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== "run") {
    io.stderr(`tributary analytics: unknown subcommand '${subcommand}'\n\n${usage}\n`);
    return 2;
  }
  const parsed = parseRunArguments(rest);
  if (!parsed.ok) {
    io.stderr(`tributary analytics run: ${parsed.message}\n\n${usage}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(usage + "\n");
    return 0;
  }
  const fail = (message: string) => {
    io.stderr(`tributary analytics run: ${message}\n`);
    return 1;
  };
  const { args } = parsed;
  let texts: { code: string; config: string; records: string };
  const objects = new Map<string, Uint8Array>();
  try {
    texts = { code: await readText(io, args.code), config: await readText(io, args.config), records: await readText(io, args.records) };
    for (const object of args.objects) objects.set(object.location, await io.readFile(object.file));
  } catch (error) {
    return fail(`cannot read ${(error as { path?: string }).path ?? "a file"}: ${(error as Error).message}`);
  }
  let pending = "";
  const flush = () => {
    if (pending !== "") io.stdout(pending);
    pending = "";
  };
  try {
    const config = parseReplayConfig(texts.config);
    const records = parseReplayRecords(texts.records);
    const outcome = runReplay(
      { code: texts.code, config, records, objects, seed: args.seed },
      {
        line(text) {
          pending += text + "\n";
          if (pending.length >= outputChunkChars) flush();
        },
        warn(message) {
          io.stderr(`tributary analytics run: warning: ${message}\n`);
        },
      },
    );
    flush();
    if (!outcome.ok) return fail(`${args.code}: ${compileMessage(outcome.error)}`);
    return 0;
  } catch (error) {
    flush();
    if (error instanceof ReplayConfigError) return fail(`${args.config}: ${error.message}`);
    if (error instanceof ReplayRecordError) return fail(`${args.records}: ${error.message}`);
    throw error;
  }
}

/** The process's io: files, stdin, stdout and stderr. */
export const processIo: AnalyticsCommandIo = {
  readFile: (path) => readFile(path),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};
