/**
 * Authorization of DynamoDB calls under `--auth sigv4`: the caller's identity policies must allow
 * the action's declared IAM action (`dynamodb:<Action>`, actions/) on the table's ARN (`*` for
 * ListTables). Tables have no resource policies
 * here, and no condition keys are supplied: a statement with a Condition does not match.
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { IamAuthorizer } from "../auth/iam-authorizer.js";
import type { DynamoDbConfig } from "./context.js";
import type { DynamoDbAction } from "./action.js";
import { dynamoDbErrors } from "./errors.js";

export class DynamoDbAuthorizer {
  private readonly iam = new IamAuthorizer();

  constructor(private readonly config: DynamoDbConfig) {}

  /** Throws AccessDeniedException unless the principal may run the action (its declared IAM action) on its resource. */
  authorize(principal: Principal, declared: DynamoDbAction, input: Record<string, unknown>): void {
    if (principal === anonymousPrincipal(principal.accountId)) return;
    const action = declared.iamAction;
    // Every "table" action's shape refuses a request without TableName before authorization.
    const resource = declared.resource === "table" ? `arn:aws:dynamodb:${this.config.region}:${principal.accountId}:table/${String(input.TableName)}` : "*";
    const evaluation = this.iam.decide(principal, action, resource);
    if (evaluation.decision !== "allow") {
      const resourceArn = resource === "*" ? `arn:aws:dynamodb:${this.config.region}:${principal.accountId}:table/*` : resource;
      throw dynamoDbErrors.accessDenied(principal.arn, action, resourceArn, evaluation.decision === "explicit-deny");
    }
  }
}
