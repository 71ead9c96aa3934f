/**
 * The ways a caller names a function (Lambda API reference, "FunctionName"): `my-function`,
 * `my-function:v1` (with a qualifier), the partial ARN `123456789012:function:my-function`, and the
 * full ARN `arn:aws:lambda:us-west-2:123456789012:function:my-function(:qualifier)`. Names are at
 * most 64 characters, ARNs 140 (256 for Invoke); a qualifier is `$LATEST`, a version number or an
 * alias name. The checks answer as Lambda does: the model's ValidationException for the pattern,
 * InvalidParameterValueException for the name's length (recorded from AWS).
 */
import { lambdaErrors, type LambdaError } from "./errors.js";

/** The pattern Lambda's model states for FunctionName (quoted in its ValidationException). */
export const functionNamePattern =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
const functionNameRegex = new RegExp(`^(?:${functionNamePattern})$`);
/** Invoke's pattern also takes dots in the name and `$LATEST.PUBLISHED`. */
const invokeNameRegex = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$/;

export const functionNameLengthMax = 64;
export const functionArnLengthMax = 140;
export const aliasNamePattern = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)";
const aliasNameRegex = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const versionRegex = /^[0-9]+$/;
const layerNameRegex = /^[a-zA-Z0-9-_]+$/;

export interface FunctionName {
  readonly name: string;
  /** The account the ARN names; undefined for a bare name (the caller's). */
  readonly accountId?: string;
  readonly region?: string;
  readonly qualifier?: string;
}

/** "1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: …". */
export function constraintMessage(value: string | null, member: string, constraint: string): string {
  return `Value ${value === null ? "null" : `'${value}'`} at '${member}' failed to satisfy constraint: ${constraint}`;
}

/** Parses a FunctionName as the caller gave it (path or body), or the error Lambda answers. */
export function parseFunctionName(input: string, options: { member?: string; invoke?: boolean } = {}): FunctionName | LambdaError {
  const member = options.member ?? "functionName";
  if (input.length > functionArnLengthMax && !options.invoke) {
    return lambdaErrors.validation([constraintMessage(input, member, `Member must have length less than or equal to ${functionArnLengthMax}`)]);
  }
  const regex = options.invoke ? invokeNameRegex : functionNameRegex;
  if (!regex.test(input)) {
    return lambdaErrors.validation([constraintMessage(input, member, `Member must satisfy regular expression pattern: ${functionNamePattern}`)]);
  }
  const parts = input.split(":");
  let parsed: FunctionName;
  if (parts[0] === "arn") {
    // arn:partition:lambda:region:account:function:name[:qualifier]
    parsed = { region: parts[3]!, accountId: parts[4]!, name: parts[6]!, ...(parts[7] !== undefined && { qualifier: parts[7] }) };
  } else if (parts[1] === "function") {
    parsed = { accountId: parts[0]!, name: parts[2]!, ...(parts[3] !== undefined && { qualifier: parts[3] }) };
  } else {
    parsed = { name: parts[0]!, ...(parts[1] !== undefined && { qualifier: parts[1] }) };
  }
  if (parsed.name.length > functionNameLengthMax) {
    return lambdaErrors.invalidParameterValue(
      `1 validation error detected: ${constraintMessage(parsed.name, member, `Member must have length less than or equal to ${functionNameLengthMax}`)}`,
    );
  }
  return parsed;
}

/** Whether `qualifier` is one Lambda accepts at all: $LATEST, a version, or an alias name. */
export function isQualifier(qualifier: string): boolean {
  return qualifier === "$LATEST" || versionRegex.test(qualifier) || aliasNameRegex.test(qualifier);
}

export function isVersionNumber(qualifier: string): boolean {
  return versionRegex.test(qualifier);
}

export function isAliasName(name: string): boolean {
  return aliasNameRegex.test(name) && name.length <= 128;
}

export function isLayerName(name: string): boolean {
  return layerNameRegex.test(name) && name.length <= 140;
}

export function functionArnOf(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier === undefined ? "" : `:${qualifier}`}`;
}

export function layerArnOf(region: string, accountId: string, layerName: string, version?: number): string {
  return `arn:aws:lambda:${region}:${accountId}:layer:${layerName}${version === undefined ? "" : `:${version}`}`;
}

/** The parts of a layer version ARN, or undefined if it is not one. */
export function parseLayerVersionArn(arn: string): { region: string; accountId: string; layerName: string; version: number } | undefined {
  const match = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/.exec(arn);
  if (match === null) return undefined;
  return { region: match[1]!, accountId: match[2]!, layerName: match[3]!, version: Number(match[4]) };
}

/** A layer name or layer ARN (GetLayerVersion's LayerName): the name, and the account when an ARN names one. */
export function parseLayerName(input: string): { layerName: string; accountId?: string; region?: string } | undefined {
  const match = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)$/.exec(input);
  if (match !== null) return { region: match[1]!, accountId: match[2]!, layerName: match[3]! };
  return isLayerName(input) ? { layerName: input } : undefined;
}
