/**
 * The package's main entry: a Tributary server inside a test suite's own process, as kinesalite
 * offers (docs/testing.md). The options are the CLI's (`tributary server --help`) in camelCase and
 * are checked by the same rules; the defaults suit tests: a free port, memory storage, streams
 * ACTIVE at once.
 *
 * @example
 *   import { startServer } from "tributary-server";
 *   const server = await startServer({ init: { streams: [{ StreamName: "orders", ShardCount: 1 }] } });
 *   // … point the AWS SDK at server.url …
 *   await server.close();
 *
 * It does not load the command line (src/cli), and it reads no TRIBUTARY_* variable: what a test
 * passes is what it gets.
 */
import { startConfiguredServer, StartError } from "./server/start-server.js";
import { resolveOptions, serverOptions } from "./server/server-options.js";
import type { RunningApp } from "./server/app.js";
import type { DroppedState } from "./server/drop-all-state.js";
import { systemClock } from "./util/clock.js";
import { systemRandom } from "./util/random.js";
import { createLogger, type LogFormat, type LogLevel } from "./util/logger.js";

export { StartError };
export type { DroppedState };

/** One entry of `init.streams`: a CreateStream request, plus the consumers to register on the stream. */
export interface InitStream {
  StreamName: string;
  ShardCount?: number;
  StreamModeDetails?: { StreamMode: "PROVISIONED" | "ON_DEMAND" };
  Tags?: Record<string, string>;
  Consumers?: string[];
  [member: string]: unknown;
}

/** What `--init` reads: CreateStream, CreateTable, CreateBucket, CreateFunction, CreateDeliveryStream and CreateApplication requests (docs/testing.md). */
export interface InitDocument {
  streams?: InitStream[];
  tables?: Record<string, unknown>[];
  buckets?: { Bucket: string }[];
  /** CreateFunction requests, each with an optional `EventSourceMappings` list of CreateEventSourceMapping requests. */
  functions?: Record<string, unknown>[];
  deliveryStreams?: Record<string, unknown>[];
  /** Glue CreateDatabase requests, each with an optional `Tables` list of CreateTable requests. */
  glueDatabases?: Record<string, unknown>[];
  /** CreateApplication (v1) requests, each with an optional `StartApplication` member. */
  applications?: Record<string, unknown>[];
}

export interface StartServerOptions {
  /** Default 0: a free port, reported in `url` and `port`. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Default "memory": nothing is written to disk. "embedded" keeps data in `dataDir`. "nats" keeps
   * it in the NATS JetStream cluster at `natsUrl`, which any number of servers share (docs/cluster.md).
   */
  storage?: "memory" | "embedded" | "nats";
  /** Where "embedded" storage keeps its data (and `tls` its certificate); default ./data. */
  dataDir?: string;
  fsync?: "always" | "interval" | "never";
  /** For storage "nats": the NATS server URLs, comma-separated (`nats://127.0.0.1:4222`). */
  natsUrl?: string;
  /** A NATS credentials file. */
  natsCreds?: string;
  /** A PEM file of the CA of the NATS servers' certificates: connects with TLS. */
  natsTlsCa?: string;
  /** Replicas of every JetStream stream and bucket; default "auto" (3 on a cluster of 3 or more servers, else 1). */
  natsReplicas?: number | "auto";
  /** Prefix of every JetStream name and subject; default "tributary". */
  natsPrefix?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default 000000000000. */
  accountId?: string;
  /** How long a new stream (and consumer) stays CREATING; default 0 here (the CLI's is 500). */
  createStreamMs?: number;
  /** Default 0 here (the CLI's is 500). */
  deleteStreamMs?: number;
  /** Default 0 here (the CLI's is 500). */
  updateStreamMs?: number;
  shardLimit?: number;
  /** "aws" (default: AWS's throughput and call rates) or "off". */
  limits?: "aws" | "off";
  /** Default "warn": log lines (JSON, to stderr) only for what needs attention. */
  logLevel?: LogLevel;
  /** Default "json" here: log lines as JSON (the CLI's "auto" is pretty on a terminal). */
  logFormat?: "auto" | "pretty" | "json";
  /** Default false here (the CLI's is true): one info line per request. */
  accessLog?: boolean;
  /** Default "on": record CloudWatch-shaped metrics (docs/metrics.md). */
  metrics?: "on" | "off";
  metricsRetentionHours?: number;
  /** Streams, consumers and tables to create before `startServer` resolves: a document or a JSON file's path. */
  init?: InitDocument | string;
  /** Fault injection rules (docs/fault-injection.md): a document or a JSON file's path. */
  faults?: Record<string, unknown> | string;
  /** The master key for encryption at rest, base64 of 32 bytes (docs/encryption.md). */
  masterKey?: string;
  masterKeyFile?: string;
  /** Serve TLS too, with a self-signed certificate kept in `dataDir`/tls. */
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** "none" (default) or "sigv4" with `credentialsFile` (docs/auth.md). */
  auth?: "none" | "sigv4";
  credentialsFile?: string;
  allowUnauthenticated?: boolean;
  /**
   * Lambda functions (docs/lambda.md): "auto" (default) runs them on a loopback host or with
   * `auth: "sigv4"` and refuses to start elsewhere; "on" runs them anyway; "off" never runs them.
   */
  functions?: "auto" | "on" | "off";
  /** An external S3-compatible endpoint for the server's own object writes (docs/s3.md), with its credentials. */
  s3Endpoint?: string;
  s3Region?: string;
  s3AccessKeyId?: string;
  s3SecretAccessKey?: string;
  s3ForcePathStyle?: boolean;
  /** A PEM file of CA certificates Firehose's HTTPS destinations and `s3Endpoint` trust besides Node's own (docs/firehose.md). */
  firehoseCaFile?: string;
}

