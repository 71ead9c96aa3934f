/**
 * Composes a Tributary node: storage engine, services and the HTTP listener, from one deps
 * object. The CLI and the tests both start servers through here.
 */
import { startHttpServer, type RunningServer } from "./create-server.js";
import type { FaultConfig, StreamsOptions } from "../streams/index.js";
import { resetRoute } from "./reset-route.js";
import { ClusterResets } from "./cluster-reset.js";
import { processLocalEngine } from "../storage/work-leases.js";
import { adminHttpRoute } from "./admin-route.js";
import { ServiceGate, gatedRestApi, gatedService, gatedStreamingApi } from "./service-gate.js";
import { services as builtinServices, type AppServiceModule } from "./services.js";
import { dropAllState, type DroppedState } from "./drop-all-state.js";
import { provision } from "./init-provision.js";
import type { InitDocument } from "./init-file.js";
import type { S3EndpointConfig } from "./server-options.js";
import type { ProcessSettings, ServiceInstance } from "../protocol/service-module.js";
import type { TlsMaterial } from "./tls.js";
import type { ConnectionLimits } from "./connection-limits.js";
import { anonymousAuthenticator, type Authenticator, type Principal } from "../auth/principal.js";
import { sigV4Authenticator } from "../auth/sigv4/index.js";
import type { CredentialsFile } from "../auth/credentials-file.js";
import type { StorageEngine } from "../storage/types.js";
import { objectClientFor } from "../storage/object-client/object-client-for.js";
import type { ObjectClient } from "../storage/object-client/object-client.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { FunctionInvoker } from "../storage/function-invoker.js";
import type { SchemaCatalog } from "../storage/schema-catalog.js";
import type { DeliveryStreamAccess } from "../storage/delivery-stream-access.js";
import type { LambdaOptions } from "../lambda/action.js";
import type { FirehoseOptions } from "../firehose/index.js";
import type { MasterKeySource } from "../streams/encryption/crypto/index.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { Metrics, MetricsReader } from "../core/metrics.js";
import { MetricsStore } from "../storage/metrics/metrics-store.js";
import type { SitePage } from "./create-server.js";
import { embeddedStreamDiskBytes, prometheusPage } from "./prometheus/index.js";

export interface AppConfig {
  host: string;
  port: number;
  requestBytesMax: number;
  /** `--account-id`: the account of callers under `--auth none` (ProcessSettings); 000000000000 when absent. */
  accountId?: string;
  /** `--region`: the region of every ARN and credential scope; us-east-1 when absent. */
  region?: string;
  /** The Data Streams service's own options (`--create-stream-ms`, `--limits`…). */
  streams: StreamsOptions;
  /** Fault injection rules installed at start (`--faults`, docs/fault-injection.md). */
  faults?: FaultConfig;
  /** Serve TLS on the same port as well (`--tls-cert`/`--tls-key`, `--tls`). */
  tls?: TlsMaterial;
  /** `--auth` (docs/auth.md): none (the default) or SigV4 against a credentials file, which the app closes at stop. */
  auth?: AuthConfig;
  /** How long a new DynamoDB table stays CREATING (docs/dynamodb.md); 0, ACTIVE at once, by default. */
  dynamoDbCreateTableMs?: number;
  /** Connection deadlines and cap (src/server/connection-limits.ts); AWS-like defaults. */
  connections?: Partial<ConnectionLimits>;
  /**
   * Streams, consumers and tables to create before the server listens (`--init`, docs/testing.md),
   * idempotently; applied again after a reset. A bad entry stops the start with an InitError.
   */
  init?: InitDocument;
  /** `--s3-endpoint`: where the services' own object writes go instead of the built-in store (docs/s3.md). */
  s3Endpoint?: S3EndpointConfig;
  /** Lambda (`--functions`, docs/lambda.md): whether functions run here and where sandboxes live. */
  lambda?: LambdaOptions;
  /** Firehose's own options (`--firehose-ca-file`, docs/firehose.md). */
  firehose?: Partial<FirehoseOptions>;
  /** `--metrics` (docs/metrics.md): whether services record metrics; on when absent. */
  metrics?: MetricsConfig;
  /** `--access-log` (docs/logging.md): one info line per request; off when absent. */
  accessLog?: boolean;
  /** The embedded engine's data directory, for /metrics' bytes on disk per stream (docs/prometheus.md); absent for the memory engine. */
  dataDir?: string;
}

