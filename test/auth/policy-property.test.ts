/**
 * Seeded property tests of policy evaluation over random policies from a small vocabulary (so
 * statements often apply): an explicit Deny always wins, adding an Allow never turns an explicit
 * deny (nor an allow) into anything else, adding a Deny never turns a deny into an allow, and the
 * decision cache answers as evaluation does. A failure names its seed and case: set
 * POLICY_PROPERTY_SEED to replay it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EvaluationCache, explain, parsePolicyObject, type EvaluationRequest, type PolicyDocument } from "../../src/auth/policy/index.js";
import { SeededRandom } from "../../src/util/random.js";

const seed = Number(process.env.POLICY_PROPERTY_SEED ?? 20260301);
const caseCount = 400;

const home = "111122223333";
const other = "444455556666";
const stream = `arn:aws:kinesis:us-east-1:${home}:stream/orders`;
const streams = [stream, `arn:aws:kinesis:us-east-1:${home}:stream/audit`, `${stream}/consumer/reader:1700000000`];
const actions = ["kinesis:GetRecords", "kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListStreams", "kinesis:SubscribeToShard"];
const actionPatterns = [...actions, "kinesis:Get*", "kinesis:Put*", "kinesis:PutRecord?", "kinesis:*", "*"];
const resourcePatterns = [...streams, "*", `arn:aws:kinesis:*:${home}:stream/*`, `arn:aws:kinesis:us-east-1:${home}:stream/orders/consumer/*`, "arn:aws:kinesis:*:*:*"];
const principalValues: unknown[] = ["*", { AWS: home }, { AWS: other }, { AWS: `arn:aws:iam::${other}:root` }, { AWS: `arn:aws:iam::${home}:user/alice` }];
const conditions: Record<string, unknown>[] = [
  { StringEquals: { "aws:username": "alice" } },
  { StringNotEquals: { "aws:username": "alice" } },
  { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
  { Bool: { "aws:SecureTransport": "true" } },
  { StringLikeIfExists: { "aws:SourceVpc": "vpc-*" } },
];

class Draw {
  private readonly random: SeededRandom;
  constructor(seedValue: number) {
    this.random = new SeededRandom(seedValue);
  }
  int(bound: number): number {
    return Math.floor(this.random.float() * bound);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(probability: number): boolean {
    return this.random.float() < probability;
  }
}

type Statement = Record<string, unknown>;

function statement(draw: Draw, kind: "identity" | "resource", effect = draw.pick(["Allow", "Deny"])): Statement {
  const out: Statement = { Effect: effect };
  out[draw.chance(0.8) ? "Action" : "NotAction"] = draw.chance(0.5) ? draw.pick(actionPatterns) : [draw.pick(actionPatterns), draw.pick(actionPatterns)];
  if (kind === "identity" || draw.chance(0.7)) out[draw.chance(0.85) ? "Resource" : "NotResource"] = draw.pick(resourcePatterns);
  if (kind === "resource") out[draw.chance(0.85) ? "Principal" : "NotPrincipal"] = draw.pick(principalValues);
  if (draw.chance(0.3)) out.Condition = draw.pick(conditions);
  return out;
}

function documentOf(statements: Statement[], kind: "identity" | "resource"): PolicyDocument {
  const parsed = parsePolicyObject({ Version: "2012-10-17", Statement: statements }, kind);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.message);
  return parsed.policy;
}

/** A random situation, kept as raw statements so a property can add to them. */
interface Situation {
  identity: Statement[][];
  resource: Statement[] | undefined;
  accountId: string;
  action: string;
  resourceArn: string;
  context: Record<string, string>;
}

function situation(draw: Draw): Situation {
  const identity = Array.from({ length: draw.int(3) }, () => Array.from({ length: 1 + draw.int(3) }, () => statement(draw, "identity")));
  const resource = draw.chance(0.6) ? Array.from({ length: 1 + draw.int(3) }, () => statement(draw, "resource")) : undefined;
  const context: Record<string, string> = { "aws:username": draw.pick(["alice", "bob"]), "aws:SecureTransport": draw.pick(["true", "false"]) };
  if (draw.chance(0.7)) context["aws:SourceIp"] = draw.pick(["10.1.2.3", "203.0.113.7"]);
  return { identity, resource, accountId: draw.pick([home, other]), action: draw.pick(actions), resourceArn: draw.pick(streams), context };
}

function requestOf(s: Situation): EvaluationRequest {
  const resourcePolicy = s.resource && documentOf(s.resource, "resource");
  return {
    principal: { accountId: s.accountId, arn: `arn:aws:iam::${s.accountId}:user/${s.context["aws:username"]}`, policies: s.identity.map((statements) => documentOf(statements, "identity")) },
    action: s.action,
    resource: s.resourceArn,
    context: s.context,
    ...(resourcePolicy && { resourcePolicy }),
    resourceAccountId: home,
  };
}

/** Adds a statement to one of the identity policies (a new one if there are none) or to the resource policy. */
function withStatement(s: Situation, draw: Draw, added: (kind: "identity" | "resource") => Statement): Situation {
  const toResource = s.resource !== undefined && draw.chance(0.5);
  if (toResource) return { ...s, resource: [...s.resource!, added("resource")] };
  const identity = s.identity.length === 0 ? [[]] : s.identity.map((statements) => [...statements]);
  identity[draw.int(identity.length)]!.push(added("identity"));
  return { ...s, identity };
}

function forEachCase(check: (draw: Draw, s: Situation, label: string) => void): void {
  for (let index = 0; index < caseCount; index++) {
    const draw = new Draw(seed * 7919 + index);
    check(draw, situation(draw), `seed ${seed}, case ${index}`);
  }
}

describe("auth > policy > properties", () => {
  it("an applicable Deny always wins", () => {
    forEachCase((draw, s, label) => {
      const denied = withStatement(s, draw, (kind) => ({ Effect: "Deny", Action: "*", Resource: "*", ...(kind === "resource" && { Principal: "*" }) }));
      assert.equal(explain(requestOf(denied)).decision, "explicit-deny", label);
    });
  });

  it("adding an Allow never turns an explicit deny or an allow into anything else", () => {
    let explicitDenies = 0;
    let allows = 0;
    forEachCase((draw, s, label) => {
      const before = explain(requestOf(s)).decision;
      const after = explain(requestOf(withStatement(s, draw, (kind) => statement(draw, kind, "Allow")))).decision;
      if (before === "explicit-deny") explicitDenies++;
      if (before === "allow") allows++;
      if (before !== "implicit-deny") assert.equal(after, before, label);
    });
    // The vocabulary must produce both outcomes often, or the property proves little.
    assert.ok(explicitDenies > caseCount / 20, `only ${explicitDenies} explicit denies`);
    assert.ok(allows > caseCount / 20, `only ${allows} allows`);
  });

  it("adding a Deny never turns a deny into an allow", () => {
    forEachCase((draw, s, label) => {
      const before = explain(requestOf(s)).decision;
      const after = explain(requestOf(withStatement(s, draw, (kind) => statement(draw, kind, "Deny")))).decision;
      if (before !== "allow") assert.notEqual(after, "allow", label);
      if (before === "explicit-deny") assert.equal(after, "explicit-deny", label);
    });
  });

  it("the decision cache answers as evaluation does", () => {
    const cache = new EvaluationCache();
    forEachCase((_draw, s, label) => {
      const request = requestOf(s);
      assert.deepEqual(cache.explain(request), explain(request), label);
      assert.deepEqual(cache.explain(request), explain(request), label);
    });
  });
});
