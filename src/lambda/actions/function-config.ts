/**
 * The configuration members CreateFunction and UpdateFunctionConfiguration share — Runtime,
 * Handler, Role, Timeout, MemorySize, Environment, Layers, Description, Architectures,
 * EphemeralStorage, LoggingConfig, TracingConfig — read and checked with Lambda's limits and
 * wording (Lambda quotas; the model's constraints; messages recorded from AWS).
 */
import type { ApiContext } from "../api-context.js";
import type { CodeLease } from "../code-store.js";
import { lambdaErrors, runtimeDeprecatedMessage } from "../errors.js";
import { parseLayerVersionArn } from "../function-names.js";
import type { LoggingConfig, StoredLayer } from "../function-records.js";
import { checkLength, checkRange, optionalObject, optionalString, optionalStringList, optionalNumber, optionalStringMap, Violations } from "./members.js";

export const timeoutSecondsDefault = 3;
export const timeoutSecondsMax = 900;
export const memorySizeMBDefault = 128;
export const memorySizeMBMin = 128;
export const memorySizeMBMax = 10240;
export const ephemeralStorageMBDefault = 512;
export const ephemeralStorageMBMax = 10240;
/** The environment variables, as JSON without spaces, may take 4 KB. */
export const environmentBytesMax = 4096;
export const layersPerFunctionMax = 5;
export const descriptionLengthMax = 256;

/** Runtimes Lambda takes today, in the order its ValidationException lists them. */
const runtimesListed = [
  "nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13", "nodejs24.x", "nodejs22.x", "java25", "python3.10", "python3.11",
  "java21", "ruby3.3", "ruby3.4", "ruby3.2", "python3.8", "python3.9", "java17", "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6",
  "nodejs18.x", "provided.al2", "java8.al2",
];
const runtimes: ReadonlySet<string> = new Set(runtimesListed);
/** Runtimes Lambda has retired for creations and updates. */
const deprecatedRuntimes: ReadonlySet<string> = new Set([
  "java8", "go1.x", "provided", "ruby2.7", "ruby2.5", "nodejs14.x", "nodejs12.x", "nodejs10.x", "nodejs8.10", "nodejs6.10", "nodejs4.3", "nodejs",
  "python3.7", "python3.6", "python2.7", "dotnetcore3.1", "dotnetcore2.1", "dotnetcore2.0", "dotnetcore1.0",
]);

export const rolePattern = "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+";
const roleRegex = new RegExp(`^${rolePattern}$`);
const handlerPattern = "[^\\s]+";

/** Keys the runtime sets itself; a function may not (Lambda's "Defined runtime environment variables"). */
const reservedEnvironmentKeys: ReadonlySet<string> = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

/** The configuration members a request set (undefined: not given). */
export interface ConfigInput {
  Runtime?: string;
  Handler?: string;
  Role?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: Record<string, string>;
  Layers?: StoredLayer[];
  Architectures?: ("x86_64" | "arm64")[];
  EphemeralStorageSize?: number;
  LoggingConfig?: Partial<LoggingConfig>;
  TracingMode?: "PassThrough" | "Active";
}

/** Reads and checks the configuration members; layers are looked up (they must exist). */
export async function readConfig(context: ApiContext, lease: CodeLease, json: Record<string, unknown>): Promise<ConfigInput> {
  const { accountId } = lease;
  const violations = new Violations();
  const input: ConfigInput = {};
  const role = optionalString(json, "Role");
  if (role !== undefined) {
    if (!roleRegex.test(role)) violations.add(role, "role", `Member must satisfy regular expression pattern: ${rolePattern}`);
    input.Role = role;
  }
  const handler = optionalString(json, "Handler");
  if (handler !== undefined) {
    if (handler.length > 128) violations.add(handler, "handler", "Member must have length less than or equal to 128");
    else if (!/^[^\s]+$/.test(handler)) violations.add(handler, "handler", `Member must satisfy regular expression pattern: ${handlerPattern}`);
    input.Handler = handler;
  }
  const description = optionalString(json, "Description");
  checkLength(violations, description, "description", descriptionLengthMax);
  if (description !== undefined) input.Description = description;
  const timeout = optionalNumber(json, "Timeout");
  checkRange(violations, timeout, "timeout", 1, timeoutSecondsMax);
  if (timeout !== undefined) input.Timeout = timeout;
  const memory = optionalNumber(json, "MemorySize");
  checkRange(violations, memory, "memorySize", memorySizeMBMin, memorySizeMBMax);
  if (memory !== undefined) input.MemorySize = memory;
  const architectures = optionalStringList(json, "Architectures");
  if (architectures !== undefined) {
    if (architectures.length > 1) violations.add(`[${architectures.join(", ")}]`, "architectures", "Member must have length less than or equal to 1");
    else if (architectures.length === 1 && architectures[0] !== "x86_64" && architectures[0] !== "arm64") {
      violations.add(`[${architectures.join(", ")}]`, "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]");
    } else if (architectures.length === 1) input.Architectures = architectures as ("x86_64" | "arm64")[];
  }
  const storage = optionalObject(json, "EphemeralStorage");
  if (storage !== undefined) {
    const size = optionalNumber(storage, "Size");
    checkRange(violations, size, "ephemeralStorage.size", ephemeralStorageMBDefault, ephemeralStorageMBMax);
    if (size !== undefined) input.EphemeralStorageSize = size;
  }
  const tracing = optionalObject(json, "TracingConfig");
  const tracingMode = tracing === undefined ? undefined : optionalString(tracing, "Mode");
  if (tracingMode !== undefined) {
    if (tracingMode !== "Active" && tracingMode !== "PassThrough") violations.add(tracingMode, "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]");
    else input.TracingMode = tracingMode;
  }
  const logging = optionalObject(json, "LoggingConfig");
  if (logging !== undefined) input.LoggingConfig = readLogging(violations, logging);
  violations.check();

  const runtime = optionalString(json, "Runtime");
  if (runtime !== undefined) {
    checkRuntime(runtime);
    input.Runtime = runtime;
  }
  const environment = optionalObject(json, "Environment");
  if (environment !== undefined) input.Environment = checkEnvironment(optionalStringMap(environment, "Variables") ?? {});
  const layers = optionalStringList(json, "Layers");
  if (layers !== undefined) input.Layers = await resolveLayers(context, lease, layers);
  return input;
}

