/**
 * IAM policies, unit by unit: the grammar (parsePolicyDocument), wildcard matching of actions and
 * ARNs, the condition operators, and AWS's evaluation logic for identity and resource policies.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EvaluationCache, evaluate, explain, parsePolicyDocument, type ConditionContext, type PolicyDocument, type PolicyPrincipal } from "../../src/auth/policy/index.js";
import { arnMatches, compileArnPattern, compileGlob, globMatches } from "../../src/auth/policy/wildcard.js";

const stream = "arn:aws:kinesis:us-east-1:111122223333:stream/orders";
const consumer = `${stream}/consumer/reader:1700000000`;

function policy(document: unknown, kind: "identity" | "resource" = "identity"): PolicyDocument {
  const parsed = parsePolicyDocument(JSON.stringify(document), kind);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.message);
  return parsed.policy;
}

function allow(action: unknown, resource: unknown = "*", extra: Record<string, unknown> = {}) {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource, ...extra }] };
}

function deny(action: unknown, resource: unknown = "*", extra: Record<string, unknown> = {}) {
  return { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: action, Resource: resource, ...extra }] };
}

function principalOf(accountId: string, ...documents: unknown[]): PolicyPrincipal {
  return { accountId, arn: `arn:aws:iam::${accountId}:user/alice`, policies: documents.map((document) => policy(document)) };
}

describe("auth > policy > grammar", () => {
  const valid: [string, unknown, "identity" | "resource"][] = [
    ["a single statement object", { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "kinesis:*", Resource: "*" } }, "identity"],
    ["a statement list with Sids", { Version: "2012-10-17", Statement: [{ Sid: "a", Effect: "Allow", Action: ["kinesis:Get*", "kinesis:List*"], Resource: [stream] }, { Sid: "b", Effect: "Deny", NotAction: "kinesis:Get*", NotResource: stream }] }, "identity"],
    ["no Version (IAM's 2008-10-17)", { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, "identity"],
    ["conditions with numbers and booleans", allow("kinesis:PutRecord", stream, { Condition: { Bool: { "aws:SecureTransport": true }, NumericLessThan: { "aws:EpochTime": 2000000000 } } }), "identity"],
    ["a resource policy naming an account", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "444455556666" }, Action: "kinesis:GetRecords", Resource: stream }] }, "resource"],
    ["a resource policy without Resource", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "kinesis:GetRecords" }] }, "resource"],
    ["NotPrincipal with role and root ARNs", { Version: "2012-10-17", Statement: [{ Effect: "Deny", NotPrincipal: { AWS: ["arn:aws:iam::444455556666:root", "arn:aws:iam::444455556666:role/reader"] }, Action: "kinesis:*", Resource: "*" }] }, "resource"],
  ];
  for (const [name, document, kind] of valid) {
    it(`accepts ${name}`, () => {
      const parsed = parsePolicyDocument(JSON.stringify(document), kind);
      assert.equal(parsed.ok, true, parsed.ok ? "" : parsed.message);
    });
  }

  const invalid: [string, string, string, "identity" | "resource"][] = [
    ["text that is not JSON", "{", "the policy must be a JSON object", "identity"],
    ["an array", "[]", "the policy must be a JSON object", "identity"],
    ["an unknown top-level field", JSON.stringify({ Statement: [], Foo: 1 }), "unknown field Foo", "identity"],
    ["an unknown Version", JSON.stringify({ Version: "2012-10-18", Statement: [] }), "Version must be one of 2012-10-17, 2008-10-17", "identity"],
    ["no Statement", JSON.stringify({ Version: "2012-10-17" }), "missing required field Statement", "identity"],
    ["an empty Statement list", JSON.stringify({ Version: "2012-10-17", Statement: [] }), "Statement must contain at least one statement", "identity"],
    ["a statement without Effect", JSON.stringify({ Statement: { Action: "*", Resource: "*" } }), "statement 1: missing required field Effect", "identity"],
    ["an Effect in the wrong case", JSON.stringify({ Statement: { Effect: "allow", Action: "*", Resource: "*" } }), "statement 1: Effect must be Allow or Deny", "identity"],
    ["both Action and NotAction", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", NotAction: "*", Resource: "*" } }), "statement 1: cannot have both Action and NotAction", "identity"],
    ["no Action", JSON.stringify({ Statement: { Sid: "s", Effect: "Allow", Resource: "*" } }), "statement s: missing required field Action or NotAction", "identity"],
    ["an action without a service", JSON.stringify({ Statement: { Effect: "Allow", Action: "PutRecord", Resource: "*" } }), 'statement 1: invalid Action PutRecord: expected "*" or "<service>:<action>"', "identity"],
    ["an empty Action list", JSON.stringify({ Statement: { Effect: "Allow", Action: [], Resource: "*" } }), "statement 1: Action must not be empty", "identity"],
    ["an identity policy without Resource", JSON.stringify({ Statement: { Effect: "Allow", Action: "*" } }), "statement 1: missing required field Resource or NotResource", "identity"],
    ["a Resource that is not an ARN", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "orders" } }), 'statement 1: invalid Resource orders: expected "*" or an ARN', "identity"],
    ["a Resource ARN short of segments", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "arn:aws:kinesis:*:stream/orders" } }), 'statement 1: invalid Resource arn:aws:kinesis:*:stream/orders: expected "*" or an ARN', "identity"],
    ["an identity policy naming a Principal", JSON.stringify({ Statement: { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" } }), "statement 1: an identity-based policy cannot specify Principal", "identity"],
    ["a resource policy without Principal", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }), "statement 1: missing required field Principal or NotPrincipal", "resource"],
    ["a principal that is neither an account nor an ARN", JSON.stringify({ Statement: { Effect: "Allow", Principal: { AWS: "alice" }, Action: "*" } }), "statement 1: invalid principal in Principal: alice", "resource"],
    ["a wildcard inside a principal ARN", JSON.stringify({ Statement: { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:user/*" }, Action: "*" } }), "statement 1: invalid principal in Principal: arn:aws:iam::444455556666:user/*", "resource"],
    ["an unknown principal type", JSON.stringify({ Statement: { Effect: "Allow", Principal: { Robot: "x" }, Action: "*" } }), "statement 1: invalid principal type Robot in Principal", "resource"],
    ["repeated Sids", JSON.stringify({ Statement: [{ Sid: "a", Effect: "Allow", Action: "*", Resource: "*" }, { Sid: "a", Effect: "Deny", Action: "*", Resource: "*" }] }), "statement IDs (Sid) must be unique: a is repeated", "identity"],
    ["an unknown statement field", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*", Actions: "*" } }), "statement 1: unknown field Actions", "identity"],
    ["an unknown condition operator", JSON.stringify(allow("*", "*", { Condition: { StringSorta: { "aws:username": "a" } } })), "statement 1: unknown condition operator StringSorta", "identity"],
    ["a numeric condition on text", JSON.stringify(allow("*", "*", { Condition: { NumericEquals: { "aws:EpochTime": "soon" } } })), "statement 1: NumericEquals: numeric condition values must be numbers", "identity"],
    ["a date condition on text", JSON.stringify(allow("*", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "tomorrow" } } })), "statement 1: DateLessThan: date condition values must be ISO 8601 dates or epoch seconds", "identity"],
    ["a bad CIDR block", JSON.stringify(allow("*", "*", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/33" } } })), "statement 1: IpAddress: invalid IP address or CIDR block 10.0.0.0/33", "identity"],
    ["Null with two values", JSON.stringify(allow("*", "*", { Condition: { Null: { "aws:SourceIp": ["true", "false"] } } })), "statement 1: Null takes a single value, true or false", "identity"],
    ["a condition value that is an object", JSON.stringify(allow("*", "*", { Condition: { StringEquals: { "aws:username": { a: 1 } } } })), "statement 1: Condition StringEquals aws:username values must be strings, numbers or booleans", "identity"],
  ];
  for (const [name, text, message, kind] of invalid) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(parsePolicyDocument(text, kind), { ok: false, message });
    });
  }
});

describe("auth > policy > wildcards", () => {
  const actions: [string, string, boolean][] = [
    ["kinesis:Get*", "kinesis:GetRecords", true],
    ["kinesis:Get*", "kinesis:GetShardIterator", true],
    ["kinesis:Get*", "kinesis:PutRecord", false],
    ["kinesis:get*", "kinesis:GetRecords", true],
    ["KINESIS:PUTRECORD", "kinesis:PutRecord", true],
    ["kinesis:PutRecord", "kinesis:PutRecords", false],
    ["kinesis:PutRecord?", "kinesis:PutRecords", true],
    ["kinesis:PutRecord?", "kinesis:PutRecord", false],
    ["kinesis:*", "kinesis:SubscribeToShard", true],
    ["*", "kinesis:ListStreams", true],
    ["firehose:*", "kinesis:ListStreams", false],
    ["kinesis:*Stream", "kinesis:CreateStream", true],
    ["kinesis:*Stream", "kinesis:ListStreams", false],
  ];
  for (const [pattern, action, expected] of actions) {
    it(`action ${pattern} ${expected ? "matches" : "does not match"} ${action}`, () => {
      assert.equal(globMatches(compileGlob(pattern, true), action), expected);
    });
  }

  const arns: [string, string, boolean][] = [
    ["*", stream, true],
    [stream, stream, true],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/ORDERS", stream, false],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/*", stream, true],
    ["arn:aws:kinesis:*:111122223333:stream/orders", stream, true],
    ["arn:aws:kinesis:us-east-?:111122223333:stream/orders", stream, true],
    ["arn:aws:kinesis:us-east-1:*:stream/ord?rs", stream, true],
    ["arn:aws:kinesis:us-east-1:444455556666:stream/*", stream, false],
    ["arn:aws:kinesis:*:*:*", stream, true],
    // A wildcard does not reach across segments: `*` in the region cannot swallow a colon.
    ["arn:aws:kinesis:*:111122223333:stream/orders", "arn:aws:kinesis:us-east-1:x:111122223333:stream/orders", false],
    ["arn:aws:kinesis:us-east-1:111122223333:*", stream, true],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/*", consumer, true],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/orders/consumer/*", consumer, true],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/orders/consumer/reader:*", consumer, true],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/orders/consumer/reader", consumer, false],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/orders", consumer, false],
    ["arn:aws:kinesis:us-east-1:111122223333:stream/orders", "*", false],
  ];
  for (const [pattern, arn, expected] of arns) {
    it(`resource ${pattern} ${expected ? "matches" : "does not match"} ${arn}`, () => {
      assert.equal(arnMatches(compileArnPattern(pattern)!, arn), expected);
    });
  }
});

describe("auth > policy > conditions", () => {
  const principal = principalOf("111122223333");
  const at = "2026-03-01T12:00:00Z";
  const base: ConditionContext = {
    "aws:CurrentTime": at,
    "aws:EpochTime": String(Date.parse(at) / 1000),
    "aws:SourceIp": "203.0.113.7",
    "aws:SecureTransport": "true",
    "aws:PrincipalArn": principal.arn,
    "aws:PrincipalAccount": "111122223333",
    "aws:RequestedRegion": "us-east-1",
    "aws:username": "alice",
  };
  const cases: [string, Record<string, unknown>, boolean, ConditionContext?][] = [
    ["StringEquals matches exactly", { StringEquals: { "aws:username": "alice" } }, true],
    ["StringEquals is case-sensitive", { StringEquals: { "aws:username": "Alice" } }, false],
    ["StringEquals takes any of several values", { StringEquals: { "aws:username": ["bob", "alice"] } }, true],
    ["condition keys are case-insensitive", { StringEquals: { "AWS:USERNAME": "alice" } }, true],
    ["StringNotEquals", { StringNotEquals: { "aws:username": ["bob", "carol"] } }, true],
    ["StringEqualsIgnoreCase", { StringEqualsIgnoreCase: { "aws:username": "ALICE" } }, true],
    ["StringNotEqualsIgnoreCase", { StringNotEqualsIgnoreCase: { "aws:username": "ALICE" } }, false],
    ["StringLike with *", { StringLike: { "aws:PrincipalArn": "arn:aws:iam::111122223333:user/*" } }, true],
    ["StringLike with ?", { StringLike: { "aws:username": "al?ce" } }, true],
    ["StringNotLike", { StringNotLike: { "aws:username": "a*" } }, false],
    ["ArnLike", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/alice" } }, true],
    ["ArnEquals matches wildcards as ArnLike does", { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:user/*" } }, true],
    ["ArnNotLike", { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::444455556666:*" } }, true],
    ["NumericLessThan", { NumericLessThan: { "aws:EpochTime": 1900000000 } }, true],
    ["NumericGreaterThanEquals", { NumericGreaterThanEquals: { "aws:EpochTime": base["aws:EpochTime"] as string } }, true],
    ["NumericGreaterThan", { NumericGreaterThan: { "aws:EpochTime": base["aws:EpochTime"] as string } }, false],
    ["NumericNotEquals", { NumericNotEquals: { "aws:EpochTime": 1 } }, true],
    ["DateGreaterThan an ISO date", { DateGreaterThan: { "aws:CurrentTime": "2026-01-01T00:00:00Z" } }, true],
    ["DateLessThan an ISO date", { DateLessThan: { "aws:CurrentTime": "2026-01-01T00:00:00Z" } }, false],
    ["DateLessThanEquals epoch seconds", { DateLessThanEquals: { "aws:CurrentTime": base["aws:EpochTime"] as string } }, true],
    ["DateEquals", { DateEquals: { "aws:CurrentTime": at } }, true],
    ["DateNotEquals", { DateNotEquals: { "aws:CurrentTime": at } }, false],
    ["Bool true", { Bool: { "aws:SecureTransport": "true" } }, true],
    ["Bool false over plain HTTP", { Bool: { "aws:SecureTransport": false } }, true, { ...base, "aws:SecureTransport": "false" }],
    ["IpAddress in a block", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, true],
    ["IpAddress a single address", { IpAddress: { "aws:SourceIp": "203.0.113.8" } }, false],
    ["IpAddress an IPv4-mapped client", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, true, { ...base, "aws:SourceIp": "::ffff:203.0.113.7" }],
    ["IpAddress IPv6", { IpAddress: { "aws:SourceIp": "2001:db8::/32" } }, true, { ...base, "aws:SourceIp": "2001:db8::1" }],
    ["NotIpAddress", { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } }, true],
    ["Null true for a missing key", { Null: { "aws:TokenIssueTime": "true" } }, true],
    ["Null false for a present key", { Null: { "aws:SourceIp": "false" } }, true],
    ["Null true for a present key", { Null: { "aws:SourceIp": true } }, false],
    ["a positive operator on a missing key is false", { StringEquals: { "aws:SourceVpc": "vpc-1" } }, false],
    ["a negated operator on a missing key is true", { StringNotEquals: { "aws:SourceVpc": "vpc-1" } }, true],
    ["IfExists on a missing key is true", { StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } }, true],
    ["IfExists on a present key tests it", { StringEqualsIfExists: { "aws:username": "bob" } }, false],
    ["ForAnyValue over a multivalued key", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env", "team"] } }, true, { ...base, "aws:TagKeys": ["owner", "team"] }],
    ["ForAnyValue on a missing key is false", { "ForAnyValue:StringEquals": { "aws:TagKeys": "team" } }, false],
    ["ForAllValues when every value is listed", { "ForAllValues:StringLike": { "aws:TagKeys": ["env", "t*"] } }, true, { ...base, "aws:TagKeys": ["env", "team"] }],
    ["ForAllValues when one value is not", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } }, false, { ...base, "aws:TagKeys": ["env", "team"] }],
    ["ForAllValues on a missing key is true", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } }, true],
    ["every operator must hold", { StringEquals: { "aws:username": "alice" }, Bool: { "aws:SecureTransport": "false" } }, false],
    ["every key of an operator must hold", { StringEquals: { "aws:username": "alice", "aws:RequestedRegion": "eu-west-1" } }, false],
  ];
  for (const [name, condition, expected, context = base] of cases) {
    it(name, () => {
      const subject = { ...principal, policies: [policy(allow("kinesis:PutRecord", stream, { Condition: condition }))] };
      const decision = evaluate({ principal: subject, action: "kinesis:PutRecord", resource: stream, context, resourceAccountId: "111122223333" });
      assert.equal(decision, expected ? "allow" : "implicit-deny");
    });
  }
});

describe("auth > policy > evaluation", () => {
  const home = "111122223333";
  const other = "444455556666";
  const resourcePolicy = (statement: Record<string, unknown>) =>
    policy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kinesis:GetRecords", Resource: stream, ...statement }] }, "resource");

  const cases: {
    name: string;
    principal: PolicyPrincipal;
    action?: string;
    resourcePolicy?: PolicyDocument;
    decision: string;
    kind: string;
  }[] = [
    { name: "nothing attached denies implicitly", principal: principalOf(home), decision: "implicit-deny", kind: "identity-based" },
    { name: "an identity Allow allows", principal: principalOf(home, allow("kinesis:Get*", stream)), decision: "allow", kind: "identity-based" },
    { name: "an Allow for another action does not", principal: principalOf(home, allow("kinesis:PutRecord", stream)), decision: "implicit-deny", kind: "identity-based" },
    { name: "an Allow for another stream does not", principal: principalOf(home, allow("kinesis:*", `${stream}-2`)), decision: "implicit-deny", kind: "identity-based" },
    { name: "NotAction allows the others", principal: principalOf(home, { Statement: { Effect: "Allow", NotAction: "kinesis:Put*", Resource: "*" } }), decision: "allow", kind: "identity-based" },
    { name: "NotAction excludes its own", principal: principalOf(home, { Statement: { Effect: "Allow", NotAction: "kinesis:Get*", Resource: "*" } }), decision: "implicit-deny", kind: "identity-based" },
    { name: "NotResource allows the others", principal: principalOf(home, { Statement: { Effect: "Allow", Action: "*", NotResource: `${stream}-2` } }), decision: "allow", kind: "identity-based" },
    { name: "an identity Deny wins over an Allow", principal: principalOf(home, allow("*"), deny("kinesis:GetRecords", stream)), decision: "explicit-deny", kind: "identity-based" },
    { name: "a Deny in the same policy wins", principal: principalOf(home, { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "kinesis:Get*", Resource: "*" }] }), decision: "explicit-deny", kind: "identity-based" },
    { name: "same account: the resource policy alone allows", principal: principalOf(home), resourcePolicy: resourcePolicy({ Principal: { AWS: home } }), decision: "allow", kind: "identity-based" },
    { name: "same account: a resource policy for someone else does not", principal: principalOf(home), resourcePolicy: resourcePolicy({ Principal: { AWS: `arn:aws:iam::${home}:user/bob` } }), decision: "implicit-deny", kind: "identity-based" },
    { name: "same account: a resource policy naming the user allows", principal: principalOf(home), resourcePolicy: resourcePolicy({ Principal: { AWS: `arn:aws:iam::${home}:user/alice` } }), decision: "allow", kind: "identity-based" },
    { name: "a resource Deny wins over an identity Allow", principal: principalOf(home, allow("*")), resourcePolicy: policy({ Statement: { Effect: "Deny", Principal: "*", Action: "kinesis:*" } }, "resource"), decision: "explicit-deny", kind: "resource-based" },
    { name: "NotPrincipal denies everyone else", principal: principalOf(other, allow("*")), resourcePolicy: policy({ Statement: [{ Effect: "Deny", NotPrincipal: { AWS: home }, Action: "kinesis:*" }, { Effect: "Allow", Principal: "*", Action: "kinesis:*" }] }, "resource"), decision: "explicit-deny", kind: "resource-based" },
    { name: "NotPrincipal spares the named", principal: principalOf(home), resourcePolicy: policy({ Statement: [{ Effect: "Deny", NotPrincipal: { AWS: home }, Action: "kinesis:*" }, { Effect: "Allow", Principal: "*", Action: "kinesis:*" }] }, "resource"), decision: "allow", kind: "identity-based" },
    { name: "cross-account: the identity Allow alone is not enough", principal: principalOf(other, allow("kinesis:GetRecords", stream)), decision: "implicit-deny", kind: "resource-based" },
    { name: "cross-account: the resource policy alone is not enough", principal: principalOf(other), resourcePolicy: resourcePolicy({ Principal: { AWS: other } }), decision: "implicit-deny", kind: "identity-based" },
    { name: "cross-account: both allow", principal: principalOf(other, allow("kinesis:GetRecords", stream)), resourcePolicy: resourcePolicy({ Principal: { AWS: `arn:aws:iam::${other}:root` } }), decision: "allow", kind: "identity-based" },
    { name: "cross-account: a resource policy for another account is not enough", principal: principalOf(other, allow("*")), resourcePolicy: resourcePolicy({ Principal: { AWS: "777788889999" } }), decision: "implicit-deny", kind: "resource-based" },
    { name: "cross-account: Principal * allows", principal: principalOf(other, allow("*")), resourcePolicy: resourcePolicy({ Principal: "*" }), decision: "allow", kind: "identity-based" },
    { name: "cross-account: the resource policy covers one action only", principal: principalOf(other, allow("*")), action: "kinesis:PutRecord", resourcePolicy: resourcePolicy({ Principal: "*" }), decision: "implicit-deny", kind: "resource-based" },
    { name: "a Service principal matches no caller", principal: principalOf(other, allow("*")), resourcePolicy: resourcePolicy({ Principal: { Service: "firehose.amazonaws.com" } }), decision: "implicit-deny", kind: "resource-based" },
  ];
  for (const { name, principal, action = "kinesis:GetRecords", resourcePolicy: attached, decision, kind } of cases) {
    it(name, () => {
      const request = { principal, action, resource: stream, context: {}, resourceAccountId: home, ...(attached && { resourcePolicy: attached }) };
      assert.deepEqual(explain(request), { decision, policyKind: kind });
      assert.equal(evaluate(request), decision);
    });
  }
});

describe("auth > policy > cache", () => {
  it("answers as evaluation does, per principal, action, resource and resource policy", () => {
    const cache = new EvaluationCache();
    const alice = principalOf("111122223333", allow("kinesis:Get*", stream));
    const request = { principal: alice, action: "kinesis:GetRecords", resource: stream, context: {}, resourceAccountId: "111122223333" };
    assert.equal(cache.explain(request).decision, "allow");
    assert.equal(cache.explain(request).decision, "allow");
    assert.equal(cache.explain({ ...request, action: "kinesis:PutRecord" }).decision, "implicit-deny");
    assert.equal(cache.explain({ ...request, resource: `${stream}-2` }).decision, "implicit-deny");
    const denying = cache.resourcePolicy(JSON.stringify({ Statement: { Effect: "Deny", Principal: "*", Action: "*" } }));
    assert.ok(denying);
    assert.equal(cache.explain({ ...request, resourcePolicy: denying }).decision, "explicit-deny");
    // A principal reloaded with other policies is another object, with its own decisions.
    assert.equal(cache.explain({ ...request, principal: principalOf("111122223333") }).decision, "implicit-deny");
  });

  it("evaluates a policy with conditions every time", () => {
    const cache = new EvaluationCache();
    const alice = principalOf("111122223333", allow("kinesis:*", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "2026-01-01T00:00:00Z" } } }));
    const request = { principal: alice, action: "kinesis:GetRecords", resource: stream, resourceAccountId: "111122223333" };
    assert.equal(cache.explain({ ...request, context: { "aws:CurrentTime": "2025-12-31T23:59:59Z" } }).decision, "allow");
    assert.equal(cache.explain({ ...request, context: { "aws:CurrentTime": "2026-01-01T00:00:01Z" } }).decision, "implicit-deny");
  });

  it("parses a resource policy once per text, and ignores one that does not parse", () => {
    const cache = new EvaluationCache();
    const text = JSON.stringify({ Statement: { Effect: "Allow", Principal: "*", Action: "kinesis:GetRecords" } });
    assert.equal(cache.resourcePolicy(text), cache.resourcePolicy(text));
    assert.equal(cache.resourcePolicy("{}"), undefined);
    assert.equal(cache.resourcePolicy(undefined), undefined);
  });
});
