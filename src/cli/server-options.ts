import { parseArgs } from "node:util";

/**
 * `tributary server` options, and the option machinery `tributary kcl` shares. Each flag has a TRIBUTARY_<FLAG> environment variable
 * (`--data-dir` ↔ TRIBUTARY_DATA_DIR); a flag on the command line wins over the environment.
 */
export interface OptionSpec {
  flag: string;
  description: string;
  defaultValue: string;
  parse: (text: string) => string | number | undefined;
  /** A switch: `--flag` alone on the command line means "true"; its variable takes true/false (or 1/0). */
  boolean?: true;
}

const integer = (min: number, max: number) => (text: string) => {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
};
const text = (pattern: RegExp) => (value: string) => (pattern.test(value) ? value : undefined);
const switchValue = (value: string) => (/^(true|1)$/i.test(value) ? "true" : /^(false|0)$/i.test(value) ? "false" : undefined);

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
  // TLS on the same port as plain HTTP (README): a certificate and key of one's own, or --tls for
  // a self-signed pair generated in the data directory on first start.
  { flag: "tls-cert", description: "PEM certificate (chain) to serve TLS with, on the same port; needs --tls-key", defaultValue: "", parse: (value) => value },
  { flag: "tls-key", description: "PEM private key of --tls-cert", defaultValue: "", parse: (value) => value },
  { flag: "tls", description: "serve TLS too, with a self-signed certificate kept in <data-dir>/tls", defaultValue: "false", parse: switchValue, boolean: true },
  // docs/auth.md: none accepts any well-formed request as the configured account; sigv4 checks
  // AWS signatures against the credentials file. Off loopback, none needs --allow-unauthenticated.
  { flag: "auth", description: "authentication: none (loopback only, unless --allow-unauthenticated) or sigv4", defaultValue: "none", parse: text(/^(none|sigv4)$/) },
  { flag: "credentials-file", description: "JSON file of access keys, principals and policies for --auth sigv4; reloaded on change", defaultValue: "", parse: (value) => value },
  { flag: "allow-unauthenticated", description: "allow --auth none on an address other than loopback", defaultValue: "false", parse: switchValue, boolean: true },
];

/** The master key itself, base64 of 32 bytes: environment only, so it never shows in a process listing. */
export const masterKeyEnvName = "TRIBUTARY_MASTER_KEY";

/** Whether `host` is a loopback address, which only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host) || /^::ffff:127(\.\d{1,3}){3}$/i.test(host);
}

/**
 * The binding rule of docs/auth.md: a server reachable from other machines must check signatures
 * unless the operator says otherwise. The reason the options cannot start, or undefined.
 */
export function authOptionsProblem(values: ServerOptionValues): string | undefined {
  const host = String(values.host);
  const credentialsFile = String(values["credentials-file"]);
  if (values.auth === "sigv4") return credentialsFile === "" ? "--auth sigv4 needs --credentials-file (or TRIBUTARY_CREDENTIALS_FILE)" : undefined;
  if (credentialsFile !== "") return "--credentials-file is used only with --auth sigv4";
  if (isLoopbackHost(host) || values["allow-unauthenticated"] === "true") return undefined;
  return (
    `refusing to serve without authentication on ${host}, which other machines can reach: ` +
    "use --auth sigv4 with --credentials-file, bind a loopback address (--host 127.0.0.1), " +
    "or pass --allow-unauthenticated to accept every request as the configured account"
  );
}

export function envName(flag: string): string {
  return "TRIBUTARY_" + flag.toUpperCase().replace(/-/g, "_");
}

export type ServerOptionValues = Record<string, string | number>;

export type ResolveOutcome = { ok: true; values: ServerOptionValues } | { ok: false; message: string };

/** Combines command-line values, the environment and defaults; reports the first bad value. */
export function resolveOptions(
  specs: readonly OptionSpec[],
  cliValues: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolveOutcome {
  const values: ServerOptionValues = {};
  for (const spec of specs) {
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

export function resolveServerOptions(
  cliValues: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolveOutcome {
  return resolveOptions(serverOptions, cliValues, env);
}

export type ParsedCommandLine = { ok: true; help: boolean; cliValues: Record<string, string | undefined> } | { ok: false; message: string };

/** A command's flags as given (switches as "true"), or why they are not valid; no positionals. */
export function parseCommandLine(args: string[], specs: readonly OptionSpec[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(specs.map((spec) => [spec.flag, { type: spec.boolean ? ("boolean" as const) : ("string" as const) }])),
      },
    });
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const values = parsed.values as Record<string, unknown>;
  const cliValues = Object.fromEntries(
    specs.map((spec) => {
      const value = values[spec.flag];
      return [spec.flag, typeof value === "boolean" ? String(value) : (value as string | undefined)];
    }),
  );
  return { ok: true, help: values.help === true, cliValues };
}

/** The "Options:" lines of a command's help, each with its default and environment variable. */
export function optionHelpLines(specs: readonly OptionSpec[]): string[] {
  const lines: string[] = [];
  for (const spec of specs) {
    // A name as long as the column still gets a space before its description.
    const name = `  --${spec.flag}${spec.boolean ? "" : " <value>"}`;
    lines.push(name.padEnd(28).padEnd(name.length + 1) + `${spec.description} (default ${spec.defaultValue || "none"}; env ${envName(spec.flag)})`);
  }
  lines.push("  -h, --help".padEnd(28) + "show this help");
  return lines;
}

export function serverHelp(): string {
  const lines = ["Usage: tributary server [options]", "", "Runs the Tributary server.", "", "Options:", ...optionHelpLines(serverOptions)];
  lines.push("", "Environment:", `  ${masterKeyEnvName}`.padEnd(28) + "the master key itself (base64 of 32 bytes), instead of --master-key-file");
  return lines.join("\n");
}