export interface MetricsConfig {
  enabled: boolean;
  /** `--metrics-retention-hours`: how long one-minute data is kept; 24 when absent. */
  retentionHours?: number;
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
  /** The services to run, in start order; src/server/services.ts's list by default (tests add their own). */
  services?: readonly AppServiceModule[];
  /**
   * Pages for browsers and scrapers on the same port (the console at `/`, created-server.ts's
   * SitePage): asked about unsigned GET and HEAD requests before the AWS APIs.
   */
  pages?: (app: PagesContext) => readonly SitePage[];
}

/** What the pages the app serves (AppDeps.pages) read of it. */
export interface PagesContext {
  metrics: Metrics;
  config: ServiceConfig;
  /** The running instance of the named service, as RunningApp.service. */
  service(name: string): ServiceInstance<Principal> | undefined;
}

/** The app config with the process-wide settings resolved: what every service module reads. */
export type ServiceConfig = AppConfig & ProcessSettings;

/** What the app hands every service module (src/server/services.ts). */
export interface ServiceDeps extends Omit<AppDeps, "config" | "services"> {
  config: ServiceConfig;
  /**
   * Where a service's own object writes go (Firehose deliveries, Lambda failure destinations,
   * Analytics reference data): the built-in store, or `--s3-endpoint` (src/storage/object-client).
   */
  objectClient: ObjectClient;
  /**
   * Kinesis streams read from inside the process (Lambda's event source mappings, Firehose's and
   * Analytics' sources): the running instance's that exposes `streamAccess` (the streams service),
   * looked up at each call, so a reset's new instance serves it.
   */
  streamAccess: StreamAccess;
  /** Lambda functions run from inside the process (Firehose's transformations): the Lambda service's, looked up at each call. */
  functionInvoker: FunctionInvoker;
  /** Glue tables read from inside the process (Firehose's format conversion): the Glue service's, looked up at each call. */
  schemaCatalog: SchemaCatalog;
  /** Delivery streams read and written from inside the process (Analytics' inputs and outputs): the Firehose service's, looked up at each call. */
  deliveryStreamAccess: DeliveryStreamAccess;
  /** The server's own URL once it listens (AWS_ENDPOINT_URL for function sandboxes); undefined before. */
  endpointUrl: () => string | undefined;
  /** Where services record their CloudWatch metrics (src/core/metrics.ts); one store for the process, kept across resets. */
  metrics: Metrics;
}

/** The process-wide settings when the config leaves them out: the CLI's defaults. */
export const processSettingsDefault: ProcessSettings = { accountId: "000000000000", region: "us-east-1" };

export interface RunningApp {
  url: string;
  /** The https:// URL of the same port, when TLS is on. */
  tlsUrl?: string;
  port: number;
  /** The instance of the named service (ServiceModule.name) serving now: a reset replaces it. Undefined for a name not served. */
  service<T extends ServiceInstance<Principal> = ServiceInstance<Principal>>(name: string): T | undefined;
  /** The metrics services record (src/core/metrics.ts), as the CloudWatch API and /metrics read them. */
  metrics: MetricsReader;
  /** Graceful stop: no new work, finish what is in flight, make storage durable. */
  stop(): Promise<void>;
  /**
   * Drops all state — streams with their records, consumers and policies, tables, account
   * settings — and serves on as if just started: the start's fault rules installed, the init
   * document applied again. Requests that arrive meanwhile wait for it (docs/fault-injection.md).
   */
  reset(): Promise<DroppedState>;
}

/**
 * 14 MiB: a maximal PutRecords (10 MiB of data and partition keys, the most any stream takes since
 * AWS's large records) base64-encodes to 13.34 MiB, leaving over 600 KiB for the JSON around it.
 */
export const requestBytesMaxDefault = 14 * 1024 * 1024;

/** The running instances, in the modules' order, keyed by module name. */
type Services = ReadonlyMap<string, ServiceInstance<Principal>>;

