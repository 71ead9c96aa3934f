/**
 * A service's authorization by identity policies alone (docs/auth.md): may `principal` perform the
 * IAM action (`dynamodb:GetItem`) on the resource's ARN? For services whose resources carry no
 * resource policies and whose actions name one resource; no condition keys are supplied, so a
 * statement with a Condition does not match. Decisions are cached per principal (policy/cache.ts).
 * The service words the refusal: each service has its own AccessDenied text.
 */
import { EvaluationCache, type Evaluation } from "./policy/index.js";
import type { Principal } from "./principal.js";

const noConditions = Object.freeze({});

export class IamAuthorizer {
  private readonly cache = new EvaluationCache();

  /** The decision for the principal's own account's resource `resource` (`*` for account-wide actions). */
  decide(principal: Principal, iamAction: string, resource: string): Evaluation {
    return this.cache.explain({ principal, action: iamAction, resource, context: noConditions, resourceAccountId: principal.accountId });
  }
}
