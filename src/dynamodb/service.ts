/**
 * The DynamoDB lease-table subset (docs/dynamodb.md): X-Amz-Target prefix `DynamoDB_20120810`,
 * awsJson1_0. Requests run: shape types → constraints → the action's own checks →
 * authorization → the action (table lookups, key checks, conditions, the write).
 */
import type { AwsService } from "../protocol/aws-service.js";
import { dynamoDbDialect, type WireFormat } from "../protocol/wire-format.js";
import { ServiceError } from "../protocol/service-error.js";
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import type { StorageEngine } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import { dynamoDbActions } from "./actions/index.js";
import type { DynamoDbConfig, DynamoDbContext } from "./context.js";
import { dynamoDbErrors, qualifyPipelineErrorType } from "./errors.js";
import { checkConstraints, checkTypes } from "./shapes/shape.js";
import { DynamoDbAuthorizer } from "./authorize.js";

export interface DynamoDbServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: DynamoDbConfig;
  storage: StorageEngine;
}

export function createDynamoDbService(deps: DynamoDbServiceDeps): AwsService {
  const authorizer = new DynamoDbAuthorizer(deps.config);
  const baseContext: DynamoDbContext = {
    clock: deps.clock,
    random: deps.random,
    config: deps.config,
    tables: deps.storage.tables,
    accountId: deps.config.accountId,
    principal: anonymousPrincipal(deps.config.accountId),
  };
  return {
    targetPrefix: "DynamoDB_20120810",
    signingName: "dynamodb",
    dialect: dynamoDbDialect,
    qualifyErrorType: qualifyPipelineErrorType,
    hasAction: (name) => Object.prototype.hasOwnProperty.call(dynamoDbActions, name),
    async invoke(name: string, body: unknown, _format: WireFormat, principal?: Principal) {
      const action = dynamoDbActions[name]!;
      const input = checkTypes(body as Record<string, unknown>, action.shape);
      checkConstraints(input, action.shape);
      action.check?.(input);
      const caller = principal ?? baseContext.principal;
      authorizer.authorize(caller, name, input);
      const context = caller === baseContext.principal ? baseContext : { ...baseContext, principal: caller, accountId: caller.accountId };
      try {
        return await action.run(context, input);
      } catch (error) {
        if (error instanceof ServiceError) throw error;
        deps.logger.error({ err: error, action: name }, "dynamodb request failed");
        throw dynamoDbErrors.internal(error);
      }
    },
  };
}
