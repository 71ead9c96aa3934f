/**
 * The DynamoDB lease-table subset (docs/dynamodb.md): X-Amz-Target prefix `DynamoDB_20120810`,
 * awsJson1_0. Requests run through the shared pipeline (protocol/action-pipeline.ts): shape
 * types → constraints → the action's own checks → authorization → the action (table lookups, key
 * checks, conditions, the write). It has no call rates and no fault injection.
 */
import type { AwsService } from "../protocol/aws-service.js";
import type { ProcessSettings, ServiceInstance, ServiceModule } from "../protocol/service-module.js";
import { createActionPipeline } from "../protocol/action-pipeline.js";
import { callerStages, loggedAsInternal, pipelineRpc } from "../protocol/pipeline-service.js";
import { dynamoDbDialect } from "../protocol/wire-format.js";
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import type { StorageEngine } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import { dynamoDbActions } from "./actions/index.js";
import type { DynamoDbAction } from "./action.js";
import type { DynamoDbConfig, DynamoDbContext } from "./context.js";
import { dynamoDbErrors, qualifyPipelineErrorType } from "./errors.js";
import { checkConstraints, checkTypes } from "./shapes/shape.js";
import { DynamoDbAuthorizer } from "./authorize.js";
import { tablesProvisioning } from "./provision.js";
import { withConsistentReads } from "./consistent-reads.js";

export interface DynamoDbServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: DynamoDbConfig;
  storage: StorageEngine;
}

export interface DynamoDbService extends ServiceInstance<Principal> {
  readonly rpc: AwsService<Principal>;
}

/** What the DynamoDB subset reads of the app's deps. */
export interface DynamoDbModuleDeps extends Omit<DynamoDbServiceDeps, "config"> {
  config: ProcessSettings & { dynamoDbCreateTableMs?: number };
}

/** The DynamoDB lease-table subset as the app lists it (src/server/services.ts). */
export const dynamoDbServiceModule: ServiceModule<DynamoDbModuleDeps, Principal, DynamoDbService> = {
  name: "dynamodb",
  create: (deps) => {
    const { region, accountId, dynamoDbCreateTableMs } = deps.config;
    return createDynamoDbService({ ...deps, config: { region, accountId, createTableMs: dynamoDbCreateTableMs ?? 0 } });
  },
  provision: tablesProvisioning,
};

export function createDynamoDbService(deps: DynamoDbServiceDeps): DynamoDbService {
  const authorizer = new DynamoDbAuthorizer(deps.config);
  const baseContext: DynamoDbContext = {
    clock: deps.clock,
    random: deps.random,
    config: deps.config,
    tables: deps.storage.tables,
    accountId: deps.config.accountId,
    principal: anonymousPrincipal(deps.config.accountId),
  };
  const pipeline = createActionPipeline<DynamoDbContext, DynamoDbAction, Principal>({
    // Strongly consistent reads and table lookups across nodes (consistent-reads.ts).
    actions: withConsistentReads(dynamoDbActions, deps.storage.tables.sync?.bind(deps.storage.tables)),
    validate: (action, body) => {
      const input = checkTypes(body as Record<string, unknown>, action.shape);
      checkConstraints(input, action.shape);
      action.check?.(input);
      return input;
    },
    ...callerStages(baseContext, (principal, action, input) => authorizer.authorize(principal, action, input)),
    unexpected: loggedAsInternal(deps.logger, "dynamodb", dynamoDbErrors.internal),
  });
  return {
    rpc: pipelineRpc(pipeline, { targetPrefix: "DynamoDB_20120810", signingName: "dynamodb", dialect: dynamoDbDialect, qualifyErrorType: qualifyPipelineErrorType }),
    start: async () => {},
    stop: async () => {},
  };
}
