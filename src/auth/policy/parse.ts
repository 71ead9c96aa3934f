/**
 * Parses and checks an IAM policy document (grammar: IAM's "IAM JSON policy element reference"):
 *
 *   { "Version"?: "2012-10-17" | "2008-10-17", "Id"?: string,
 *     "Statement": statement | [statement, ...] }
 *   statement = { "Sid"?: string, "Effect": "Allow" | "Deny",
 *     "Action" | "NotAction": name | [names],         name = "*" or "<service>:<action with * ?>"
 *     "Resource" | "NotResource": arn | [arns],        "*" or an ARN with * ? per segment
 *     "Principal" | "NotPrincipal": "*" | {"AWS": id | [ids], "Service": ..., "Federated": ..., "CanonicalUser": ...},
 *     "Condition"?: {"<Operator>": {"<key>": value | [values]}} }
 *
 * Identity policies may not name a principal and must name resources; resource policies must
 * name a principal and may leave resources out (they then apply to the resource they are
 * attached to). The first problem found is reported, in IAM's terms.
 */
import { compileCondition, type Condition } from "./conditions.js";
import type { PolicyDocument, PolicyStatement, PrincipalSet } from "./types.js";
import { compileArnPattern, compileGlob, type ArnPattern, type Glob } from "./wildcard.js";

export type PolicyUse = "identity" | "resource";

export type ParseResult = { ok: true; policy: PolicyDocument } | { ok: false; message: string };

/** The policy language versions IAM accepts. */
export const policyVersions: readonly string[] = ["2012-10-17", "2008-10-17"];

const documentFields = new Set(["Version", "Id", "Statement"]);
const statementFields = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const actionPattern = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;
const accountIdPattern = /^\d{12}$/;
const rootArnPattern = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const principalArnPattern = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/;

/** Thrown inside the parser only, to stop at the first problem; never escapes `parsePolicyDocument`. */
class PolicyError extends Error {}

/**
 * Parses a policy document's JSON text.
 *
 * @example
 *   const parsed = parsePolicyDocument('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:Get*","Resource":"*"}}');
 *   if (!parsed.ok) console.error(parsed.message);
 */
export function parsePolicyDocument(json: string, kind: PolicyUse = "identity"): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, message: "the policy must be a JSON object" };
  }
  return parsePolicyObject(value, kind);
}

