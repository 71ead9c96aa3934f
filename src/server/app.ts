/**
 * Composes a Tributary node: storage engine, services and the HTTP listener, from one deps
 * object. The CLI and the tests both start servers through here.
 */
import { startHttpServer, type RunningServer } from "./create-server.js";
import { createStreamsService, type FaultConfig, type StreamsConfig, type StreamsService } from "../streams/index.js";
import { faultsRoute } from "./faults-route.js";
import { createDynamoDbService } from "../dynamodb/index.js";
import type { TlsMaterial } from "./tls.js";
import { anonymousAuthenticator, type Authenticator } from "../auth/principal.js";
import { sigV4Authenticator } from "../auth/sigv4/index.js";
import type { CredentialsFile } from "../auth/credentials-file.js";
import type { StorageEngine } from "../storage/types.js";
import type { MasterKeySource } from "../storage/encryption/index.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

export interface AppConfig {
  host: string;
  port: number;
  requestBytesMax: number;
  streams: StreamsConfig;
  /** Fault injection rules installed at start (`--faults`, docs/fault-injection.md). */
  faults?: FaultConfig;
  /** Serve TLS on the same port as well (`--tls-cert`/`--tls-key`, `--tls`). */
  tls?: TlsMaterial;
  /** `--auth` (docs/auth.md): none (the default) or SigV4 against a credentials file, which the app closes at stop. */
  auth?: AuthConfig;
  /** How long a new DynamoDB table stays CREATING (docs/dynamodb.md); 0, ACTIVE at once, by default. */
  dynamoDbCreateTableMs?: number;
}

export type AuthConfig = { mode: "none" } | { mode: "sigv4"; credentials: CredentialsFile };

export interface AppDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: AppConfig;
  storage: StorageEngine;
  /** The master key for encryption at rest (docs/encryption.md); by default one kept in memory only. */
  masterKey?: MasterKeySource;
}

export interface RunningApp {
  url: string;
  /** The https:// URL of the same port, when TLS is on. */
  tlsUrl?: string;
  port: number;
  streams: StreamsService;
  /** Graceful stop: no new work, finish what is in flight, make storage durable. */
  stop(): Promise<void>;
}

/**
 * 14 MiB: a maximal PutRecords (10 MiB of data and partition keys, the most any stream takes since
 * AWS's large records) base64-encodes to 13.34 MiB, leaving over 600 KiB for the JSON around it.
 */
export const requestBytesMaxDefault = 14 * 1024 * 1024;

export async function startApp(deps: AppDeps): Promise<RunningApp> {
  const streams = createStreamsService({ ...deps, config: deps.config.streams, faults: deps.config.faults });
  try {
    // A wrong or missing master key stops the start here, naming the key the data needs.
    await streams.context.keyRing.verify(deps.storage.catalog.list());
  } catch (error) {
    closeCredentials(deps);
    await deps.storage.close();
    throw error;
  }
  streams.start();
  const { region, accountId } = deps.config.streams;
  const dynamoDb = createDynamoDbService({ ...deps, config: { region, accountId, createTableMs: deps.config.dynamoDbCreateTableMs ?? 0 } });
  let http: RunningServer;
  try {
    http = await startHttpServer({
      config: { host: deps.config.host, port: deps.config.port, requestBytesMax: deps.config.requestBytesMax, tls: deps.config.tls },
      services: [streams, dynamoDb],
      logger: deps.logger,
      health: () => ({ storage: deps.storage.name }),
      // The fault admin endpoint has no authentication of its own: not served where signatures are checked.
      routes: deps.config.auth?.mode === "sigv4" ? [] : [faultsRoute(streams.faults)],
      authenticator: authenticatorFor(deps),
    });
  } catch (error) {
    closeCredentials(deps);
    await streams.stop();
    await deps.storage.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    ...(http.tlsUrl !== undefined && { tlsUrl: http.tlsUrl }),
    port: http.port,
    streams,
    stop() {
      stopping ??= (async () => {
        await http.close();
        closeCredentials(deps);
        await streams.stop();
        await deps.storage.close();
      })();
      return stopping;
    },
  };
}

function authenticatorFor(deps: AppDeps): Authenticator {
  const auth = deps.config.auth;
  if (auth === undefined || auth.mode === "none") return anonymousAuthenticator(deps.config.streams.accountId);
  return sigV4Authenticator({ region: deps.config.streams.region, credentials: auth.credentials, clock: deps.clock });
}

/** Stops the credentials file's watch; the app owns the file once it is given one. */
function closeCredentials(deps: AppDeps): void {
  if (deps.config.auth?.mode === "sigv4") deps.config.auth.credentials.close();
}