export async function startApp(appDeps: AppDeps): Promise<RunningApp> {
  const modules = appDeps.services ?? builtinServices;
  const { accountId = processSettingsDefault.accountId, region = processSettingsDefault.region } = appDeps.config;
  // One store for the process, kept across resets; its minutes go to the engine (docs/metrics.md).
  const metricsStore = new MetricsStore(appDeps.clock, {
    enabled: appDeps.config.metrics?.enabled ?? true,
    accountId,
    retentionMinutes: (appDeps.config.metrics?.retentionHours ?? 24) * 60,
    storage: { tables: appDeps.storage.tables, random: appDeps.random, logger: appDeps.logger },
  });
  const deps: ServiceDeps = {
    ...appDeps,
    config: { ...appDeps.config, accountId, region },
    objectClient: objectClientFor({ storage: appDeps.storage, clock: appDeps.clock, region, ...(appDeps.config.s3Endpoint !== undefined && { s3Endpoint: appDeps.config.s3Endpoint }) }),
    streamAccess: streamAccessOf(() => services),
    functionInvoker: { invoke: (...args) => portOf<FunctionInvoker>(services, "functionInvoker").invoke(...args) },
    schemaCatalog: { getTable: (...args) => portOf<SchemaCatalog>(services, "schemaCatalog").getTable(...args) },
    deliveryStreamAccess: deliveryStreamAccessOf(() => services),
    endpointUrl: () => listeningUrl,
    metrics: metricsStore,
  };
  let listeningUrl: string | undefined;
  // Accounts whose settings were written while running: a reset clears them with the rest.
  const settingsAccounts = new Set<string>();
  const storage = recordingSettingsAccounts(deps.storage, settingsAccounts);
  let services = createServices(deps, modules, storage);
  try {
    // A service that cannot start (a wrong master key) stops the start; those before it are stopped.
    await startServices(services);
  } catch (error) {
    closeCredentials(deps);
    await deps.storage.close();
    throw error;
  }
  try {
    await prepareServices(deps, modules, services);
  } catch (error) {
    closeCredentials(deps);
    await stopServices(services);
    await deps.storage.close();
    throw error;
  }
  const authenticator = authenticatorFor(deps);
  const gate = new ServiceGate();
  const signed = deps.config.auth?.mode === "sigv4";
  const current = (name: string) => () => services.get(name)!;
  let http: RunningServer;
  try {
    http = await startHttpServer({
      config: { host: deps.config.host, port: deps.config.port, requestBytesMax: deps.config.requestBytesMax, tls: deps.config.tls, connections: deps.config.connections },
      services: [
        ...modules.filter((module) => services.get(module.name)!.rpc !== undefined).map((module) => gatedService(() => current(module.name)().rpc!, gate)),
        ...modules.flatMap((module) => (services.get(module.name)!.extraRpcs ?? []).map((_, index) => gatedService(() => current(module.name)().extraRpcs![index]!, gate))),
      ],
      ...(modules.some((module) => services.get(module.name)!.rest !== undefined) && {
        restApis: modules.filter((module) => services.get(module.name)!.rest !== undefined).map((module) => gatedRestApi(() => current(module.name)().rest!, gate)),
      }),
      ...(modules.some((module) => services.get(module.name)!.http !== undefined) && {
        streamingApis: modules.filter((module) => services.get(module.name)!.http !== undefined).map((module) => gatedStreamingApi(() => current(module.name)().http!, gate)),
      }),
      logger: deps.logger,
      health: () => servicesHealth(deps, services),
      random: deps.random,
      pages: [
        // Prometheus' /metrics whenever metrics are recorded (docs/prometheus.md); then the app's own pages (the console).
        ...(deps.metrics.enabled ? [prometheusPage({ metrics: deps.metrics, clock: deps.clock, ...(deps.config.dataDir !== undefined && { streamDiskBytes: embeddedStreamDiskBytes(deps.config.dataDir, deps.storage.catalog) }) })] : []),
        ...(appDeps.pages?.({ metrics: deps.metrics, config: deps.config, service: (name) => services.get(name) }) ?? []),
      ],
      accessLog: deps.config.accessLog === true,
      routes: [
        // A route with no authentication of its own is not served where signatures are checked.
        ...modules.flatMap((module) => module.adminRoutes?.(current(module.name)) ?? []).filter((route) => !(signed && route.unauthenticated)).map(adminHttpRoute),
        resetRoute({ reset: () => reset(), authenticator, signed }),
      ],
      authenticator,
    });
  } catch (error) {
    closeCredentials(deps);
    await stopServices(services);
    await deps.storage.close();
    throw error;
  }

  listeningUrl = http.url;
  let resetting: Promise<DroppedState> | undefined;
  const reset = (): Promise<DroppedState> => {
    // Calls that overlap join the reset under way: either way the state is fresh when they return.
    resetting ??= (async () => {
      await gate.close();
      try {
        await stopServices(services);
        let dropped: DroppedState;
        try {
          const accounts = new Set([deps.config.accountId, ...settingsAccounts, ...credentialAccounts(deps)]);
          dropped = await dropAllState(storage, accounts);
          settingsAccounts.clear();
        } finally {
          // Even after a failed drop (a storage error, reported to the caller) the server serves on.
          services = createServices(deps, modules, storage);
          await startServices(services);
        }
        await prepareServices(deps, modules, services);
        deps.logger.info({ ...dropped }, "all state dropped (reset)");
        const told = await clusterResets?.announce();
        if (told !== undefined && !told.ok) deps.logger.warn({ err: told.failure.message }, "the other nodes were not told of the reset; restart them");
        return dropped;
      } finally {
        gate.open();
        resetting = undefined;
      }
    })();
    return resetting;
  };
  // Another node's reset dropped the shared state: this node's services start afresh on what is left.
  const followReset = () => {
    const following = (resetting ??= (async () => {
      await gate.close();
      try {
        await stopServices(services);
        services = createServices(deps, modules, storage);
        await startServices(services);
        await prepareServices(deps, modules, services);
        deps.logger.info("services restarted after another node's reset");
        return { streams: 0, tables: 0 };
      } finally {
        gate.open();
        resetting = undefined;
      }
    })());
    following.catch((error: unknown) => deps.logger.error({ err: error }, "restarting the services after another node's reset failed"));
  };
  const clusterResets = processLocalEngine(deps.storage) ? undefined : new ClusterResets(deps.storage.catalog);
  await clusterResets?.follow(followReset);

  // Started once the server listens: a failed start has no timer to stop.
  metricsStore.start();
  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    ...(http.tlsUrl !== undefined && { tlsUrl: http.tlsUrl }),
    port: http.port,
    service: <T extends ServiceInstance<Principal>>(name: string) => services.get(name) as T | undefined,
    metrics: deps.metrics,
    reset,
    stop() {
      stopping ??= (async () => {
        await http.close();
        // A reset under way finishes first: it owns the services until it returns.
        await resetting?.catch(() => undefined);
        clusterResets?.stop();
        closeCredentials(deps);
        await stopServices(services);
        // After the services (they may record as they stop), before the engine closes: the last minutes are written.
        await metricsStore.stop();
        await deps.storage.close();
      })();
      return stopping;
    },
  };
}

