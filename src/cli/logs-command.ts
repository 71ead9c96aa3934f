/**
 * `tributary logs <function>`: prints a function's log lines (START, END, REPORT and what the
 * handler printed) from a running server's `GET /_tributary/lambda/logs` (src/lambda/logs-route.ts),
 * oldest first, each as `<ISO time> <message>`. `--since` picks where to begin (default: ten
 * minutes ago, as `aws logs tail`), `--limit N` prints only the last N lines of that, and
 * `--follow` then polls every second for new lines until interrupted.
 */
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { parseCommandLine, type OptionSpec } from "./server-options.js";
import { systemClock, type Clock } from "../util/clock.js";

const usage = `Usage: tributary logs <function> [options]

Prints a Lambda function's log lines from a running server, oldest first.

Options:
  --endpoint <url>   the server (default http://127.0.0.1:4567)
  --since <when>     where to begin: a duration back from now (30s, 10m, 2h, 1d) or an ISO 8601 time (default 10m)
  --limit <n>        print only the last n lines from --since
  --follow           keep printing new lines as they come (polls every second; Ctrl-C stops)
  -h, --help         show this help

The server serves logs only under --auth none (like its other /_tributary routes).`;

const endpointDefault = "http://127.0.0.1:4567";
const sinceDefault = "10m";
const followIntervalMs = 1_000;
/** Events asked for per request (the route allows up to 10,000). */
const pageEvents = 1_000;
const pageEventsMax = 10_000;

