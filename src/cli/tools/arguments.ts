/**
 * The tools' command lines: `tributary <tool> <positionals…> [--flag value | --flag=value | --switch]`,
 * in the conventions of the other commands (src/cli/server-options.ts's parseCommandLine): `-h` or
 * `--help` anywhere asks for the help, an option that takes a value takes the next argument, and
 * an unknown option is an error that shows the help. Every tool also takes the connection options
 * (`--endpoint-url`, `--region`), which connection.ts resolves.
 */

export interface ToolOption {
  flag: string;
  /** The value's placeholder in the help (`<n>`); a switch has none. */
  value?: string;
  description: string;
}

/** The options every tool takes: where the server is and which region to sign for. */
export const connectionOptions: readonly ToolOption[] = [
  { flag: "endpoint-url", value: "<url>", description: "the server (default $AWS_ENDPOINT_URL_KINESIS or $AWS_ENDPOINT_URL, else http://127.0.0.1:4567)" },
  { flag: "region", value: "<region>", description: "the region (default $AWS_REGION, $AWS_DEFAULT_REGION or the profile's)" },
];

/** `--endpoint` is what `tributary logs` and `tributary kcl` call the same option: it works here too. */
const aliases: Readonly<Record<string, string>> = { endpoint: "endpoint-url" };

export type ParsedToolArguments =
  | { ok: true; help: true }
  | { ok: true; help: false; positionals: string[]; values: Record<string, string | undefined> }
  | { ok: false; message: string; showHelp: boolean };

/** The positionals (exactly `positionalNames.length` of them) and the flags given, or what is wrong. */
export function parseToolArguments(argv: readonly string[], options: readonly ToolOption[], positionalNames: readonly string[]): ParsedToolArguments {
  const all = [...options, ...connectionOptions];
  const byFlag = new Map(all.map((option) => [option.flag, option]));
  const values: Record<string, string | undefined> = {};
  const positionals: string[] = [];
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith("--")) return { ok: false, showHelp: true, message: `Unknown option '${arg}'` };
    const equals = arg.indexOf("=");
    const given = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
    const name = aliases[given] ?? given;
    const option = byFlag.get(name);
    if (option === undefined) return { ok: false, showHelp: true, message: `Unknown option '--${given}'` };
    if (values[name] !== undefined) return { ok: false, showHelp: false, message: `--${given} given twice` };
    if (option.value === undefined) {
      if (equals >= 0) return { ok: false, showHelp: false, message: `--${given} takes no value` };
      values[name] = "true";
      continue;
    }
    if (equals >= 0) {
      values[name] = arg.slice(equals + 1);
      continue;
    }
    const next = argv[index + 1];
    if (next === undefined || next.startsWith("--")) return { ok: false, showHelp: false, message: `--${given} needs a value ${option.value}` };
    values[name] = next;
    index++;
  }
  if (help) return { ok: true, help: true };
  if (positionals.length < positionalNames.length) return { ok: false, showHelp: true, message: `missing ${positionalNames[positionals.length]}` };
  if (positionals.length > positionalNames.length) return { ok: false, showHelp: true, message: `unexpected argument '${positionals[positionalNames.length]}'` };
  return { ok: true, help: false, positionals, values };
}

/** A tool's help: usage, what it does, and its options (the connection options last), aligned in one column. */
export function toolHelp(usage: string, about: readonly string[], options: readonly ToolOption[], after: readonly string[] = []): string {
  const rows: Array<readonly [string, string]> = [...options, ...connectionOptions].map((option) => [`  --${option.flag}${option.value === undefined ? "" : ` ${option.value}`}`, option.description]);
  rows.push(["  -h, --help", "show this help"]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const lines = [`Usage: ${usage}`, "", ...about, "", "Options:", ...rows.map(([name, text]) => name.padEnd(width) + text)];
  if (after.length > 0) lines.push("", ...after);
  return lines.join("\n");
}

const durationUnitsMs: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as the other commands write it (30s, 10m, 2h, 1d), in milliseconds; undefined if it is not one. */
export function durationMs(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd])$/.exec(text);
  return match === null ? undefined : Number(match[1]) * durationUnitsMs[match[2]!]!;
}

/** A point in time: an ISO 8601 time, or a duration back from `nowMs` (10m); undefined if it is neither. */
export function timeOf(text: string, nowMs: number): number | undefined {
  const back = durationMs(text);
  if (back !== undefined) return nowMs - back;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A whole number from `min` to `max`, or undefined. */
export function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}
