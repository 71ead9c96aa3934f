/**
 * Fault rules as users write them (the `--faults` file and `PUT /_tributary/faults`), and their
 * checker. The format is documented in docs/fault-injection.md:
 *
 *   { "seed": 7,
 *     "rules": [ { "action": "PutRecords", "stream": "orders", "fault": "throttle", "rate": 0.1 },
 *                { "action": "*", "fault": "latency", "latencyMsMin": 50, "latencyMsMax": 150, "schedule": { "every": 3 } } ] }
 *
 * A bad file is refused whole, with the path of the first bad member and what was expected there,
 * so a typo never silently turns a rule off.
 */
import { limits } from "../limits.js";

export const faultKinds = ["throttle", "internal-failure", "service-unavailable", "latency", "partial-failure"] as const;
export type FaultKind = (typeof faultKinds)[number];

/** The per-entry error codes AWS's PutRecords reports. */
export const entryErrorCodes = ["ProvisionedThroughputExceededException", "InternalFailure"] as const;
export type EntryErrorCode = (typeof entryErrorCodes)[number];

/** Which matching calls a rule fires on (1-based call numbers counted per rule). */
export type FaultSchedule = { every: number } | { calls: number[] } | { after: number; count?: number };

export interface FaultRule {
  /** An action name (`PutRecords`) or `*` for every action. */
  action: string;
  /** Only calls naming this stream (by StreamName, StreamARN, ResourceARN or shard iterator). */
  stream?: string;
  fault: FaultKind;
  /** latency: a fixed delay, or a uniform draw from [latencyMsMin, latencyMsMax]. */
  latencyMs?: number;
  latencyMsMin?: number;
  latencyMsMax?: number;
  /** partial-failure: the share of the call's entries that fail (at least one). */
  fraction?: number;
  errorCode?: EntryErrorCode;
  /** Probability that a matching call is faulted, drawn from the seeded random. */
  rate?: number;
  schedule?: FaultSchedule;
  /** Active window, relative to server start (rules from the file) or to the rules' install. */
  fromMs?: number;
  untilMs?: number;
}

export interface FaultConfig {
  /** Seeds the random that rates, latency ranges and partial failures draw from. */
  seed: number;
  rules: FaultRule[];
}

/** Bounds on a rule set, so a file or an admin request cannot make the server do unbounded work. */
export const faultRulesMax = 100;
export const scheduleCallsMax = 10_000;
export const callNumberMax = 2_147_483_647;
export const latencyMsMax = 60_000;
export const faultSeedMax = 4_294_967_295;
/** The largest rules document read from a file or accepted by the admin endpoint. */
export const faultConfigBytesMax = 1024 * 1024;
/** The seed when the document gives none: runs stay repeatable. */
export const faultSeedDefault = 0;

export type FaultConfigOutcome = { ok: true; config: FaultConfig } | { ok: false; message: string };

/** Checks a rules document given as JSON text. */
export function parseFaultConfigText(text: string, knownActions: readonly string[]): FaultConfigOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${(error as Error).message}` };
  }
  return parseFaultConfig(value, knownActions);
}

/** Checks a decoded rules document; returns it normalized (unknown members refused, defaults filled). */
export function parseFaultConfig(value: unknown, knownActions: readonly string[]): FaultConfigOutcome {
  try {
    return { ok: true, config: readConfig(value, new Set(knownActions)) };
  } catch (error) {
    if (error instanceof FaultConfigError) return { ok: false, message: error.message };
    throw error;
  }
}

class FaultConfigError extends Error {}

function fail(path: string, expected: string, value: unknown): never {
  throw new FaultConfigError(`${path}: expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const configMembers = ["seed", "rules"] as const;
const ruleMembers = [
  "action", "stream", "fault", "latencyMs", "latencyMsMin", "latencyMsMax", "fraction", "errorCode", "rate", "schedule", "fromMs", "untilMs",
] as const;

function readObject(value: unknown, path: string, members: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(path, "an object", value);
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!members.includes(key)) throw new FaultConfigError(`${path}: unknown member '${key}' (expected ${members.join(", ")})`);
  }
  return object;
}

function readInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function readFraction(value: unknown, path: string, minExclusive: boolean): number {
  const ok = typeof value === "number" && Number.isFinite(value) && value <= 1 && (minExclusive ? value > 0 : value >= 0);
  if (!ok) fail(path, minExclusive ? "a number greater than 0 and at most 1" : "a number from 0 to 1", value);
  return value as number;
}

function readConfig(value: unknown, knownActions: ReadonlySet<string>): FaultConfig {
  const object = readObject(value, "faults", configMembers);
  const seed = object.seed === undefined ? faultSeedDefault : readInteger(object.seed, "seed", 0, faultSeedMax);
  if (!Array.isArray(object.rules)) fail("rules", `a list of up to ${faultRulesMax} rules`, object.rules);
  if (object.rules.length > faultRulesMax) {
    throw new FaultConfigError(`rules: at most ${faultRulesMax} rules, got ${object.rules.length}`);
  }
  return { seed, rules: object.rules.map((rule, index) => readRule(rule, `rules[${index}]`, knownActions)) };
}

