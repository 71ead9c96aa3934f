/**
 * AWS's evaluation logic for identity-based and resource-based policies ("Policy evaluation
 * logic" and "Cross-account policy evaluation logic" in the IAM user guide), without the parts
 * Tributary has no use for (SCPs, permissions boundaries, session policies):
 *
 * 1. An explicit Deny in any applicable statement, of either policy, decides: denied.
 * 2. Same account: an Allow in the identity policies or in the resource policy allows.
 * 3. Another account: both must allow — the caller's identity policies and the resource policy.
 * 4. Otherwise denied implicitly.
 */
import { conditionHolds, normalizeContext, type NormalizedContext } from "./conditions.js";
import type { Decision, EvaluationRequest, PolicyDocument, PolicyKind, PolicyPrincipal, PolicyStatement } from "./types.js";
import { arnSegments, globMatches, segmentsMatch } from "./wildcard.js";

export interface Evaluation {
  decision: Decision;
  /** For a deny, the kind of policy AWS's message names: the one with the Deny, or the one that did not allow. */
  policyKind: PolicyKind;
}

/**
 * Whether the request is allowed.
 *
 * @example
 *   evaluate({ principal, action: "kinesis:PutRecord", resource: streamArn, context: {}, resourceAccountId: "123456789012" }); // "allow"
 */
export function evaluate(request: EvaluationRequest): Decision {
  return explain(request).decision;
}

/** As `evaluate`, with the kind of policy a deny comes from (for AWS's message). */
export function explain(request: EvaluationRequest): Evaluation {
  const { principal, action, resource, resourcePolicy } = request;
  const needsContext = resourcePolicy?.hasConditions || principal.policies.some((policy) => policy.hasConditions);
  const context = needsContext ? normalizeContext(request.context) : emptyContext;
  const target: Target = { action, resource: arnSegments(resource) };
  let identityAllows = false;
  for (const policy of principal.policies) {
    const effect = effectOf(policy, principal, target, context, false);
    if (effect === "Deny") return { decision: "explicit-deny", policyKind: "identity-based" };
    if (effect === "Allow") identityAllows = true;
  }
  const resourceEffect = resourcePolicy && effectOf(resourcePolicy, principal, target, context, true);
  if (resourceEffect === "Deny") return { decision: "explicit-deny", policyKind: "resource-based" };
  const resourceAllows = resourceEffect === "Allow";
  if (principal.accountId === request.resourceAccountId) {
    if (identityAllows || resourceAllows) return { decision: "allow", policyKind: "identity-based" };
    return { decision: "implicit-deny", policyKind: "identity-based" };
  }
  if (!identityAllows) return { decision: "implicit-deny", policyKind: "identity-based" };
  if (!resourceAllows) return { decision: "implicit-deny", policyKind: "resource-based" };
  return { decision: "allow", policyKind: "identity-based" };
}

const emptyContext: NormalizedContext = new Map();

/** The request's action, and its resource split into ARN segments once (undefined for `*` or text that is not an ARN). */
interface Target {
  action: string;
  resource: readonly string[] | undefined;
}

/** "Deny" if an applicable statement denies, else "Allow" if one allows, else undefined. */
function effectOf(
  policy: PolicyDocument,
  principal: PolicyPrincipal,
  target: Target,
  context: NormalizedContext,
  resourceBased: boolean,
): "Allow" | "Deny" | undefined {
  let allows = false;
  for (const statement of policy.Statement) {
    if (!applies(statement, principal, target, context, resourceBased)) continue;
    if (statement.Effect === "Deny") return "Deny";
    allows = true;
  }
  return allows ? "Allow" : undefined;
}

function applies(
  statement: PolicyStatement,
  principal: PolicyPrincipal,
  target: Target,
  context: NormalizedContext,
  resourceBased: boolean,
): boolean {
  if (statement.actions.some((glob) => globMatches(glob, target.action)) === statement.notAction) return false;
  // A resource policy without Resource applies to the resource it is attached to.
  if (statement.resources && statement.resources.some((pattern) => segmentsMatch(pattern, target.resource)) === statement.notResource) return false;
  if (resourceBased) {
    const set = statement.principals;
    if (!set) return false;
    const named = set.everyone || set.accounts.has(principal.accountId) || set.arns.has(principal.arn);
    if (named === statement.notPrincipal) return false;
  }
  for (const condition of statement.conditions) {
    if (!conditionHolds(condition, context)) return false;
  }
  return true;
}
