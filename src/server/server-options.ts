/**
 * The server's options, one table for every way of starting it: `tributary server` reads them from
 * flags and TRIBUTARY_* variables (src/cli/server-options.ts adds the command-line parsing and
 * help), `startServer` (src/index.ts) from its camelCase options, and both check values with the
 * same rules and word a bad one the same way. Each flag has a TRIBUTARY_<FLAG> environment
 * variable (`--data-dir` ↔ TRIBUTARY_DATA_DIR); a flag on the command line wins over the environment.
 */
import type { S3EndpointConfig } from "../storage/object-client/object-client.js";

export interface OptionSpec {
  flag: string;
  description: string;
  defaultValue: string;
  parse: (text: string) => string | number | undefined;
  /**
   * What a valid value is, worded to follow "must be" in an error (`--port must be an integer
   * from 0 to 65535, got 70000`); options whose parse accepts anything leave it out.
   */
  allowed?: string;
  /** A switch: `--flag` alone on the command line means "true"; its variable takes true/false (or 1/0). */
  boolean?: true;
}

/** A parse function and the wording of what it accepts, kept together so the two cannot drift apart. */
type ValueRule = Pick<OptionSpec, "parse" | "allowed">;

const integer = (min: number, max: number): ValueRule => ({
  allowed: `an integer from ${min} to ${max}`,
  parse: (text) => {
    if (!/^\d+$/.test(text)) return undefined;
    const value = Number(text);
    return value >= min && value <= max ? value : undefined;
  },
});
const oneOf = (...choices: string[]): ValueRule => ({
  allowed: `one of ${choices.join(", ")}`,
  parse: (value) => (choices.includes(value) ? value : undefined),
});
const matching = (pattern: RegExp, allowed: string): ValueRule => ({ allowed, parse: (value) => (pattern.test(value) ? value : undefined) });
/** A path or other free text: the option checks it when it is used (a file that cannot be read stops the start). */
const anyText: ValueRule = { parse: (value) => value };
/** `auto`, or how many copies JetStream keeps (its limit is 5). */
const natsReplicasRule: ValueRule = {
  allowed: "auto or an integer from 1 to 5",
  parse: (value) => (value === "auto" ? value : /^[1-5]$/.test(value) ? Number(value) : undefined),
};
const switchRule: ValueRule = {
  allowed: "true or false (or 1 or 0)",
  parse: (value) => (/^(true|1)$/i.test(value) ? "true" : /^(false|0)$/i.test(value) ? "false" : undefined),
};

