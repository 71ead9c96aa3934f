/**
 * Caches for the hot path (PutRecords, GetRecords): resource policies parsed once per text, and
 * decisions per (principal, action, resource, resource policy) when no policy involved has a
 * Condition — a decision with conditions depends on the request (time, source address) and is
 * evaluated every time. Both are bounded; a full cache is emptied and refills (the entries are
 * cheap to recompute, and an eviction order would cost more than it saves). A principal's entries
 * live as long as the principal object, so a reloaded credentials file starts afresh.
 */
import { explain, type Evaluation } from "./evaluate.js";
import { parsePolicyDocument } from "./parse.js";
import type { EvaluationRequest, PolicyDocument, PolicyPrincipal } from "./types.js";

export const decisionsPerPrincipalMax = 4096;
export const parsedPoliciesMax = 1024;

/** Decisions of one principal: by resource policy (or `none`), resource account, action and resource. */
type PrincipalDecisions = { size: number; byPolicy: Map<PolicyDocument | typeof none, Map<string, Map<string, Map<string, Evaluation>>>> };

const none = Symbol("no resource policy");

export class EvaluationCache {
  private readonly decisions = new WeakMap<PolicyPrincipal, PrincipalDecisions>();
  private readonly parsed = new Map<string, PolicyDocument | undefined>();

  /**
   * A stored resource policy, parsed; undefined for none, `{}` (GetResourcePolicy's "no policy")
   * or a text that does not parse — one stored before PutResourcePolicy checked the grammar,
   * which then grants and denies nothing.
   */
  resourcePolicy(text: string | undefined): PolicyDocument | undefined {
    if (text === undefined) return undefined;
    if (this.parsed.has(text)) return this.parsed.get(text);
    if (this.parsed.size >= parsedPoliciesMax) this.parsed.clear();
    const result = parsePolicyDocument(text, "resource");
    const policy = result.ok ? result.policy : undefined;
    this.parsed.set(text, policy);
    return policy;
  }

  explain(request: EvaluationRequest): Evaluation {
    const { principal, resourcePolicy } = request;
    if (resourcePolicy?.hasConditions || principal.policies.some((policy) => policy.hasConditions)) return explain(request);
    // Nested maps rather than one joined key: lookups by the strings as given, with no key to build.
    let decisions = this.decisions.get(principal);
    if (!decisions || decisions.size >= decisionsPerPrincipalMax) {
      decisions = { size: 0, byPolicy: new Map() };
      this.decisions.set(principal, decisions);
    }
    const byAccount = child(decisions.byPolicy, resourcePolicy ?? none);
    const byAction = child(byAccount, request.resourceAccountId);
    const byResource = child(byAction, request.action);
    const cached = byResource.get(request.resource);
    if (cached) return cached;
    const evaluation = explain(request);
    byResource.set(request.resource, evaluation);
    decisions.size++;
    return evaluation;
  }
}

function child<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let found = map.get(key);
  if (!found) {
    found = new Map();
    map.set(key, found);
  }
  return found;
}
