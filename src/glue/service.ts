/**
 * The Glue Data Catalog subset (docs/glue.md): X-Amz-Target prefix `AWSGlue`, awsJson1_1, signing
 * name `glue`. Requests run through the shared pipeline (protocol/action-pipeline.ts): shape
 * (botocore's model: SerializationException, ValidationException) → authorization → the action.
 * The instance exposes `schemaCatalog`, which the app hands to Firehose's format conversion.
 */
import type { AwsService } from "../protocol/aws-service.js";
import type { ServiceInstance } from "../protocol/service-module.js";
import { createActionPipeline } from "../protocol/action-pipeline.js";
import { callerStages, loggedAsInternal, pipelineRpc } from "../protocol/pipeline-service.js";
import { checkShape } from "../protocol/shapes.js";
import { jsonContentType, type WireDialect } from "../protocol/wire-format.js";
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import type { StorageEngine } from "../storage/types.js";
import type { SchemaCatalog } from "../storage/schema-catalog.js";
import { NamespacedTables } from "../storage/service-tables.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import { glueActions } from "./actions/index.js";
import type { GlueAction } from "./action.js";
import type { GlueConfig, GlueContext } from "./context.js";
import { glueErrors } from "./errors.js";
import { GlueAuthorizer } from "./authorize.js";
import { CatalogStore } from "./catalog-store.js";
import { glueSchemaCatalog } from "./schema-catalog.js";

/** Glue speaks JSON 1.1 only. */
export const glueDialect: WireDialect = { json: jsonContentType };

export interface GlueServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: GlueConfig;
  storage: StorageEngine;
}

export interface GlueService extends ServiceInstance<Principal> {
  readonly rpc: AwsService<Principal>;
  readonly schemaCatalog: SchemaCatalog;
}

export function createGlueService(deps: GlueServiceDeps): GlueService {
  const store = new CatalogStore(new NamespacedTables("glue", deps.storage.tables, deps.clock, deps.random), deps.storage.tables);
  const authorizer = new GlueAuthorizer(deps.config);
  const baseContext: GlueContext = {
    clock: deps.clock,
    random: deps.random,
    config: deps.config,
    store,
    accountId: deps.config.accountId,
    principal: anonymousPrincipal(deps.config.accountId),
  };
  const pipeline = createActionPipeline<GlueContext, GlueAction, Principal>({
    actions: glueActions,
    validate: (action, body, format) => checkShape(body, action.shape, format),
    ...callerStages(baseContext, (principal, action, input) => authorizer.authorize(principal, action, input)),
    unexpected: loggedAsInternal(deps.logger, "glue", glueErrors.internal),
  });
  return {
    rpc: pipelineRpc(pipeline, { targetPrefix: "AWSGlue", signingName: "glue", dialect: glueDialect }),
    schemaCatalog: glueSchemaCatalog(store, deps.config.region),
    start: async () => {},
    stop: async () => {},
  };
}