/** The services on one storage engine, created afresh at start and by every reset. */
function createServices(deps: ServiceDeps, modules: readonly AppServiceModule[], storage: StorageEngine): Services {
  const services = new Map<string, ServiceInstance<Principal>>();
  for (const module of modules) services.set(module.name, module.create({ ...deps, storage }));
  return services;
}

/**
 * The internal port `key` of the running service that exposes one (a property of that name on its
 * instance): services reach each other's in-process interfaces only through these.
 */
function portOf<T>(services: Services, key: "streamAccess" | "functionInvoker" | "schemaCatalog" | "deliveryStreamAccess"): T {
  for (const service of services.values()) {
    const port = (service as unknown as Record<string, unknown>)[key];
    if (port !== undefined) return port as T;
  }
  throw new Error(`no running service provides ${key} (its service is not in the list)`);
}

/** A StreamAccess that asks the running service exposing one (the streams service) at each call. */
function streamAccessOf(services: () => Services): StreamAccess {
  const current = (): StreamAccess => portOf<StreamAccess>(services(), "streamAccess");
  return {
    describeStream: (streamArn) => current().describeStream(streamArn),
    describeConsumer: (consumerArn) => current().describeConsumer(consumerArn),
    readShard: (streamArn, shardId, position, limits) => current().readShard(streamArn, shardId, position, limits),
    watchShard: (streamArn, shardId, listener) => current().watchShard(streamArn, shardId, listener),
    putRecords: (streamArn, entries) => current().putRecords(streamArn, entries),
  };
}

