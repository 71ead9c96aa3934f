/**
 * Starts a real Tributary server on port 0 for one test file, or points at another endpoint when
 * TRIBUTARY_TEST_ENDPOINT is set (the conformance suite then runs against that endpoint).
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { startApp, requestBytesMaxDefault, type RunningApp } from "../../src/server/app.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { systemClock, type Clock } from "../../src/util/clock.js";
import { systemRandom, type Random } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { CredentialsFile } from "../../src/auth/credentials-file.js";
import type { TlsMaterial } from "../../src/server/tls.js";
import type { AppServiceModule } from "../../src/server/services.js";
import type { ConnectionLimits } from "../../src/server/connection-limits.js";
import type { S3EndpointConfig } from "../../src/storage/object-client/index.js";
import { defaultStreamsConfig, type LimitsMode, type StreamsConfig, type StreamsService } from "../../src/streams/index.js";

export interface TestServer {
  url: string;
  region: string;
  accountId: string;
  /** Undefined when the tests run against a remote endpoint. */
  app?: TestApp;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  streams?: Partial<StreamsConfig>;
  storage?: StorageEngine;
  /**
   * Serve from the embedded engine on this data directory (instead of memory). Starting a server
   * again on the same directory after `stop()` is a restart.
   */
  dataDir?: string;
  clock?: Clock;
  /** The services' randomness (a SeededRandom for a replayable draw); the storage engine keeps the system's. */
  random?: Random;
  requestBytesMax?: number;
  /**
   * AWS's throughput and call-rate limits and on-demand scaling (docs/limits.md). Off unless a
   * test asks for "aws": many tests write far more than a shard's 1,000 records a second and call
   * faster than AWS's API rates. The CLI's default stays "aws".
   */
  limits?: LimitsMode;
  /**
   * Start with `--auth sigv4` against this credentials file (docs/auth.md); `--auth none` when
   * omitted. The file is checked for changes on lookups at most every `credentialsCheckIntervalMs`.
   */
  credentialsFile?: string;
  credentialsCheckIntervalMs?: number;
  /** Also serve TLS on the same port with this certificate and key (`app.tlsUrl`). */
  tls?: TlsMaterial;
  /** The services to run instead of src/server/services.ts's list (a test adds its own: test/server/example-service.test.ts). */
  services?: readonly AppServiceModule[];
  /** Connection deadlines (src/server/connection-limits.ts), e.g. a short body idle deadline. */
  connections?: Partial<ConnectionLimits>;
  /** `--s3-endpoint`: where the services' own object writes go. */
  s3Endpoint?: S3EndpointConfig;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const remote = process.env.TRIBUTARY_TEST_ENDPOINT;
  if (remote) {
    return {
      url: remote,
      region: process.env.TRIBUTARY_TEST_REGION ?? "us-east-1",
      accountId: process.env.TRIBUTARY_TEST_ACCOUNT_ID ?? "000000000000",
      stop: async () => {},
    };
  }
  const streams: StreamsConfig = {
    ...defaultStreamsConfig,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    limits: options.limits ?? "off",
    ...options.streams,
  };
  const clock = options.clock ?? systemClock;
  const storage =
    options.storage ??
    (options.dataDir !== undefined
      ? await createEmbeddedEngine({ dataDir: options.dataDir, fsync: "never", clock, random: systemRandom, logger: silentLogger, accountId: streams.accountId })
      : createMemoryEngine(systemRandom));
  const app = await startApp({
    clock,
    random: options.random ?? systemRandom,
    logger: silentLogger,
    storage,
    ...(options.services !== undefined && { services: options.services }),
    config: {
      host: "127.0.0.1",
      port: 0,
      requestBytesMax: options.requestBytesMax ?? requestBytesMaxDefault,
      accountId: streams.accountId,
      region: streams.region,
      streams,
      ...(options.tls !== undefined && { tls: options.tls }),
      ...(options.connections !== undefined && { connections: options.connections }),
      ...(options.s3Endpoint !== undefined && { s3Endpoint: options.s3Endpoint }),
      ...(options.credentialsFile !== undefined && {
        auth: {
          mode: "sigv4" as const,
          credentials: await CredentialsFile.open({
            path: options.credentialsFile,
            clock,
            logger: silentLogger,
            ...(options.credentialsCheckIntervalMs !== undefined && { checkIntervalMs: options.credentialsCheckIntervalMs }),
          }),
        },
      }),
    },
  });
  return { url: app.url, region: streams.region, accountId: streams.accountId, app: testApp(app), stop: () => app.stop() };
}

/** A running app with its Kinesis service at hand (`app.streams`): the one serving now, as a reset replaces it. */
export type TestApp = RunningApp & { readonly streams: StreamsService };

export function testApp(app: RunningApp): TestApp {
  return Object.defineProperty(app, "streams", { get: () => app.service<StreamsService>("kinesis")!, enumerable: true }) as TestApp;
}

/** An SDK client with its default configuration (HTTP/2), changed only by the endpoint (and the credentials, when given). */
export function kinesisClient(server: TestServer, credentials: TestCredentials = exampleCredentials): KinesisClient {
  return new KinesisClient({ endpoint: server.url, region: server.region, credentials });
}

export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What kinesisClient signs with by default; a server with --auth none accepts any key. */
export const exampleCredentials: TestCredentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

let counter = 0;
/** A stream name unique to this process run. */
export function randomStreamName(prefix = "test"): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