function readLogging(violations: Violations, logging: Record<string, unknown>): Partial<LoggingConfig> {
  const config: Partial<LoggingConfig> = {};
  const format = optionalString(logging, "LogFormat");
  if (format !== undefined) {
    if (format !== "Text" && format !== "JSON") violations.add(format, "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]");
    else config.LogFormat = format;
  }
  const group = optionalString(logging, "LogGroup");
  if (group !== undefined) config.LogGroup = group;
  const levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
  for (const member of ["ApplicationLogLevel", "SystemLogLevel"] as const) {
    const level = optionalString(logging, member);
    if (level === undefined) continue;
    const allowed = member === "SystemLogLevel" ? ["DEBUG", "INFO", "WARN"] : levels;
    if (!allowed.includes(level)) violations.add(level, `loggingConfig.${member.charAt(0).toLowerCase()}${member.slice(1)}`, `Member must satisfy enum value set: [${allowed.join(", ")}]`);
    else config[member] = level;
  }
  return config;
}

export function checkRuntime(runtime: string): void {
  if (runtimes.has(runtime)) return;
  if (deprecatedRuntimes.has(runtime)) throw lambdaErrors.invalidParameterValue(runtimeDeprecatedMessage(runtime));
  throw lambdaErrors.invalidParameterValue(
    `Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${runtimesListed.join(", ")}] or be a valid ARN`,
  );
}

function checkEnvironment(variables: Record<string, string>): Record<string, string> {
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > environmentBytesMax) {
    throw lambdaErrors.invalidParameterValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  const reserved = Object.keys(variables).filter((key) => reservedEnvironmentKeys.has(key));
  if (reserved.length > 0) {
    throw lambdaErrors.invalidParameterValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  const badKey = Object.keys(variables).find((key) => !/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key));
  if (badKey !== undefined) {
    throw lambdaErrors.validation([`Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`]);
  }
  return variables;
}

const layerArnPattern =
  "(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)";

/** The layer versions a function lists, in order: at most five, each existing, one version per layer. */
/** The layer versions named, each zip pinned by `lease` (so that a DeleteLayerVersion meanwhile cannot collect it). */
async function resolveLayers(context: ApiContext, lease: CodeLease, arns: readonly string[]): Promise<StoredLayer[]> {
  const { accountId } = lease;
  if (arns.length > layersPerFunctionMax) throw lambdaErrors.invalidParameterValue("Cannot reference more than 5 layers.");
  const seen = new Map<string, string>();
  const layers: StoredLayer[] = [];
  for (const arn of arns) {
    const parsed = parseLayerVersionArn(arn);
    if (parsed === undefined) {
      throw lambdaErrors.validation([
        `Value '[${arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${layerArnPattern}, Member must not be null]`,
      ]);
    }
    if (parsed.region !== context.region) {
      throw lambdaErrors.invalidParameterValue(`Layers are not in the same region as the function. Layers are expected to be in region ${context.region}.`);
    }
    const record = parsed.accountId === accountId ? await context.store.getLayerVersion(accountId, parsed.layerName, parsed.version) : undefined;
    if (record === undefined || !(await context.codeStore.pinExisting(lease, record.code))) throw lambdaErrors.invalidParameterValue(`Layer version ${arn} does not exist.`);
    const layerArn = arn.slice(0, arn.lastIndexOf(":"));
    const earlier = seen.get(layerArn);
    if (earlier !== undefined) {
      throw lambdaErrors.invalidParameterValue(
        `Two different versions of the same layer are not allowed to be referenced in the same function. ${earlier} and ${arn} are versions of the same layer.`,
      );
    }
    seen.set(layerArn, arn);
    layers.push({ Arn: arn, CodeSize: record.code.sizeBytes, code: record.code });
  }
  return layers;
}

export function loggingConfigOf(name: string, given: Partial<LoggingConfig> | undefined, current?: LoggingConfig): LoggingConfig {
  const format = given?.LogFormat ?? current?.LogFormat ?? "Text";
  const config: LoggingConfig = { LogFormat: format, LogGroup: given?.LogGroup ?? current?.LogGroup ?? `/aws/lambda/${name}` };
  // Log levels apply to JSON logs only; switching to JSON sets them to INFO, as Lambda does.
  if (format === "JSON") {
    config.ApplicationLogLevel = given?.ApplicationLogLevel ?? current?.ApplicationLogLevel ?? "INFO";
    config.SystemLogLevel = given?.SystemLogLevel ?? current?.SystemLogLevel ?? "INFO";
  }
  return config;
}
