/**
 * What CreateAlias and UpdateAlias share: the alias name's pattern, the version it points at (a
 * published version or `$LATEST`, which must exist) and RoutingConfig (one more version, weight
 * 0.0–1.0, never `$LATEST`, never the primary version) — with Lambda's recorded wording.
 */
import type { ApiContext } from "../api-context.js";
import { lambdaErrors } from "../errors.js";
import { aliasNamePattern, isAliasName, isVersionNumber } from "../function-names.js";
import type { AliasRecord } from "../function-records.js";
import { Violations, optionalObject } from "./members.js";

export function checkAliasName(name: string | undefined, member = "name"): string {
  const violations = new Violations();
  if (name === undefined) violations.add(null, member, "Member must not be null");
  else if (name.length > 128) violations.add(name, member, "Member must have length less than or equal to 128");
  else if (!isAliasName(name)) violations.add(name, member, `Member must satisfy regular expression pattern: ${aliasNamePattern}`);
  violations.check();
  return name!;
}

/** The version an alias may point at: `$LATEST` or an existing published version. */
export async function checkAliasVersion(context: ApiContext, accountId: string, name: string, functionArn: string, version: string): Promise<void> {
  if (version === "$LATEST") return;
  if (!isVersionNumber(version)) {
    const violations = new Violations();
    violations.add(version, "functionVersion", "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
    violations.check();
  }
  if ((await context.store.getVersion(accountId, name, Number(version))) === undefined) throw lambdaErrors.functionNotFound(`${functionArn}:${version}`);
}

export async function readRoutingConfig(
  context: ApiContext,
  accountId: string,
  name: string,
  functionArn: string,
  json: Record<string, unknown>,
  primaryVersion: string,
): Promise<AliasRecord["RoutingConfig"] | undefined | null> {
  const routing = optionalObject(json, "RoutingConfig");
  if (routing === undefined) return undefined;
  const weights = optionalObject(routing, "AdditionalVersionWeights") ?? {};
  const entries = Object.entries(weights);
  if (entries.length === 0) return null;
  if (entries.length > 1) throw lambdaErrors.invalidParameterValue("Number of items in AdditionalVersionWeights cannot be greater than 1");
  const [version, weight] = entries[0]!;
  if (!isVersionNumber(version)) {
    throw lambdaErrors.validation([
      `Value '{${version}=${String(weight)}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]`,
    ]);
  }
  if (typeof weight !== "number" || weight < 0 || weight > 1) {
    throw lambdaErrors.validation([
      `Value '{${version}=${typeof weight === "number" ? weight.toFixed(1) : String(weight)}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
    ]);
  }
  if (primaryVersion === "$LATEST") throw lambdaErrors.invalidParameterValue("$LATEST is not supported for an alias pointing to more than 1 version");
  if (version === primaryVersion) throw lambdaErrors.invalidParameterValue(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
  if ((await context.store.getVersion(accountId, name, Number(version))) === undefined) throw lambdaErrors.functionNotFound(`${functionArn}:${version}`);
  return { AdditionalVersionWeights: { [version]: weight } };
}
