/**
 * Finding the function a request names — by name, partial or full ARN, with a qualifier in the
 * name or given apart — and the version it runs: `$LATEST`, a published version, or the version
 * an alias points at — for a run, the alias's RoutingConfig sends each invocation to its additional
 * version with that version's weight. Actions use `locateFunction` (which throws Lambda's errors);
 * the trigger engine and asynchronous invocations use the FunctionResolver over it.
 */
import type { LambdaContext } from "./action.js";
import { lambdaErrors, LambdaError } from "./errors.js";
import { functionArnOf, isVersionNumber, parseFunctionName } from "./function-names.js";
import type { AliasRecord, FunctionItem, VersionRecord } from "./function-records.js";
import type { Change, FunctionStore } from "./function-store.js";
import type { FunctionResolver, ResolvedFunction } from "./model.js";
import type { Random } from "../util/random.js";

export interface Located {
  readonly accountId: string;
  readonly name: string;
  /** The unqualified function ARN. */
  readonly functionArn: string;
  readonly item: FunctionItem;
  /** The configuration of the version run. */
  readonly record: VersionRecord;
  /** The qualifier the caller gave (name or parameter), if any. */
  readonly qualifier?: string;
  readonly alias?: AliasRecord;
}

export interface NamedFunction {
  readonly accountId: string;
  readonly name: string;
  readonly functionArn: string;
  readonly qualifier?: string;
}

/** The function a FunctionName (+ Qualifier) names, without reading it. Throws Lambda's errors. */
export function nameFunction(region: string, callerAccountId: string, nameOrArn: string, qualifierParam?: string, options: { invoke?: boolean } = {}): NamedFunction {
  const parsed = parseFunctionName(nameOrArn, options);
  if (parsed instanceof LambdaError) throw parsed;
  if (parsed.region !== undefined && parsed.region !== region) throw lambdaErrors.otherRegion(parsed.region, region);
  if (parsed.qualifier !== undefined && qualifierParam !== undefined && parsed.qualifier !== qualifierParam) {
    throw lambdaErrors.invalidParameterValue("The derived qualifier from the function name does not match the specified qualifier.");
  }
  const accountId = parsed.accountId ?? callerAccountId;
  const qualifier = parsed.qualifier ?? qualifierParam;
  return { accountId, name: parsed.name, functionArn: functionArnOf(region, accountId, parsed.name), ...(qualifier !== undefined && { qualifier }) };
}

/** nameFunction for the operations on the function itself: a qualifier is refused, worded as Lambda words it. */
export function nameUnqualifiedFunction(region: string, callerAccountId: string, nameOrArn: string): NamedFunction {
  const named = nameFunction(region, callerAccountId, nameOrArn);
  if (named.qualifier !== undefined) {
    throw lambdaErrors.invalidParameterValue(
      "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
    );
  }
  return named;
}

/** The named function's item; ResourceNotFoundException (with the unqualified ARN) when absent. */
export async function readFunction(store: FunctionStore, named: NamedFunction): Promise<FunctionItem> {
  const item = await store.getFunction(named.accountId, named.name);
  if (item === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
  return item;
}

/** A change of the named function's item; ResourceNotFoundException (with the unqualified ARN) when absent. */
export function changeFunction<T>(store: FunctionStore, named: NamedFunction, decide: (current: FunctionItem) => Change<T> | Promise<Change<T>>): Promise<T> {
  return store.change(named.accountId, named.name, (current) => {
    if (current === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
    return decide(current);
  });
}

/** The function and version a FunctionName (+ Qualifier) names. Throws ResourceNotFoundException when absent. */
export async function locateFunction(
  store: FunctionStore,
  region: string,
  callerAccountId: string,
  nameOrArn: string,
  qualifierParam?: string,
  options: { invoke?: boolean; route?: Random } = {},
): Promise<Located> {
  const named = nameFunction(region, callerAccountId, nameOrArn, qualifierParam, options);
  const { accountId, name, functionArn, qualifier } = named;
  const notFound = () => lambdaErrors.functionNotFound(qualifier === undefined ? functionArn : `${functionArn}:${qualifier}`);
  const item = await store.getFunction(accountId, name);
  if (item === undefined) throw notFound();
  const base = { accountId, name, functionArn, item, ...(qualifier !== undefined && { qualifier }) };
  if (qualifier === undefined || qualifier === "$LATEST") return { ...base, record: item.latest };
  if (isVersionNumber(qualifier)) {
    const record = await store.getVersion(accountId, name, Number(qualifier));
    if (record === undefined) throw notFound();
    return { ...base, record };
  }
  const alias = item.aliases[qualifier];
  if (alias === undefined) throw notFound();
  const version = options.route === undefined ? alias.FunctionVersion : routedVersion(alias, options.route);
  const record = version === "$LATEST" ? item.latest : await store.getVersion(accountId, name, Number(version));
  if (record === undefined) throw notFound();
  return { ...base, record, alias };
}

/** A uniform draw in [0, 1) from 48 random bits. */
function unitInterval(random: Random): number {
  return random.bytes(6).readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The version one invocation of an alias runs: its RoutingConfig's additional version with that
 * version's weight (0.0–1.0), otherwise the alias's own version (Lambda's weighted alias routing).
 */
export function routedVersion(alias: AliasRecord, random: Random): string {
  const additional = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {})[0];
  if (additional === undefined) return alias.FunctionVersion;
  const [version, weight] = additional;
  return unitInterval(random) < weight ? version : alias.FunctionVersion;
}

/** What the sandboxes need of a located function version. */
export function resolvedOf(located: Located, region: string): ResolvedFunction {
  const { record, item } = located;
  const versionArn = `${located.functionArn}:${record.Version}`;
  return {
    accountId: located.accountId,
    region,
    functionName: located.name,
    functionArn: located.functionArn,
    versionArn,
    invokedArn: located.qualifier === undefined ? located.functionArn : `${located.functionArn}:${located.qualifier}`,
    version: record.Version,
    revisionId: record.revisionId,
    runtime: record.Runtime,
    handler: record.Handler,
    code: record.code,
    layers: record.Layers.map((layer) => ({ arn: layer.Arn, code: layer.code })),
    environment: { ...(record.Environment ?? {}) },
    timeoutSeconds: record.Timeout,
    memorySizeMB: record.MemorySize,
    ephemeralStorageMB: record.EphemeralStorageSize,
    role: record.Role,
    architecture: record.Architectures[0] ?? "x86_64",
    ...(item.reservedConcurrency !== undefined && { reservedConcurrency: item.reservedConcurrency }),
    logGroupName: record.LoggingConfig.LogGroup,
  };
}

/** The FunctionResolver the trigger engine and asynchronous invocations use (routing aliases by weight): undefined for a function that is not there. */
export function functionResolver(store: FunctionStore, region: string, random: Random): FunctionResolver {
  return {
    async resolve(accountId, nameOrArn, qualifier) {
      try {
        return resolvedOf(await locateFunction(store, region, accountId, nameOrArn, qualifier, { invoke: true, route: random }), region);
      } catch (error) {
        if (error instanceof LambdaError && error.statusCode < 500) return undefined;
        throw error;
      }
    },
  };
}

/** The store behind a LambdaContext (index.ts builds the context with one). */
export interface LambdaStores {
  readonly store: FunctionStore;
}

export type StoreContext = LambdaContext & LambdaStores;
