/**
 * Condition blocks: `"Condition": {"<Operator>": {"<key>": value or [values]}}`, every operator
 * and key of a statement must hold (AND), any value of one key may match (OR). Operators take the
 * prefixes `ForAnyValue:` / `ForAllValues:` (multivalued keys) and the suffix `IfExists`. As IAM
 * documents: a key missing from the request makes a condition false, except for the negated
 * operators (StringNotEquals, NotIpAddress, ...) and IfExists, which are then true; ForAllValues
 * is true and ForAnyValue false for a missing key; Null tests only presence.
 */
import { BlockList, isIP } from "node:net";
import { compileArnPattern, arnMatches, compileGlob, globMatches } from "./wildcard.js";
import type { ConditionContext } from "./types.js";

export type SetQualifier = "none" | "ForAnyValue" | "ForAllValues";

export interface Condition {
  /** The operator as written (`ForAnyValue:StringLikeIfExists`), for messages. */
  operator: string;
  /** The key, lower-cased: keys compare case-insensitively. */
  key: string;
  qualifier: SetQualifier;
  ifExists: boolean;
  /** Null's expectation: true for "key absent", false for "key present"; undefined for other operators. */
  expectAbsent?: boolean;
  /** A negated operator: a missing key satisfies it. */
  negated: boolean;
  /** Whether one request value satisfies the operator against the policy's values. */
  test: (value: string) => boolean;
}

type ValueMatcher = (value: string) => boolean;
/** Compiles the policy's values for one operator into a matcher, or returns an error message. */
type Compiler = (values: readonly string[]) => ValueMatcher | string;

interface OperatorDefinition {
  negated: boolean;
  compile: Compiler;
}

const stringEquals: Compiler = (values) => {
  const set = new Set(values);
  return (value) => set.has(value);
};
const stringEqualsIgnoreCase: Compiler = (values) => {
  const set = new Set(values.map((value) => value.toLowerCase()));
  return (value) => set.has(value.toLowerCase());
};
const stringLike: Compiler = (values) => {
  const globs = values.map((value) => compileGlob(value, false));
  return (value) => globs.some((glob) => globMatches(glob, value));
};
const arnLike: Compiler = (values) => {
  const patterns = values.map((value) => compileArnPattern(value));
  if (patterns.some((pattern) => pattern === undefined)) return "ARN condition values must be ARNs";
  return (value) => patterns.some((pattern) => arnMatches(pattern!, value));
};

function numeric(compare: (request: number, policy: number) => boolean): Compiler {
  return (values) => {
    const numbers = values.map(parseNumber);
    if (numbers.some((number) => number === undefined)) return "numeric condition values must be numbers";
    return (value) => {
      const request = parseNumber(value);
      return request !== undefined && numbers.some((policy) => compare(request, policy!));
    };
  };
}

function date(compare: (request: number, policy: number) => boolean): Compiler {
  return (values) => {
    const times = values.map(parseDateMs);
    if (times.some((time) => time === undefined)) return "date condition values must be ISO 8601 dates or epoch seconds";
    return (value) => {
      const request = parseDateMs(value);
      return request !== undefined && times.some((policy) => compare(request, policy!));
    };
  };
}

const bool: Compiler = (values) => {
  const wanted = values.map((value) => value.toLowerCase());
  if (wanted.some((value) => value !== "true" && value !== "false")) return "Bool condition values must be true or false";
  return (value) => wanted.includes(value.toLowerCase());
};

const ipAddress: Compiler = (values) => {
  const blocks = new BlockList();
  for (const value of values) {
    const [address = "", prefix] = value.split("/");
    const family = isIP(address);
    if (family === 0) return `invalid IP address or CIDR block ${value}`;
    const type = family === 4 ? "ipv4" : "ipv6";
    const bitsMax = family === 4 ? 32 : 128;
    const bits = prefix === undefined ? bitsMax : Number(prefix);
    if (!/^\d{1,3}$/.test(prefix ?? String(bitsMax)) || bits > bitsMax) return `invalid IP address or CIDR block ${value}`;
    blocks.addSubnet(address, bits, type);
  }
  return (value) => {
    // Sockets report IPv4 clients of a dual-stack listener as IPv4-mapped IPv6 addresses.
    const address = value.startsWith("::ffff:") && isIP(value.slice(7)) === 4 ? value.slice(7) : value;
    const family = isIP(address);
    return family !== 0 && blocks.check(address, family === 4 ? "ipv4" : "ipv6");
  };
};

const binaryEquals: Compiler = (values) => {
  const set = new Set(values);
  return (value) => set.has(value);
};

