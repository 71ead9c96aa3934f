/**
 * IAM-style policies: parsing (`parsePolicyDocument`), evaluation (`evaluate`, `explain`) and the
 * hot-path cache (`EvaluationCache`). Interface B of issue 6 (notes: issue6-shared.md).
 */
export { parsePolicyDocument, parsePolicyObject, policyVersions, type ParseResult, type PolicyUse } from "./parse.js";
export { evaluate, explain, type Evaluation } from "./evaluate.js";
export { EvaluationCache, decisionsPerPrincipalMax, parsedPoliciesMax } from "./cache.js";
export type {
  ConditionContext,
  Decision,
  EvaluationRequest,
  PolicyDocument,
  PolicyKind,
  PolicyPrincipal,
  PolicyStatement,
  PrincipalSet,
} from "./types.js";
