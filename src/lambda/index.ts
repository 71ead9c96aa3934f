/**
 * AWS Lambda (docs/lambda.md): the Lambda API (restJson1 under its dated path prefixes) on the
 * server's port, functions run as local sandboxes (./runtime), stream triggers (./event-sources).
 * All state lives in the storage engine: functions, versions, aliases, layers, mappings,
 * checkpoints, queued events and logs in ServiceTables tables, code in the object store's
 * internal bucket (code-store.ts).
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Principal } from "../auth/principal.js";
import type { RestApi } from "../protocol/aws-service.js";
import type { ProcessSettings, ServiceInstance, ServiceModule } from "../protocol/service-module.js";
import type { ObjectClient } from "../storage/object-client/index.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { StorageEngine } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Random } from "../util/random.js";
import { randomUUIDFrom } from "../util/uuid.js";
import type { LambdaContext, LambdaOptions } from "./action.js";
import { functionActions } from "./actions/index.js";
import { codeLocationPathPrefix } from "./actions/code-location.js";
import type { ApiContext } from "./api-context.js";
import type { FunctionInvoker } from "../storage/function-invoker.js";
import { createFunctionInvoker } from "./function-invoker.js";
import { AsyncInvocations } from "./async-invocations.js";
import { ObjectCodeStore } from "./code-store.js";
import { createEventSourceManager, eventSourceActions } from "./event-sources/index.js";
import { processLocalEngine } from "../storage/work-leases.js";
import { functionResolver } from "./function-lookup.js";
import { FunctionStore } from "./function-store.js";
import { createFunctionLogs } from "./logs/index.js";
import { functionLogsRoute } from "./logs-route.js";
import type { Executor } from "./model.js";
import { createLambdaRouter } from "./router.js";
import { createExecutor, type ExecutorDeps } from "./runtime/index.js";
import { ServiceTables } from "./service-tables.js";
import { functionsProvisioning } from "./provision.js";
import { LambdaMetrics, meteredExecutor } from "./metrics.js";
import type { MetricsRecorder } from "../core/metrics.js";

export type { LambdaOptions } from "./action.js";

/** The path prefixes of Lambda's operations (the API's dated versions, each with its resource). */
export const lambdaPathPrefixes = [
  "/2014-11-13/functions/",
  "/2015-03-31/functions",
  "/2015-03-31/event-source-mappings",
  "/2015-03-31/code-locations/",
  "/2016-08-19/account-settings",
  "/2017-03-31/tags/",
  "/2017-10-31/functions/",
  "/2018-10-31/layers",
  "/2019-09-25/functions/",
  "/2019-09-30/functions/",
  "/2020-04-22/code-signing-configs",
  "/2020-06-30/functions/",
  "/2021-07-20/functions/",
  "/2021-10-31/functions/",
  "/2021-11-15/functions/",
  "/2024-08-31/functions/",
];

/**
 * Lambda refuses a CreateFunction request past 70,167,211 bytes (recorded from AWS): a 50 MB zip
 * in base64 is 69,905,068 bytes, and the rest is the JSON around it.
 */
export const lambdaRequestBytesMax = 70_167_211;

/** What the Lambda service reads of the app's deps (ServiceDeps). */
export interface LambdaModuleDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  storage: Pick<StorageEngine, "tables" | "objects" | "peers">;
  config: ProcessSettings & { lambda?: LambdaOptions };
  objectClient: ObjectClient;
  streamAccess: StreamAccess;
  endpointUrl: () => string | undefined;
  /** Where the service records its CloudWatch metrics (metrics.ts); none kept when absent. */
  metrics?: MetricsRecorder;
}

export interface LambdaInstance extends ServiceInstance<Principal> {
  readonly rest: RestApi<Principal>;
  readonly context: LambdaContext;
  /** Functions run from inside the process (the app's ServiceDeps.functionInvoker). */
  readonly functionInvoker: FunctionInvoker;
}

/** What tests may replace: the sandboxes (a fake Executor where the runtime is not the subject). */
export interface LambdaModuleOverrides {
  createExecutor?: (deps: ExecutorDeps) => Executor;
}

export function createLambdaServiceModule(overrides: LambdaModuleOverrides = {}): ServiceModule<LambdaModuleDeps, Principal, LambdaInstance> {
  return {
    name: "lambda",
    create: (deps) => createLambdaService(deps, overrides),
    adminRoutes: (current) => [functionLogsRoute(current)],
    provision: functionsProvisioning,
  };
}