const logsOptions: readonly OptionSpec[] = [
  { flag: "endpoint", description: "the server", defaultValue: endpointDefault, allowed: "an http:// or https:// URL", parse: (text) => (/^https?:\/\/[^\s/?#]+\/?$/.test(text) ? text.replace(/\/$/, "") : undefined) },
  { flag: "since", description: "where to begin", defaultValue: sinceDefault, allowed: "a duration (30s, 10m, 2h, 1d) or an ISO 8601 time", parse: (text) => text },
  { flag: "limit", description: "the last n lines", defaultValue: "", allowed: "a whole number from 1", parse: (text) => (/^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined) },
  { flag: "follow", description: "keep printing", defaultValue: "false", boolean: true, parse: (text) => text },
];

export interface LogsArguments {
  functionName: string;
  endpoint: string;
  sinceMs: number;
  limit: number | undefined;
  follow: boolean;
}

export type ParsedLogsArguments = { ok: true; help: true } | { ok: true; help: false; args: LogsArguments } | { ok: false; message: string; showHelp: boolean };

/** The command's arguments, or why they are not valid; `nowMs` anchors a duration `--since`. */
export function parseLogsArguments(argv: readonly string[], nowMs: number): ParsedLogsArguments {
  const isPositional = (arg: string, index: number) => !arg.startsWith("-") && !(index > 0 && takesValue(argv[index - 1]!));
  const positionals = argv.filter(isPositional);
  const flags = argv.filter((arg, index) => !isPositional(arg, index));
  const parsed = parseCommandLine(flags, logsOptions);
  if (!parsed.ok) return parsed;
  if (parsed.help) return { ok: true, help: true };
  if (positionals.length !== 1) {
    return { ok: false, showHelp: true, message: positionals.length === 0 ? "name the function: tributary logs <function>" : `one function at a time, got ${positionals.join(" ")}` };
  }
  const values: Record<string, string | number> = {};
  for (const spec of logsOptions) {
    const raw = parsed.cliValues[spec.flag] ?? spec.defaultValue;
    if (raw === "" && spec.defaultValue === "") continue;
    const value = spec.parse(raw);
    if (value === undefined) return { ok: false, showHelp: false, message: `--${spec.flag} must be ${spec.allowed}, got ${raw}` };
    values[spec.flag] = value;
  }
  const sinceMs = sinceOf(String(values.since), nowMs);
  if (sinceMs === undefined) return { ok: false, showHelp: false, message: `--since must be a duration (30s, 10m, 2h, 1d) or an ISO 8601 time, got ${String(values.since)}` };
  const follow = values.follow === "true" ? true : values.follow === "false" ? false : undefined;
  if (follow === undefined) return { ok: false, showHelp: false, message: `--follow must be true or false, got ${String(values.follow)}` };
  return {
    ok: true,
    help: false,
    args: { functionName: positionals[0]!, endpoint: String(values.endpoint), sinceMs, limit: values.limit === undefined ? undefined : Number(values.limit), follow },
  };
}

function takesValue(arg: string): boolean {
  return arg === "--endpoint" || arg === "--since" || arg === "--limit";
}

const durationUnitsMs: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function sinceOf(text: string, nowMs: number): number | undefined {
  const duration = /^(\d{1,9})([smhdw])$/.exec(text);
  if (duration) return Math.max(0, nowMs - Number(duration[1]) * durationUnitsMs[duration[2]!]!);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export interface LogEvent {
  timestampMs: number;
  message: string;
}

export interface LogsDeps {
  clock: Clock;
  write(line: string): void;
  /** GET the route; resolves with the events, or rejects with a LogsError saying what is wrong. */
  readPage(endpoint: string, functionName: string, startMs: number, limit: number): Promise<LogEvent[]>;
}

/** A failure to print: the CLI prints the message and exits 1. */
export class LogsError extends Error {
  override readonly name = "LogsError";
}

/**
 * Where the next read starts: at `startMs`, less the `seen` events of that same millisecond
 * already printed (the route's `start` is inclusive, and several lines often share a millisecond).
 */
interface Cursor {
  startMs: number;
  seen: number;
}

/** Prints the log as the arguments ask; with `follow`, until `signal` aborts. */
export async function printLogs(args: LogsArguments, deps: LogsDeps, signal?: AbortSignal): Promise<void> {
  const cursor: Cursor = { startMs: args.sinceMs, seen: 0 };
  const backlog: LogEvent[] = [];
  for (;;) {
    const fresh = await readNew(args, deps, cursor);
    if (fresh.length === 0) break;
    backlog.push(...fresh);
    // Only the last `limit` lines are printed: keep no more than that while paging through.
    if (args.limit !== undefined && backlog.length > args.limit) backlog.splice(0, backlog.length - args.limit);
  }
  for (const event of backlog) deps.write(lineOf(event));
  while (args.follow && !signal?.aborted) {
    const fresh = await readNew(args, deps, cursor);
    for (const event of fresh) deps.write(lineOf(event));
    if (fresh.length === 0) await deps.clock.sleep(followIntervalMs);
  }
}

/** The events after the cursor (one page), the cursor moved past them. */
async function readNew(args: LogsArguments, deps: LogsDeps, cursor: Cursor): Promise<LogEvent[]> {
  const limit = Math.min(pageEventsMax, cursor.seen + pageEvents);
  const events = await deps.readPage(args.endpoint, args.functionName, cursor.startMs, limit);
  let skip = 0;
  while (skip < cursor.seen && skip < events.length && events[skip]!.timestampMs === cursor.startMs) skip += 1;
  const fresh = events.slice(skip);
  for (const event of fresh) {
    if (event.timestampMs === cursor.startMs) cursor.seen += 1;
    else {
      cursor.startMs = event.timestampMs;
      cursor.seen = 1;
    }
  }
  // A millisecond with more lines than a page can skip past: go on from the next one.
  if (fresh.length === 0 && events.length === limit && limit === pageEventsMax) {
    cursor.startMs += 1;
    cursor.seen = 0;
    return readNew(args, deps, cursor);
  }
  return fresh;
}

function lineOf(event: LogEvent): string {
  return `${new Date(event.timestampMs).toISOString()} ${event.message.replace(/\r?\n$/, "")}\n`;
}

/**
 * The route over HTTP. node:http rather than fetch, whose list of "bad ports" (6000, 6665…)
 * would refuse servers that listen there.
 */
export async function readPageOverHttp(endpoint: string, functionName: string, startMs: number, limit: number): Promise<LogEvent[]> {
  const url = new URL(`${endpoint}/_tributary/lambda/logs?${new URLSearchParams({ function: functionName, start: String(startMs), limit: String(limit) })}`);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsGet : httpGet)(url, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", (error: NodeJS.ErrnoException) => reject(new LogsError(`cannot reach ${endpoint}: ${error.code ?? error.message}`)));
  });
  let body: { events?: LogEvent[]; message?: string } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (status === 200 && Array.isArray(body?.events)) return body.events;
  if (status === 400 && typeof body?.message === "string") throw new LogsError(body.message);
  throw new LogsError(`${endpoint} does not serve function logs (HTTP ${status}): it serves them only under --auth none, with Lambda on`);
}

/** `tributary logs …`: the exit code (0, 1 for a failure to read, 2 for bad arguments). */
export async function runLogs(argv: readonly string[]): Promise<number> {
  const parsed = parseLogsArguments(argv, systemClock.nowMs());
  if (!parsed.ok) {
    process.stderr.write(`tributary: ${parsed.message}\n${parsed.showHelp ? `\n${usage}\n` : ""}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(usage + "\n");
    return 0;
  }
  try {
    await printLogs(parsed.args, { clock: systemClock, write: (line) => process.stdout.write(line), readPage: readPageOverHttp });
    return 0;
  } catch (error) {
    if (!(error instanceof LogsError)) throw error;
    process.stderr.write(`tributary: ${error.message}\n`);
    return 1;
  }
}