function readRule(value: unknown, path: string, knownActions: ReadonlySet<string>): FaultRule {
  const object = readObject(value, path, ruleMembers);
  const rule: FaultRule = { action: readAction(object.action, `${path}.action`, knownActions), fault: readKind(object.fault, `${path}.fault`) };
  if (object.stream !== undefined) rule.stream = readStreamName(object.stream, `${path}.stream`);
  readEffect(object, path, rule);
  if (object.rate !== undefined && object.schedule !== undefined) {
    throw new FaultConfigError(`${path}: give either rate or schedule, not both`);
  }
  if (object.rate !== undefined) rule.rate = readFraction(object.rate, `${path}.rate`, false);
  if (object.schedule !== undefined) rule.schedule = readSchedule(object.schedule, `${path}.schedule`);
  if (object.fromMs !== undefined) rule.fromMs = readInteger(object.fromMs, `${path}.fromMs`, 0, Number.MAX_SAFE_INTEGER);
  if (object.untilMs !== undefined) rule.untilMs = readInteger(object.untilMs, `${path}.untilMs`, 1, Number.MAX_SAFE_INTEGER);
  if (rule.untilMs !== undefined && rule.untilMs <= (rule.fromMs ?? 0)) {
    throw new FaultConfigError(`${path}.untilMs: expected more than fromMs (${rule.fromMs ?? 0}), got ${rule.untilMs}`);
  }
  return rule;
}

function readAction(value: unknown, path: string, knownActions: ReadonlySet<string>): string {
  if (value === "*" || (typeof value === "string" && knownActions.has(value))) return value;
  fail(path, `'*' or one of ${[...knownActions].sort().join(", ")}`, value);
}

function readKind(value: unknown, path: string): FaultKind {
  if (typeof value === "string" && (faultKinds as readonly string[]).includes(value)) return value as FaultKind;
  fail(path, `one of ${faultKinds.join(", ")}`, value);
}

const streamNamePattern = new RegExp(`^${limits.streamNamePattern}$`);

function readStreamName(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length > limits.streamNameLengthMax || !streamNamePattern.test(value)) {
    fail(path, `a stream name (1 to ${limits.streamNameLengthMax} of a-z, A-Z, 0-9, _ . -)`, value);
  }
  return value;
}

/** The members that belong to one fault kind, refused on any other so a misplaced option is not ignored. */
const effectMembers: Readonly<Record<string, FaultKind>> = {
  latencyMs: "latency",
  latencyMsMin: "latency",
  latencyMsMax: "latency",
  fraction: "partial-failure",
  errorCode: "partial-failure",
};

function readEffect(object: Record<string, unknown>, path: string, rule: FaultRule): void {
  for (const [member, kind] of Object.entries(effectMembers)) {
    if (object[member] !== undefined && rule.fault !== kind) {
      throw new FaultConfigError(`${path}.${member}: only a ${kind} rule takes ${member}, this one is ${rule.fault}`);
    }
  }
  if (rule.fault === "latency") readLatency(object, path, rule);
  if (rule.fault === "partial-failure") {
    if (rule.action !== "PutRecords") {
      throw new FaultConfigError(`${path}.action: a partial-failure rule applies to PutRecords only, got ${describe(rule.action)}`);
    }
    rule.fraction = readFraction(object.fraction, `${path}.fraction`, true);
    rule.errorCode = object.errorCode === undefined ? "ProvisionedThroughputExceededException" : readErrorCode(object.errorCode, `${path}.errorCode`);
  }
}

function readLatency(object: Record<string, unknown>, path: string, rule: FaultRule): void {
  const ranged = object.latencyMsMin !== undefined || object.latencyMsMax !== undefined;
  if (object.latencyMs !== undefined && ranged) {
    throw new FaultConfigError(`${path}: give either latencyMs or latencyMsMin and latencyMsMax, not both`);
  }
  if (!ranged) {
    rule.latencyMs = readInteger(object.latencyMs, `${path}.latencyMs`, 0, latencyMsMax);
    return;
  }
  const min = readInteger(object.latencyMsMin, `${path}.latencyMsMin`, 0, latencyMsMax);
  const max = readInteger(object.latencyMsMax, `${path}.latencyMsMax`, 0, latencyMsMax);
  if (max < min) throw new FaultConfigError(`${path}.latencyMsMax: expected at least latencyMsMin (${min}), got ${max}`);
  rule.latencyMsMin = min;
  rule.latencyMsMax = max;
}

function readErrorCode(value: unknown, path: string): EntryErrorCode {
  if (typeof value === "string" && (entryErrorCodes as readonly string[]).includes(value)) return value as EntryErrorCode;
  fail(path, `one of ${entryErrorCodes.join(", ")}`, value);
}

function readSchedule(value: unknown, path: string): FaultSchedule {
  const object = readObject(value, path, ["every", "calls", "after", "count"]);
  const forms = ["every", "calls", "after"].filter((key) => object[key] !== undefined);
  if (forms.length !== 1) {
    throw new FaultConfigError(`${path}: expected exactly one of every, calls or after (with an optional count), got ${describe(value)}`);
  }
  if (object.count !== undefined && object.after === undefined) {
    throw new FaultConfigError(`${path}.count: only an after schedule takes count`);
  }
  if (object.every !== undefined) return { every: readInteger(object.every, `${path}.every`, 1, callNumberMax) };
  if (object.calls !== undefined) {
    if (!Array.isArray(object.calls) || object.calls.length === 0 || object.calls.length > scheduleCallsMax) {
      fail(`${path}.calls`, `a list of 1 to ${scheduleCallsMax} call numbers`, object.calls);
    }
    return { calls: object.calls.map((call, index) => readInteger(call, `${path}.calls[${index}]`, 1, callNumberMax)) };
  }
  const after = readInteger(object.after, `${path}.after`, 0, callNumberMax);
  return object.count === undefined ? { after } : { after, count: readInteger(object.count, `${path}.count`, 1, callNumberMax) };
}