export interface TributaryServer {
  /** http://host:port, the endpoint to give the AWS SDK. */
  url: string;
  /** https://host:port when TLS is on. */
  tlsUrl?: string;
  port: number;
  region: string;
  accountId: string;
  /** Drops all state and re-applies `init`, as POST /_tributary/reset does. */
  reset(): Promise<DroppedState>;
  /** Graceful stop: finishes the requests in flight, then releases the port (and the data directory). */
  close(): Promise<void>;
}

/** Embedding defaults that differ from the CLI's. */
const embeddingDefaults: Readonly<Record<string, string>> = {
  port: "0",
  storage: "memory",
  "create-stream-ms": "0",
  "delete-stream-ms": "0",
  "update-stream-ms": "0",
  "log-level": "warn",
  "log-format": "json",
  "access-log": "false",
};

const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());

/**
 * Starts a server; resolves once it listens with `init` applied. A bad option or file rejects
 * with a StartError whose message says what is wrong (`port must be an integer from 0 to 65535, got 70000`).
 */
export async function startServer(options: StartServerOptions = {}): Promise<TributaryServer> {
  const byName = new Map(serverOptions.map((spec) => [camelCase(spec.flag), spec]));
  const given: Record<string, string | undefined> = { ...embeddingDefaults };
  let initDocument: unknown;
  let faultsDocument: unknown;
  let masterKey: { text: string; name: string } | undefined;
  let s3SecretAccessKey: string | undefined;
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (name === "s3SecretAccessKey") {
      s3SecretAccessKey = String(value);
      continue;
    }
    if (name === "masterKey") {
      masterKey = { text: String(value), name: "the masterKey option" };
      continue;
    }
    if (name === "init" && typeof value !== "string") {
      initDocument = value;
      continue;
    }
    if (name === "faults" && typeof value !== "string") {
      faultsDocument = value;
      continue;
    }
    const spec = byName.get(name);
    if (spec === undefined) throw new StartError(`unknown option ${name}`);
    given[spec.flag] = String(value);
  }
  const resolved = resolveOptions(serverOptions, given, {}, camelCase);
  if (!resolved.ok) throw new StartError(resolved.message);
  const values = resolved.values;
  const logger = createLogger(values["log-level"] as LogLevel, values["log-format"] as LogFormat);
  const { app } = await startConfiguredServer(
    {
      values,
      ...(masterKey && { masterKey }),
      ...(initDocument !== undefined && { initDocument }),
      ...(faultsDocument !== undefined && { faultsDocument }),
      ...(s3SecretAccessKey !== undefined && { s3SecretAccessKey }),
    },
    { clock: systemClock, random: systemRandom, logger },
  );
  return serverOf(app, String(values.region), String(values["account-id"]));
}

function serverOf(app: RunningApp, region: string, accountId: string): TributaryServer {
  return {
    url: app.url,
    ...(app.tlsUrl !== undefined && { tlsUrl: app.tlsUrl }),
    port: app.port,
    region,
    accountId,
    reset: () => app.reset(),
    close: () => app.stop(),
  };
}
