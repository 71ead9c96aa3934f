/**
 * Parsed IAM policy documents. `parsePolicyDocument` (parse.ts) checks a document's grammar once
 * and compiles its patterns, so evaluating it for a request does no parsing: identity policies
 * from the credentials file and resource policies from PutResourcePolicy share this form.
 */
import type { ArnPattern, Glob } from "./wildcard.js";
import type { Condition } from "./conditions.js";

export type Effect = "Allow" | "Deny";

/** A statement's Principal/NotPrincipal, resolved to what a request's principal is compared with. */
export interface PrincipalSet {
  /** `"*"` or `{"AWS": "*"}`: every principal. */
  everyone: boolean;
  /** Account ids given as `123456789012` or `arn:aws:iam::123456789012:root`. */
  accounts: ReadonlySet<string>;
  /** Principal ARNs (users, roles, assumed-role sessions), compared exactly. */
  arns: ReadonlySet<string>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  /** Action or NotAction (`notAction` true), compiled case-insensitively. */
  actions: readonly Glob[];
  notAction: boolean;
  /** Resource or NotResource; undefined when a resource policy names neither (the resource it is attached to). */
  resources?: readonly ArnPattern[];
  notResource: boolean;
  /** Principal or NotPrincipal (resource policies only). */
  principals?: PrincipalSet;
  notPrincipal: boolean;
  conditions: readonly Condition[];
}

export interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: readonly PolicyStatement[];
  /** Whether any statement has a Condition: then decisions depend on the request and are not cached. */
  hasConditions: boolean;
}

/** What a policy is evaluated for: the calling principal, as interface A's Principal gives it. */
export interface PolicyPrincipal {
  accountId: string;
  arn: string;
  policies: readonly PolicyDocument[];
}

/** Condition keys of one request (`aws:SourceIp`, ...), keys compared case-insensitively. */
export type ConditionContext = Readonly<Record<string, string | readonly string[]>>;

export type Decision = "allow" | "implicit-deny" | "explicit-deny";

/** Which kind of policy decided a deny: AWS's messages name it. */
export type PolicyKind = "identity-based" | "resource-based";

export interface EvaluationRequest {
  principal: PolicyPrincipal;
  /** The IAM action, `kinesis:PutRecord`. */
  action: string;
  /** The resource's ARN, or `*` for actions without a resource (ListStreams). */
  resource: string;
  context: ConditionContext;
  resourcePolicy?: PolicyDocument;
  resourceAccountId: string;
}