/** As `parsePolicyDocument`, for a document already decoded (a credentials file holds policies as JSON values). */
export function parsePolicyObject(value: unknown, kind: PolicyUse = "identity"): ParseResult {
  try {
    return { ok: true, policy: documentOf(value, kind) };
  } catch (error) {
    if (error instanceof PolicyError) return { ok: false, message: error.message };
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function documentOf(value: unknown, kind: PolicyUse): PolicyDocument {
  if (!isObject(value)) throw new PolicyError("the policy must be a JSON object");
  for (const field of Object.keys(value)) {
    if (!documentFields.has(field)) throw new PolicyError(`unknown field ${field}`);
  }
  const version = value.Version ?? "2008-10-17";
  if (typeof version !== "string" || !policyVersions.includes(version)) {
    throw new PolicyError(`Version must be one of ${policyVersions.join(", ")}`);
  }
  if (value.Id !== undefined && typeof value.Id !== "string") throw new PolicyError("Id must be a string");
  if (value.Statement === undefined) throw new PolicyError("missing required field Statement");
  const raw = Array.isArray(value.Statement) ? value.Statement : [value.Statement];
  if (raw.length === 0) throw new PolicyError("Statement must contain at least one statement");
  const statements = raw.map((statement, index) => statementOf(statement, index, kind));
  const sids = new Set<string>();
  for (const statement of statements) {
    if (statement.Sid === undefined) continue;
    if (sids.has(statement.Sid)) throw new PolicyError(`statement IDs (Sid) must be unique: ${statement.Sid} is repeated`);
    sids.add(statement.Sid);
  }
  return {
    Version: version,
    ...(value.Id !== undefined && { Id: value.Id }),
    Statement: statements,
    hasConditions: statements.some((statement) => statement.conditions.length > 0),
  };
}

function statementOf(value: unknown, index: number, kind: PolicyUse): PolicyStatement {
  if (!isObject(value)) throw new PolicyError(`statement ${index + 1} must be a JSON object`);
  const where = value.Sid !== undefined && typeof value.Sid === "string" ? `statement ${value.Sid}` : `statement ${index + 1}`;
  for (const field of Object.keys(value)) {
    if (!statementFields.has(field)) throw new PolicyError(`${where}: unknown field ${field}`);
  }
  if (value.Sid !== undefined && typeof value.Sid !== "string") throw new PolicyError(`${where}: Sid must be a string`);
  if (value.Effect === undefined) throw new PolicyError(`${where}: missing required field Effect`);
  if (value.Effect !== "Allow" && value.Effect !== "Deny") throw new PolicyError(`${where}: Effect must be Allow or Deny`);
  const action = oneOf(value, "Action", "NotAction", where, true)!;
  const resource = oneOf(value, "Resource", "NotResource", where, kind === "identity");
  const principal = oneOf(value, "Principal", "NotPrincipal", where, kind === "resource");
  if (kind === "identity" && principal) throw new PolicyError(`${where}: an identity-based policy cannot specify ${principal.field}`);
  return {
    ...(value.Sid !== undefined && { Sid: value.Sid }),
    Effect: value.Effect,
    actions: actionsOf(action.value, action.field, where),
    notAction: action.field === "NotAction",
    ...(resource && { resources: resourcesOf(resource.value, resource.field, where) }),
    notResource: resource?.field === "NotResource",
    ...(principal && { principals: principalsOf(principal.value, principal.field, where) }),
    notPrincipal: principal?.field === "NotPrincipal",
    conditions: value.Condition === undefined ? [] : conditionsOf(value.Condition, where),
  };
}

/** The one of a pair of exclusive fields (Action/NotAction...) the statement has. */
function oneOf(statement: Record<string, unknown>, field: string, notField: string, where: string, required: boolean) {
  const has = statement[field] !== undefined;
  const hasNot = statement[notField] !== undefined;
  if (has && hasNot) throw new PolicyError(`${where}: cannot have both ${field} and ${notField}`);
  if (!has && !hasNot) {
    if (required) throw new PolicyError(`${where}: missing required field ${field} or ${notField}`);
    return undefined;
  }
  return has ? { field, value: statement[field] } : { field: notField, value: statement[notField] };
}

function stringsOf(value: unknown, field: string, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyError(`${where}: ${field} must not be empty`);
  for (const item of list) {
    if (typeof item !== "string") throw new PolicyError(`${where}: ${field} must be a string or a list of strings`);
  }
  return list as string[];
}

function actionsOf(value: unknown, field: string, where: string): Glob[] {
  return stringsOf(value, field, where).map((action) => {
    if (!actionPattern.test(action)) throw new PolicyError(`${where}: invalid ${field} ${action}: expected "*" or "<service>:<action>"`);
    return compileGlob(action, true);
  });
}

function resourcesOf(value: unknown, field: string, where: string): ArnPattern[] {
  return stringsOf(value, field, where).map((resource) => {
    const pattern = compileArnPattern(resource);
    if (!pattern) throw new PolicyError(`${where}: invalid ${field} ${resource}: expected "*" or an ARN`);
    return pattern;
  });
}

function principalsOf(value: unknown, field: string, where: string): PrincipalSet {
  const set = { everyone: false, accounts: new Set<string>(), arns: new Set<string>() };
  if (value === "*") return { ...set, everyone: true };
  if (!isObject(value)) throw new PolicyError(`${where}: ${field} must be "*" or an object such as {"AWS": "<account id or ARN>"}`);
  for (const [type, ids] of Object.entries(value)) {
    if (type !== "AWS" && type !== "Service" && type !== "Federated" && type !== "CanonicalUser") {
      throw new PolicyError(`${where}: invalid principal type ${type} in ${field}`);
    }
    for (const id of stringsOf(ids, `${field}.${type}`, where)) {
      // Service, federated and canonical-user principals never call this server; they match no one.
      if (type !== "AWS") continue;
      if (id === "*") set.everyone = true;
      else if (accountIdPattern.test(id)) set.accounts.add(id);
      else if (rootArnPattern.test(id)) set.accounts.add(rootArnPattern.exec(id)![1]!);
      else if (principalArnPattern.test(id) && !id.includes("*") && !id.includes("?")) set.arns.add(id);
      else throw new PolicyError(`${where}: invalid principal in ${field}: ${id}`);
    }
  }
  return set;
}

function conditionsOf(value: unknown, where: string): Condition[] {
  if (!isObject(value)) throw new PolicyError(`${where}: Condition must be a JSON object`);
  const conditions: Condition[] = [];
  for (const [operator, keys] of Object.entries(value)) {
    if (!isObject(keys)) throw new PolicyError(`${where}: Condition ${operator} must map condition keys to values`);
    for (const [key, raw] of Object.entries(keys)) {
      const condition = compileCondition(operator, key, conditionValuesOf(raw, operator, key, where));
      if (typeof condition === "string") throw new PolicyError(`${where}: ${condition}`);
      conditions.push(condition);
    }
  }
  return conditions;
}

function conditionValuesOf(raw: unknown, operator: string, key: string, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicyError(`${where}: Condition ${operator} ${key} must have a value`);
  return list.map((item) => {
    if (typeof item === "string") return item;
    if (typeof item === "number" || typeof item === "boolean") return String(item);
    throw new PolicyError(`${where}: Condition ${operator} ${key} values must be strings, numbers or booleans`);
  });
}
