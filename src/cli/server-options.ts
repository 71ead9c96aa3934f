/**
 * `tributary server` options. Each flag has a TRIBUTARY_<FLAG> environment variable
 * (`--data-dir` ↔ TRIBUTARY_DATA_DIR); a flag on the command line wins over the environment.
 */
export interface OptionSpec {
  flag: string;
  description: string;
  defaultValue: string;
  parse: (text: string) => string | number | undefined;
}

const integer = (min: number, max: number) => (text: string) => {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
};
const text = (pattern: RegExp) => (value: string) => (pattern.test(value) ? value : undefined);

export const serverOptions: readonly OptionSpec[] = [
  { flag: "host", description: "address to listen on", defaultValue: "127.0.0.1", parse: text(/^[0-9a-zA-Z.:_-]+$/) },
  { flag: "port", description: "port to listen on (0 picks a free one)", defaultValue: "4567", parse: integer(0, 65535) },
  { flag: "data-dir", description: "directory that holds all stored data", defaultValue: "./data", parse: text(/^.+$/) },
  { flag: "region", description: "AWS region reported in ARNs", defaultValue: "us-east-1", parse: text(/^[a-z]{2}(-[a-z]+)+-\d+$/) },
  { flag: "account-id", description: "12-digit AWS account id reported in ARNs and errors", defaultValue: "000000000000", parse: text(/^\d{12}$/) },
  { flag: "storage", description: "storage engine: embedded (durable, on disk) or memory", defaultValue: "embedded", parse: text(/^(embedded|memory)$/) },
  { flag: "fsync", description: "when appends are made durable: always, interval or never", defaultValue: "always", parse: text(/^(always|interval|never)$/) },
  { flag: "create-stream-ms", description: "how long a new stream stays CREATING", defaultValue: "500", parse: integer(0, 600_000) },
  { flag: "delete-stream-ms", description: "how long a deleted stream stays DELETING", defaultValue: "500", parse: integer(0, 600_000) },
  { flag: "update-stream-ms", description: "how long an updated stream stays UPDATING", defaultValue: "500", parse: integer(0, 600_000) },
  { flag: "shard-limit", description: "the account's shard quota", defaultValue: "500", parse: integer(1, 1_000_000) },
  // docs/limits.md: per-shard throughput, API call rates and on-demand scaling; off for load tests.
  { flag: "limits", description: "throughput and API rate limits: aws (as AWS enforces them) or off", defaultValue: "aws", parse: text(/^(aws|off)$/) },
  { flag: "log-level", description: "silent, error, warn, info or debug", defaultValue: "info", parse: text(/^(silent|error|warn|info|debug)$/) },
  // Any path: the file is read and its rules checked when the server starts (docs/fault-injection.md).
  { flag: "faults", description: "JSON file of fault injection rules", defaultValue: "", parse: (value) => value },
  // docs/encryption.md: read once at start. Without it (and without TRIBUTARY_MASTER_KEY) the
  // server generates a key in the data directory the first time a stream is encrypted.
  { flag: "master-key-file", description: "file holding the master key for encryption at rest (base64 of 32 bytes)", defaultValue: "", parse: (value) => value },
];

/** The master key itself, base64 of 32 bytes: environment only, so it never shows in a process listing. */
export const masterKeyEnvName = "TRIBUTARY_MASTER_KEY";

export function envName(flag: string): string {
  return "TRIBUTARY_" + flag.toUpperCase().replace(/-/g, "_");
}

export type ServerOptionValues = Record<string, string | number>;

export type ResolveOutcome = { ok: true; values: ServerOptionValues } | { ok: false; message: string };

/** Combines command-line values, the environment and defaults; reports the first bad value. */
export function resolveServerOptions(
  cliValues: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolveOutcome {
  const values: ServerOptionValues = {};
  for (const spec of serverOptions) {
    const fromCli = cliValues[spec.flag];
    const fromEnv = env[envName(spec.flag)];
    const raw = fromCli ?? fromEnv ?? spec.defaultValue;
    const parsed = spec.parse(raw);
    if (parsed === undefined) {
      const source = fromCli !== undefined ? `--${spec.flag}` : fromEnv !== undefined ? envName(spec.flag) : `default of --${spec.flag}`;
      return { ok: false, message: `invalid value '${raw}' for ${source}: expected ${spec.description}` };
    }
    values[spec.flag] = parsed;
  }
  return { ok: true, values };
}

export function serverHelp(): string {
  const lines = ["Usage: tributary server [options]", "", "Runs the Tributary server.", "", "Options:"];
  for (const spec of serverOptions) {
    lines.push(`  --${spec.flag} <value>`.padEnd(28) + `${spec.description} (default ${spec.defaultValue || "none"}; env ${envName(spec.flag)})`);
  }
  lines.push("  -h, --help".padEnd(28) + "show this help");
  lines.push("", "Environment:", `  ${masterKeyEnvName}`.padEnd(28) + "the master key itself (base64 of 32 bytes), instead of --master-key-file");
  return lines.join("\n");
}
