/**
 * Authorization of DynamoDB calls under `--auth sigv4`: the caller's identity policies must allow
 * `dynamodb:<Action>` on the table's ARN (`*` for ListTables). Tables have no resource policies
 * here, and no condition keys are supplied: a statement with a Condition does not match.
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { IamAuthorizer } from "../auth/iam-authorizer.js";
import type { DynamoDbConfig } from "./context.js";
import { dynamoDbErrors } from "./errors.js";

export class DynamoDbAuthorizer {
  private readonly iam = new IamAuthorizer();

  constructor(private readonly config: DynamoDbConfig) {}

  /** Throws AccessDeniedException unless the principal may run the action on the named table. */
  authorize(principal: Principal, actionName: string, input: Record<string, unknown>): void {
    if (principal === anonymousPrincipal(principal.accountId)) return;
    const action = `dynamodb:${actionName}`;
    const tableName = input.TableName;
    const resource = typeof tableName === "string" ? `arn:aws:dynamodb:${this.config.region}:${principal.accountId}:table/${tableName}` : "*";
    const evaluation = this.iam.decide(principal, action, resource);
    if (evaluation.decision !== "allow") {
      const resourceArn = resource === "*" ? `arn:aws:dynamodb:${this.config.region}:${principal.accountId}:table/*` : resource;
      throw dynamoDbErrors.accessDenied(principal.arn, action, resourceArn, evaluation.decision === "explicit-deny");
    }
  }
}