export const lambdaServiceModule = createLambdaServiceModule();

export function createLambdaService(deps: LambdaModuleDeps, overrides: LambdaModuleOverrides = {}): LambdaInstance {
  const { accountId, region } = deps.config;
  const { clock, random, logger } = deps;
  const ownSandboxRoot = deps.config.lambda === undefined ? mkdtempSync(join(tmpdir(), "tributary-lambda-")) : undefined;
  const options: LambdaOptions = deps.config.lambda ?? { functionsEnabled: true, sandboxRoot: ownSandboxRoot! };
  const tables = deps.storage.tables;
  const serviceTables = new ServiceTables(tables, clock, random);
  const store = new FunctionStore(tables, serviceTables, clock);
  const codeStore = new ObjectCodeStore(deps.storage.objects, clock, region, (accountId) => store.codeReferences(accountId), logger);
  const functions = functionResolver(store, region, random);
  const logs = createFunctionLogs({ tables, serviceTables, clock });
  const metrics = new LambdaMetrics(deps.metrics ?? { enabled: false, series: () => ({ observe() {} }) });
  // Every invocation passes the executor, whoever asked for it: metered once, there (metrics.ts).
  const executor = meteredExecutor((overrides.createExecutor ?? createExecutor)({ clock, random, logger, region, options, code: codeStore, logs, endpointUrl: deps.endpointUrl, ...(deps.storage.peers !== undefined && { peers: deps.storage.peers }) }), metrics, clock);
  const eventSources = createEventSourceManager({
    clock,
    random,
    logger,
    region,
    tables,
    streamAccess: deps.streamAccess,
    objectClient: deps.objectClient,
    functions,
    executor,
    metrics,
    processLocal: processLocalEngine(deps.storage as Partial<StorageEngine>),
  });
  const asyncInvocations = new AsyncInvocations({ tables, serviceTables, clock, logger, functions, executor, functionsEnabled: options.functionsEnabled, metrics, leases: { random, processLocal: processLocalEngine(deps.storage as Partial<StorageEngine>) } });
  const context: ApiContext = {
    accountId,
    region,
    clock,
    random,
    logger,
    options,
    tables,
    objects: deps.storage.objects,
    objectClient: deps.objectClient,
    streamAccess: deps.streamAccess,
    functions,
    code: codeStore,
    executor,
    logs,
    eventSources,
    store,
    codeStore,
    asyncInvocations,
    codeLocationKey: { secret: codeLocationSecret(deps.storage as Partial<StorageEngine>, random) },
    endpointUrl: deps.endpointUrl,
  };
  const router = createLambdaRouter({
    actions: [...functionActions, ...eventSourceActions],
    context: () => context,
    logger,
    requestId: () => randomUUIDFrom(random),
    accountId,
    requestBytesMax: lambdaRequestBytesMax,
  });
  return {
    rest: {
      pathPrefixes: lambdaPathPrefixes,
      signingName: "lambda",
      // Past Lambda's own bound, so that Lambda's RequestEntityTooLargeException answers a
      // request up to a little over it rather than the server's generic 413.
      requestBytesMax: lambdaRequestBytesMax + 1024 * 1024,
      // The code download URL (GetFunction's Code.Location) carries its own signature, as the
      // presigned S3 URL Lambda answers does: fetched unsigned even under --auth sigv4.
      authenticatesItself: (request) => request.method === "GET" && request.path.startsWith(codeLocationPathPrefix),
      respond: router.respond,
      tooLargeAnswer: router.tooLargeAnswer,
    },
    context,
    functionInvoker: createFunctionInvoker({ functions, executor, random }),
    async start() {
      await codeStore.open();
      await eventSources.start();
      await asyncInvocations.start();
    },
    async stop() {
      await asyncInvocations.stop();
      await eventSources.stop();
      await executor.stop();
      if (ownSandboxRoot !== undefined) rmSync(ownSandboxRoot, { recursive: true, force: true });
    },
  };
}

/**
 * The key code location URLs are signed with: derived from the engine's secret, which every node
 * sharing the engine has (docs/cluster.md), so a URL one node answered downloads through any; a
 * key of its own when the service is given no catalog (tests).
 */
function codeLocationSecret(storage: Partial<StorageEngine>, random: Random): Buffer {
  if (storage.catalog === undefined) return Buffer.from(random.bytes(32));
  return createHmac("sha256", storage.catalog.secret()).update("lambda code locations").digest();
}