/** A DeliveryStreamAccess that asks the running service exposing one (Firehose) at each call. */
function deliveryStreamAccessOf(services: () => Services): DeliveryStreamAccess {
  const current = (): DeliveryStreamAccess => portOf<DeliveryStreamAccess>(services(), "deliveryStreamAccess");
  return {
    describeDeliveryStream: (arn) => current().describeDeliveryStream(arn),
    positions: (arn, atTimeMs) => current().positions(arn, atTimeMs),
    readRecords: (arn, fromPosition, limits) => current().readRecords(arn, fromPosition, limits),
    watch: (arn, listener) => current().watch(arn, listener),
    putRecordBatch: (arn, records) => current().putRecordBatch(arn, records),
  };
}

/** Starts the services in list order; if one fails, those already started are stopped, in reverse. */
async function startServices(services: Services): Promise<void> {
  const started: ServiceInstance<Principal>[] = [];
  try {
    for (const service of services.values()) {
      await service.start();
      started.push(service);
    }
  } catch (error) {
    for (const service of started.reverse()) await service.stop();
    throw error;
  }
}

/** Stops the services in reverse list order. */
async function stopServices(services: Services): Promise<void> {
  for (const service of [...services.values()].reverse()) await service.stop();
}

/** `GET /health`'s detail: the storage engine, and each service's own part under its name. */
function servicesHealth(deps: ServiceDeps, services: Services): Record<string, unknown> {
  const health: Record<string, unknown> = { storage: deps.storage.name };
  for (const [name, service] of services) {
    const part = service.health?.();
    if (part !== undefined) health[name] = part;
  }
  return health;
}

/**
 * Applies the init document — each service's own section, through the service (init-provision.ts)
 * — then tells every service it is ready (the streams service installs the start's fault rules
 * then): provisioning runs unfaulted, and a rule's time window counts from when the server is ready.
 */
async function prepareServices(deps: ServiceDeps, modules: readonly AppServiceModule[], services: Services): Promise<void> {
  if (deps.config.init !== undefined) {
    const summary = await provision(deps.config.init, modules, services, deps);
    deps.logger.info({ ...summary }, "init file applied");
  }
  for (const service of services.values()) service.ready?.();
}

function credentialAccounts(deps: AppDeps): string[] {
  return deps.config.auth?.mode === "sigv4" ? deps.config.auth.credentials.accountIds() : [];
}

/**
 * The engine with its catalog's account-settings writes noted in `accounts`: the catalog cannot
 * list the accounts it holds settings for, and a reset must find them. Everything else passes through.
 */
function recordingSettingsAccounts(engine: StorageEngine, accounts: Set<string>): StorageEngine {
  const catalog = new Proxy(engine.catalog, {
    get(target, property, receiver) {
      if (property === "putAccountSettings") {
        return (accountId: string, settings: Parameters<typeof target.putAccountSettings>[1]) => {
          accounts.add(accountId);
          return target.putAccountSettings(accountId, settings);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(engine, {
    get(target, property, receiver) {
      if (property === "catalog") return catalog;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function authenticatorFor(deps: ServiceDeps): Authenticator {
  const auth = deps.config.auth;
  if (auth === undefined || auth.mode === "none") return anonymousAuthenticator(deps.config.accountId);
  return sigV4Authenticator({ region: deps.config.region, credentials: auth.credentials, clock: deps.clock });
}

/** Stops the credentials file's watch; the app owns the file once it is given one. */
function closeCredentials(deps: AppDeps): void {
  if (deps.config.auth?.mode === "sigv4") deps.config.auth.credentials.close();
}

