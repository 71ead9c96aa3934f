/**
 * Authorization of CloudWatch calls under `--auth sigv4`: the caller's identity policies must
 * allow the action's IAM action (`cloudwatch:GetMetricData`). The three read actions take no
 * resource-level permissions (Service Authorization Reference: resource `*`), so that is the
 * resource evaluated and, as AWS does for such actions, the AccessDenied text names none.
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { IamAuthorizer } from "../auth/iam-authorizer.js";
import { cloudWatchErrors } from "./errors.js";

export class CloudWatchAuthorizer {
  private readonly iam = new IamAuthorizer();

  authorize(principal: Principal, iamAction: string): void {
    if (principal === anonymousPrincipal(principal.accountId)) return;
    const evaluation = this.iam.decide(principal, iamAction, "*");
    if (evaluation.decision !== "allow") throw cloudWatchErrors.accessDenied(principal.arn, iamAction, evaluation.decision === "explicit-deny");
  }
}