const operators: Readonly<Record<string, OperatorDefinition>> = {
  StringEquals: { negated: false, compile: stringEquals },
  StringNotEquals: { negated: true, compile: stringEquals },
  StringEqualsIgnoreCase: { negated: false, compile: stringEqualsIgnoreCase },
  StringNotEqualsIgnoreCase: { negated: true, compile: stringEqualsIgnoreCase },
  StringLike: { negated: false, compile: stringLike },
  StringNotLike: { negated: true, compile: stringLike },
  NumericEquals: { negated: false, compile: numeric((a, b) => a === b) },
  NumericNotEquals: { negated: true, compile: numeric((a, b) => a === b) },
  NumericLessThan: { negated: false, compile: numeric((a, b) => a < b) },
  NumericLessThanEquals: { negated: false, compile: numeric((a, b) => a <= b) },
  NumericGreaterThan: { negated: false, compile: numeric((a, b) => a > b) },
  NumericGreaterThanEquals: { negated: false, compile: numeric((a, b) => a >= b) },
  DateEquals: { negated: false, compile: date((a, b) => a === b) },
  DateNotEquals: { negated: true, compile: date((a, b) => a === b) },
  DateLessThan: { negated: false, compile: date((a, b) => a < b) },
  DateLessThanEquals: { negated: false, compile: date((a, b) => a <= b) },
  DateGreaterThan: { negated: false, compile: date((a, b) => a > b) },
  DateGreaterThanEquals: { negated: false, compile: date((a, b) => a >= b) },
  Bool: { negated: false, compile: bool },
  BinaryEquals: { negated: false, compile: binaryEquals },
  IpAddress: { negated: false, compile: ipAddress },
  NotIpAddress: { negated: true, compile: ipAddress },
  ArnEquals: { negated: false, compile: arnLike },
  ArnLike: { negated: false, compile: arnLike },
  ArnNotEquals: { negated: true, compile: arnLike },
  ArnNotLike: { negated: true, compile: arnLike },
};

function parseNumber(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
}

/** ISO 8601 (`2026-01-01T00:00:00Z`) or epoch seconds, as IAM's Date operators take them. */
function parseDateMs(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Compiles one `operator: {key: values}` entry of a Condition block; a string is the problem with it.
 * Values are the policy's, already turned into strings (IAM accepts numbers and booleans too).
 */
export function compileCondition(operator: string, key: string, values: readonly string[]): Condition | string {
  let name = operator;
  let qualifier: SetQualifier = "none";
  for (const prefix of ["ForAnyValue", "ForAllValues"] as const) {
    if (name.startsWith(`${prefix}:`)) {
      qualifier = prefix;
      name = name.slice(prefix.length + 1);
    }
  }
  if (name === "Null") {
    if (qualifier !== "none") return `Null cannot take ${qualifier}`;
    const wanted = values.map((value) => value.toLowerCase());
    if (wanted.length !== 1 || (wanted[0] !== "true" && wanted[0] !== "false")) return "Null takes a single value, true or false";
    return { operator, key: key.toLowerCase(), qualifier, ifExists: false, expectAbsent: wanted[0] === "true", negated: false, test: () => false };
  }
  const ifExists = name.endsWith("IfExists");
  if (ifExists) name = name.slice(0, -"IfExists".length);
  const definition = Object.prototype.hasOwnProperty.call(operators, name) ? operators[name] : undefined;
  if (!definition) return `unknown condition operator ${operator}`;
  const matcher = definition.compile(values);
  if (typeof matcher === "string") return `${operator}: ${matcher}`;
  const test: ValueMatcher = definition.negated ? (value) => !matcher(value) : matcher;
  return { operator, key: key.toLowerCase(), qualifier, ifExists, negated: definition.negated, test };
}

/** Condition keys of a request, lower-cased once so every condition looks its key up directly. */
export type NormalizedContext = ReadonlyMap<string, readonly string[]>;

export function normalizeContext(context: ConditionContext): NormalizedContext {
  const normalized = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(context)) {
    normalized.set(key.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  return normalized;
}

export function conditionHolds(condition: Condition, context: NormalizedContext): boolean {
  const values = context.get(condition.key);
  const present = values !== undefined && values.length > 0;
  if (condition.expectAbsent !== undefined) return condition.expectAbsent !== present;
  if (condition.qualifier === "ForAllValues") return !present || values.every(condition.test);
  if (condition.qualifier === "ForAnyValue") return present && values.some(condition.test);
  if (!present) return condition.ifExists || condition.negated;
  // A negated operator over several values holds only if no value matches.
  return condition.negated ? values.every(condition.test) : values.some(condition.test);
}