export const serverOptions: readonly OptionSpec[] = [
  { flag: "host", description: "address to listen on", defaultValue: "127.0.0.1", ...matching(/^[0-9a-zA-Z.:_-]+$/, "a host name or IP address (letters, digits and . : _ -)") },
  { flag: "port", description: "port to listen on (0 picks a free one)", defaultValue: "4567", ...integer(0, 65535) },
  { flag: "data-dir", description: "directory that holds all stored data (unused with --storage memory)", defaultValue: "./data", ...matching(/^.+$/, "a directory path") },
  { flag: "region", description: "AWS region reported in ARNs", defaultValue: "us-east-1", ...matching(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region name such as us-east-1") },
  { flag: "account-id", description: "12-digit AWS account id reported in ARNs and errors", defaultValue: "000000000000", ...matching(/^\d{12}$/, "12 digits") },
  { flag: "storage", description: "storage engine: embedded (durable, on disk), memory, or nats (a NATS JetStream cluster every node shares)", defaultValue: "embedded", ...oneOf("embedded", "memory", "nats") },
  { flag: "fsync", description: "when appends are made durable: always, interval or never", defaultValue: "always", ...oneOf("always", "interval", "never") },
  // docs/cluster.md: --storage nats. Any one reachable URL is enough; the client learns the rest of the cluster.
  { flag: "nats-url", description: "NATS server URLs for --storage nats, comma-separated (nats://host:4222,…)", defaultValue: "", ...matching(/^$|^(nats|tls):\/\/[^\s,/]+(,(nats|tls):\/\/[^\s,/]+)*$/, "nats:// or tls:// URLs separated by commas") },
  { flag: "nats-creds", description: "NATS credentials file (JWT and NKey seed) for --storage nats", defaultValue: "", ...anyText },
  { flag: "nats-tls-ca", description: "PEM file of the CA that signed the NATS servers' certificates (connects with TLS)", defaultValue: "", ...anyText },
  { flag: "nats-replicas", description: "replicas of every JetStream stream and bucket: 1 to 5, or auto (3 on a cluster of 3 or more servers, else 1)", defaultValue: "auto", ...natsReplicasRule },
  { flag: "nats-prefix", description: "prefix of every JetStream stream, bucket and subject, so deployments can share a cluster", defaultValue: "tributary", ...matching(/^[A-Za-z0-9_-]{1,32}$/, "1 to 32 letters, digits, - or _") },
  { flag: "create-stream-ms", description: "how long a new stream stays CREATING", defaultValue: "500", ...integer(0, 600_000) },
  { flag: "delete-stream-ms", description: "how long a deleted stream stays DELETING", defaultValue: "500", ...integer(0, 600_000) },
  { flag: "update-stream-ms", description: "how long an updated stream stays UPDATING", defaultValue: "500", ...integer(0, 600_000) },
  { flag: "shard-limit", description: "the account's shard quota", defaultValue: "500", ...integer(1, 1_000_000) },
  // docs/limits.md: per-shard throughput, API call rates and on-demand scaling; off for load tests.
  { flag: "limits", description: "throughput and API rate limits: aws (as AWS enforces them) or off", defaultValue: "aws", ...oneOf("aws", "off") },
  { flag: "log-level", description: "silent, error, warn, info or debug", defaultValue: "info", ...oneOf("silent", "error", "warn", "info", "debug") },
  // docs/metrics.md: pretty for a terminal, JSON lines otherwise (auto: pretty when stderr is a terminal).
  { flag: "log-format", description: "log lines: auto (pretty on a terminal, JSON otherwise), pretty or json", defaultValue: "auto", ...oneOf("auto", "pretty", "json") },
  { flag: "access-log", description: "one info line per request (id, service, action, resource, status, latency, bytes)", defaultValue: "true", ...switchRule, boolean: true },
  // docs/metrics.md: CloudWatch-shaped metrics (the CloudWatch API, the console) and Prometheus' /metrics.
  { flag: "metrics", description: "record metrics: on or off", defaultValue: "on", ...oneOf("on", "off") },
  { flag: "metrics-retention-hours", description: "how long one-minute metrics are kept", defaultValue: "24", ...integer(1, 24 * 15) },
  // docs/testing.md: read and applied before the server listens; a bad file or entry stops the start.
  { flag: "init", description: "JSON file of streams, tables, buckets, functions, delivery streams, Glue databases and SQL applications to create at start (idempotent)", defaultValue: "", ...anyText },
  // Any path: the file is read and its rules checked when the server starts (docs/fault-injection.md).
  { flag: "faults", description: "JSON file of fault injection rules", defaultValue: "", ...anyText },
  // docs/encryption.md: read once at start. Without it (and without TRIBUTARY_MASTER_KEY) the
  // server generates a key in the data directory the first time a stream is encrypted.
  { flag: "master-key-file", description: "file holding the master key for encryption at rest (base64 of 32 bytes)", defaultValue: "", ...anyText },
  // TLS on the same port as plain HTTP (README): a certificate and key of one's own, or --tls for
  // a self-signed pair generated in the data directory on first start.
  { flag: "tls-cert", description: "PEM certificate (chain) to serve TLS with, on the same port; needs --tls-key", defaultValue: "", ...anyText },
  { flag: "tls-key", description: "PEM private key of --tls-cert", defaultValue: "", ...anyText },
  { flag: "tls", description: "serve TLS too, with a self-signed certificate kept in <data-dir>/tls", defaultValue: "false", ...switchRule, boolean: true },
  // docs/auth.md: none accepts any well-formed request as the configured account; sigv4 checks
  // AWS signatures against the credentials file. Off loopback, none needs --allow-unauthenticated.
  { flag: "auth", description: "authentication: none (loopback only, unless --allow-unauthenticated) or sigv4", defaultValue: "none", ...oneOf("none", "sigv4") },
  { flag: "credentials-file", description: "JSON file of access keys, principals and policies for --auth sigv4; reloaded on change", defaultValue: "", ...anyText },
  { flag: "allow-unauthenticated", description: "allow --auth none on an address other than loopback", defaultValue: "false", ...switchRule, boolean: true },
  // docs/lambda.md: a function is arbitrary code run as the server's user, so auto runs functions
  // only where the callers are this machine (loopback) or signed (--auth sigv4); see functionsEnabledOf.
  { flag: "functions", description: "run Lambda functions: auto (only on loopback or with --auth sigv4), on or off", defaultValue: "auto", ...oneOf("auto", "on", "off") },
  // docs/s3.md: where the server's own object writes go (Firehose delivery, Lambda failure
  // destinations, Analytics reference data). The S3 API on this port always serves the built-in store.
  { flag: "s3-endpoint", description: "external S3-compatible endpoint (http(s) URL) for the server's own object writes; default: the built-in store", defaultValue: "", ...matching(/^$|^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, "an http:// or https:// URL") },
  { flag: "s3-region", description: "region to sign --s3-endpoint requests for; none means --region", defaultValue: "", ...matching(/^$|^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region name such as us-east-1") },
  { flag: "s3-access-key-id", description: "access key for --s3-endpoint (its secret: TRIBUTARY_S3_SECRET_ACCESS_KEY)", defaultValue: "", ...anyText },
  { flag: "s3-force-path-style", description: "address --s3-endpoint buckets by path (/bucket/key) rather than by host", defaultValue: "true", ...switchRule, boolean: true },
  // docs/firehose.md: read once at start; trusted besides Node's own CA list, for receivers behind a private CA.
  { flag: "firehose-ca-file", description: "PEM file of extra CA certificates trusted for Firehose's HTTPS destinations and --s3-endpoint", defaultValue: "", ...anyText },
];

/** The secret of --s3-access-key-id: environment only, so it never shows in a process listing. */
export const s3SecretEnvName = "TRIBUTARY_S3_SECRET_ACCESS_KEY";

/** An external S3-compatible endpoint for the server's own object writes (--s3-endpoint): the object client's. */
export type { S3EndpointConfig } from "../storage/object-client/object-client.js";

/**
 * The --s3-endpoint settings, or the reason they cannot start (a string), or undefined when no
 * endpoint is set. The secret comes from `secret` (TRIBUTARY_S3_SECRET_ACCESS_KEY, or the
 * embedding API's option), never from a flag.
 */
export function s3EndpointOf(values: ServerOptionValues, secret: string | undefined): S3EndpointConfig | string | undefined {
  const url = String(values["s3-endpoint"]);
  const accessKeyId = String(values["s3-access-key-id"]);
  if (url === "") {
    if (accessKeyId !== "" || secret !== undefined) return `--s3-access-key-id and ${s3SecretEnvName} are used only with --s3-endpoint`;
    return undefined;
  }
  if (accessKeyId === "" || secret === undefined || secret === "") return `--s3-endpoint needs --s3-access-key-id and ${s3SecretEnvName}`;
  const region = String(values["s3-region"]) || String(values.region);
  return { url, region, accessKeyId, secretAccessKey: secret, forcePathStyle: values["s3-force-path-style"] === "true" };
}

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

/**
 * Whether Lambda functions run on this server (`--functions`), or the reason the options cannot
 * start (a string). `auto` runs them where only this machine can call (a loopback address) or
 * every caller is signed (--auth sigv4); anywhere else the operator chooses, on or off.
 */
export function functionsEnabledOf(values: ServerOptionValues): boolean | string {
  if (values.functions === "on") return true;
  if (values.functions === "off") return false;
  const host = String(values.host);
  if (isLoopbackHost(host) || values.auth === "sigv4") return true;
  return (
    `refusing to run Lambda functions (arbitrary code, as this server's user) for unauthenticated callers on ${host}: ` +
    "pass --functions off to serve without them, or --functions on to run them anyway"
  );
}

export function envName(flag: string): string {
  return "TRIBUTARY_" + flag.toUpperCase().replace(/-/g, "_");
}

export type ServerOptionValues = Record<string, string | number>;

export type ResolveOutcome = { ok: true; values: ServerOptionValues } | { ok: false; message: string };

/** Combines command-line values, the environment and defaults; reports the first bad value and what would be valid. */
export function resolveOptions(
  specs: readonly OptionSpec[],
  cliValues: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  givenName: (flag: string) => string = (flag) => `--${flag}`,
): ResolveOutcome {
  const values: ServerOptionValues = {};
  for (const spec of specs) {
    const fromCli = cliValues[spec.flag];
    const fromEnv = env[envName(spec.flag)];
    const raw = fromCli ?? fromEnv ?? spec.defaultValue;
    const parsed = spec.parse(raw);
    if (parsed === undefined) {
      const source = fromCli !== undefined ? givenName(spec.flag) : fromEnv !== undefined ? envName(spec.flag) : `the default of --${spec.flag}`;
      return { ok: false, message: `${source} must be ${spec.allowed ?? spec.description}, got ${shownValue(raw)}` };
    }
    values[spec.flag] = parsed;
  }
  return { ok: true, values };
}

/** A rejected value as an error line shows it: bare when plain, quoted when empty or odd, cut when long, never over two lines. */
export function shownValue(raw: string): string {
  const shownCharsMax = 100;
  const cut = raw.length > shownCharsMax ? raw.slice(0, shownCharsMax) + "..." : raw;
  return /^[\x21-\x7e]+$/.test(cut) ? cut : JSON.stringify(cut);
}

export function resolveServerOptions(
  cliValues: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolveOutcome {
  return resolveOptions(serverOptions, cliValues, env);
}

