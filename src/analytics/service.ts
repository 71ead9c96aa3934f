/**
 * Amazon Kinesis Data Analytics for SQL applications (docs/analytics/api.md): X-Amz-Target prefix
 * `KinesisAnalytics_20150814` (the v1 API, JSON 1.1) and `KinesisAnalytics_20180523` (the v2 API,
 * for applications whose RuntimeEnvironment is SQL-1_0), signing name `kinesisanalytics`. Requests
 * run through the shared pipeline (protocol/action-pipeline.ts): the request shape (generated from
 * botocore's models, shapes/) → authorization (identity policies under `--auth sigv4`) → the action.
 * Applications live in the service's own tables (store/); the runtime (runtime/) runs the RUNNING
 * ones in this process, their SQL in worker threads.
 */
import type { AwsService } from "../protocol/aws-service.js";
import type { ProcessSettings, ServiceInstance, ServiceModule } from "../protocol/service-module.js";
import { createActionPipeline } from "../protocol/action-pipeline.js";
import { loggedAsInternal, pipelineRpc } from "../protocol/pipeline-service.js";
import { checkShape } from "../protocol/shapes.js";
import { jsonContentType, type WireDialect } from "../protocol/wire-format.js";
import { ServiceError } from "../protocol/service-error.js";
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { IamAuthorizer } from "../auth/iam-authorizer.js";
import { processLocalEngine } from "../storage/work-leases.js";
import { NamespacedTables } from "../storage/service-tables.js";
import type { StorageEngine } from "../storage/types.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { ObjectClient } from "../storage/object-client/object-client.js";
import type { FunctionInvoker } from "../storage/function-invoker.js";
import type { DeliveryStreamAccess } from "../storage/delivery-stream-access.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import { analyticsOptionsDefault, type AnalyticsAction, type AnalyticsContext, type AnalyticsOptions } from "./context.js";
import { analyticsActions } from "./actions/index.js";
import { analyticsV2Actions } from "./actions/v2/index.js";
import { analyticsErrors } from "./errors.js";
import { ApplicationStore } from "./store/applications.js";
import { applicationArn } from "./actions/common.js";
import { compileCode, type CodeCompiler } from "./runtime/compiler.js";
import { AnalyticsRuntime, type RuntimeDeps } from "./runtime/runtime.js";
import { applicationsProvisioning } from "./provision.js";

/** Kinesis Data Analytics speaks JSON 1.1 only (no CBOR). */
export const analyticsDialect: WireDialect = { json: jsonContentType };

export interface AnalyticsModuleDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  storage: StorageEngine;
  config: ProcessSettings & { analytics?: Partial<AnalyticsOptions> };
  objectClient: ObjectClient;
  streamAccess: StreamAccess;
  functionInvoker: FunctionInvoker;
  deliveryStreamAccess: DeliveryStreamAccess;
  metrics?: RuntimeDeps["metrics"];
}

export interface AnalyticsService extends ServiceInstance<Principal> {
  readonly rpc: AwsService<Principal>;
  /** The v2 API (KinesisAnalytics_20180523) on the same store and runtime. */
  readonly extraRpcs: readonly AwsService<Principal>[];
  readonly runtime: AnalyticsRuntime;
}

/** The module with options of its own (tests: short status delays, the runtime off). */
export function analyticsServiceModuleWith(options: Partial<AnalyticsOptions> = {}, compile: CodeCompiler = compileCode): ServiceModule<AnalyticsModuleDeps, Principal, AnalyticsService> {
  return {
    name: "analytics",
    create: (deps) => createAnalyticsService(deps, { ...analyticsOptionsDefault, ...deps.config.analytics, ...options }, compile),
    provision: applicationsProvisioning,
  };
}

export const analyticsServiceModule = analyticsServiceModuleWith();

export function createAnalyticsService(deps: AnalyticsModuleDeps, options: AnalyticsOptions, compile: CodeCompiler = compileCode): AnalyticsService {
  const { accountId, region } = deps.config;
  const store = new ApplicationStore(new NamespacedTables("analytics", deps.storage.tables, deps.clock, deps.random), deps.storage.tables);
  const runtime = new AnalyticsRuntime({ clock: deps.clock, logger: deps.logger, store, options, region, streamAccess: deps.streamAccess, deliveryStreamAccess: deps.deliveryStreamAccess, functionInvoker: deps.functionInvoker, objectClient: deps.objectClient, metrics: deps.metrics, leases: { tables: deps.storage.tables, random: deps.random, processLocal: processLocalEngine(deps.storage) } });
  const iam = new IamAuthorizer();
  const context: AnalyticsContext = {
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    config: { ...options, accountId, region },
    accountId,
    store,
    runtime,
    streamAccess: deps.streamAccess,
    deliveryStreamAccess: deps.deliveryStreamAccess,
    functionInvoker: deps.functionInvoker,
    objectClient: deps.objectClient,
    compile,
  };
  const anonymous = anonymousPrincipal(accountId);
  const pipelineOf = (actions: Readonly<Record<string, AnalyticsAction>>) =>
    createActionPipeline<AnalyticsContext, AnalyticsAction, Principal>({
      actions,
      validate: (action, body, format) => checkShape<Record<string, unknown>>(body, action.shape, format),
      context,
      anonymous,
      authorize: (principal, _name, action, input) => {
        if (principal !== anonymousPrincipal(principal.accountId)) authorizeCaller(iam, principal, action, resourceOf(input, region, principal.accountId));
        return { ...context, accountId: principal.accountId };
      },
      unexpected: loggedAsInternal(deps.logger, "analytics", analyticsErrors.internal),
    });
  return {
    rpc: pipelineRpc(pipelineOf(analyticsActions), { targetPrefix: "KinesisAnalytics_20150814", signingName: "kinesisanalytics", dialect: analyticsDialect }),
    extraRpcs: [pipelineRpc(pipelineOf(analyticsV2Actions), { targetPrefix: "KinesisAnalytics_20180523", signingName: "kinesisanalytics", dialect: analyticsDialect })],
    runtime,
    start: async () => {
      if (options.runtimeEnabled) await runtime.start();
    },
    stop: () => runtime.stop(),
    health: () => runtime.health(),
  };
}

/** The application an action names (ApplicationName, or ResourceARN for the tag actions); `*` for the others. */
function resourceOf(input: Record<string, unknown>, region: string, accountId: string): string {
  if (typeof input.ApplicationName === "string") return applicationArn(region, accountId, input.ApplicationName);
  if (typeof input.ResourceARN === "string") return input.ResourceARN;
  return "*";
}

function authorizeCaller(iam: IamAuthorizer, principal: Principal, action: AnalyticsAction, resource: string): void {
  const evaluation = iam.decide(principal, action.iamAction, resource);
  if (evaluation.decision === "allow") return;
  throw new ServiceError(
    "AccessDeniedException",
    `User: ${principal.arn} is not authorized to perform: ${action.iamAction} on resource: ${resource} ` +
      (evaluation.decision === "explicit-deny" ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${action.iamAction} action`),
    400,
  );
}
