/**
 * Amazon Data Firehose (docs/firehose.md): X-Amz-Target prefix `Firehose_20150804`, JSON 1.1,
 * signing name `firehose`. Requests run through the shared pipeline
 * (protocol/action-pipeline.ts): the request shape (generated from botocore's model,
 * shapes/model.generated.ts) → authorization (identity policies under `--auth sigv4`) → the
 * action. Delivery streams live in the service's own tables (store/), DirectPut records in a
 * durable ingest log per stream (sources/direct-put-log.ts), and the delivery engine
 * (delivery/engine/) runs in this process, reading each stream's source and delivering it.
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
import { NamespacedTables } from "../storage/service-tables.js";
import { processLocalEngine } from "../storage/work-leases.js";
import type { StorageEngine } from "../storage/types.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { ObjectClient } from "../storage/object-client/object-client.js";
import type { FunctionInvoker } from "../storage/function-invoker.js";
import type { SchemaCatalog } from "../storage/schema-catalog.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import { firehoseActions } from "./actions/index.js";
import { firehoseOptionsDefault, type FirehoseAction, type FirehoseContext, type FirehoseOptions } from "./context.js";
import { firehoseErrors } from "./errors.js";
import { DeliveryStreamStore } from "./store/delivery-streams.js";
import { DirectPutLogs } from "./sources/direct-put-log.js";
import { DeliveryEngine } from "./delivery/engine/engine.js";
import { deliveryStreamArn } from "./actions/common.js";
import { createDeliveryStreamAccess } from "./delivery-stream-access.js";
import type { DeliveryStreamAccess } from "../storage/delivery-stream-access.js";
import { deliveryStreamsProvisioning } from "./provision.js";
import { FirehoseMetrics, noMetrics } from "./metrics.js";
import type { MetricsRecorder } from "../core/metrics.js";

/** Firehose speaks JSON 1.1 only (no CBOR). */
export const firehoseDialect: WireDialect = { json: jsonContentType };

export interface FirehoseModuleDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  storage: StorageEngine;
  config: ProcessSettings & { firehose?: Partial<FirehoseOptions> };
  objectClient: ObjectClient;
  streamAccess: StreamAccess;
  functionInvoker: FunctionInvoker;
  schemaCatalog: SchemaCatalog;
  /** Where the service records its CloudWatch metrics (metrics.ts); none kept when absent. */
  metrics?: MetricsRecorder;
}

export interface FirehoseService extends ServiceInstance<Principal> {
  readonly rpc: AwsService<Principal>;
  readonly engine: DeliveryEngine;
  /** The internal port Analytics reads and writes delivery streams through (ServiceDeps.deliveryStreamAccess). */
  readonly deliveryStreamAccess: DeliveryStreamAccess;
}

/** The module with options of its own (tests: a short CREATING, a small backlog bound). */
export function firehoseServiceModuleWith(options: Partial<FirehoseOptions> = {}): ServiceModule<FirehoseModuleDeps, Principal, FirehoseService> {
  return {
    name: "firehose",
    create: (deps) => createFirehoseService(deps, { ...firehoseOptionsDefault, ...deps.config.firehose, ...options }),
    provision: deliveryStreamsProvisioning,
  };
}

export const firehoseServiceModule = firehoseServiceModuleWith();

export function createFirehoseService(deps: FirehoseModuleDeps, options: FirehoseOptions): FirehoseService {
  const { accountId, region } = deps.config;
  const store = new DeliveryStreamStore(new NamespacedTables("firehose", deps.storage.tables, deps.clock, deps.random), deps.storage.tables);
  const ingest = new DirectPutLogs(deps.storage.catalog, deps.storage.logs);
  const metrics = new FirehoseMetrics(deps.metrics ?? noMetrics);
  const engine = new DeliveryEngine({ ...deps, store, ingest, options, firehoseMetrics: metrics, leases: { tables: deps.storage.tables, processLocal: processLocalEngine(deps.storage) } });
  const iam = new IamAuthorizer();
  const context: FirehoseContext = {
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    config: { ...options, accountId, region },
    accountId,
    store,
    ingest,
    delivery: engine,
    streamAccess: deps.streamAccess,
    metrics,
  };
  const anonymous = anonymousPrincipal(accountId);
  const pipeline = createActionPipeline<FirehoseContext, FirehoseAction, Principal>({
    actions: firehoseActions,
    validate: (action, body, format) => checkShape<Record<string, unknown>>(body, action.shape, format),
    context,
    anonymous,
    authorize: (principal, _name, action, input) => {
      const name = input.DeliveryStreamName;
      const resource = typeof name === "string" ? deliveryStreamArn(region, principal.accountId, name) : "*";
      if (principal !== anonymousPrincipal(principal.accountId)) {
        const evaluation = iam.decide(principal, action.iamAction, resource);
        if (evaluation.decision !== "allow") {
          throw new ServiceError(
            "AccessDeniedException",
            `User: ${principal.arn} is not authorized to perform: ${action.iamAction} on resource: ${resource} ` +
              (evaluation.decision === "explicit-deny" ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${action.iamAction} action`),
            400,
          );
        }
      }
      return { ...context, accountId: principal.accountId };
    },
    unexpected: loggedAsInternal(deps.logger, "firehose", firehoseErrors.internal),
  });
  return {
    rpc: pipelineRpc(pipeline, { targetPrefix: "Firehose_20150804", signingName: "firehose", dialect: firehoseDialect }),
    engine,
    deliveryStreamAccess: createDeliveryStreamAccess(context),
    start: async () => {
      if (options.deliveryEnabled) await engine.start();
    },
    stop: () => engine.stop(),
    health: () => engine.health(),
  };
}
