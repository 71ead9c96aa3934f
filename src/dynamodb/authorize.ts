/**
 * Authorization of DynamoDB calls under `--auth sigv4`: the caller's identity policies must allow
 * `dynamodb:<Action>` on the table's ARN (`*` for ListTables). Tables have no resource policies
 * here, and no condition keys are supplied: a statement with a Condition does not match.
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { EvaluationCache } from "../auth/policy/index.js";
import type { DynamoDbConfig } from "./context.js";
import { dynamoDbErrors } from "./errors.js";

const noConditions = Object.freeze({});

export class DynamoDbAuthorizer {
  private readonly cache = new EvaluationCache();

  constructor(private readonly config: DynamoDbConfig) {}

  /** Throws AccessDeniedException unless the principal may run the action on the named table. */
  authorize(principal: Principal, actionName: string, input: Record<string, unknown>): void {
    if (principal === anonymousPrincipal(principal.accountId)) return;
    const action = `dynamodb:${actionName}`;
    const tableName = input.TableName;
    const resource = typeof tableName === "string" ? `arn:aws:dynamodb:${this.config.region}:${principal.accountId}:table/${tableName}` : "*";
    const evaluation = this.cache.explain({ principal, action, resource, context: noConditions, resourceAccountId: principal.accountId });
    if (evaluation.decision !== "allow") {
      const resourceArn = resource === "*" ? `arn:aws:dynamodb:${this.config.region}:${principal.accountId}:table/*` : resource;
      throw dynamoDbErrors.accessDenied(principal.arn, action, resourceArn, evaluation.decision === "explicit-deny");
    }
  }
}
