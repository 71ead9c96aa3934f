/**
 * CreateFunction (POST /2015-03-31/functions): a Zip function from `Code.ZipFile` or
 * `Code.S3Bucket`/`S3Key`. Answers 201 with the configuration, State Pending; the function is
 * Active `settleMs` later (function-records.ts). Publish also publishes version 1.
 */
import { LambdaError, lambdaErrors } from "../errors.js";
import { functionArnOf, parseFunctionName } from "../function-names.js";
import { functionConfiguration, settleMs, type FunctionItem, type VersionRecord } from "../function-records.js";
import { randomUUIDFrom } from "../../util/uuid.js";
import type { LambdaRequest, LambdaResponse } from "../action.js";
import type { ApiContext } from "../api-context.js";
import type { CodeLease } from "../code-store.js";
import { readCode } from "./code-input.js";
import { defineApiAction } from "./define.js";
import { ephemeralStorageMBDefault, loggingConfigOf, memorySizeMBDefault, readConfig, timeoutSecondsDefault } from "./function-config.js";
import { optionalBoolean, optionalObject, optionalString, Violations } from "./members.js";
import { publishVersion } from "./publish.js";
import { readTags } from "./tags.js";

export const createFunction = defineApiAction({
  name: "CreateFunction",
  method: "POST",
  path: "/2015-03-31/functions",
  iamAction: "lambda:CreateFunction",
  run: (context, request) => context.codeStore.withLease(request.accountId, (lease) => create(context, request, lease)),
});

async function create(context: ApiContext, request: LambdaRequest, lease: CodeLease): Promise<LambdaResponse> {
  const { json, accountId } = request;
  const violations = new Violations();
  const functionName = optionalString(json, "FunctionName");
  const role = optionalString(json, "Role");
  const code = optionalObject(json, "Code");
  if (code === undefined) violations.add(null, "code", "Member must not be null");
  if (functionName === undefined) violations.add(null, "functionName", "Member must not be null");
  if (role === undefined) violations.add(null, "role", "Member must not be null");
  violations.check();
  const parsed = parseFunctionName(functionName!);
  if (parsed instanceof LambdaError) throw parsed;
  if (parsed.qualifier !== undefined) throw lambdaErrors.invalidParameterValue("Function name cannot contain a qualifier when creating a function.");
  if (parsed.region !== undefined && parsed.region !== context.region) throw lambdaErrors.otherRegion(parsed.region, context.region);
  if (parsed.accountId !== undefined && parsed.accountId !== accountId) throw lambdaErrors.accessDenied(`The function ARN names another account than the caller's (${accountId}).`);
  const packageType = optionalString(json, "PackageType") ?? "Zip";
  if (packageType !== "Zip") {
    if (packageType === "Image") throw lambdaErrors.invalidParameterValue("PackageType Image is not supported: Tributary runs Zip deployment packages only (container images need a container runtime).");
    violations.add(packageType, "packageType", "Member must satisfy enum value set: [Zip, Image]");
    violations.check();
  }
  const config = await readConfig(context, lease, json);
  if (config.Runtime === undefined || config.Handler === undefined) {
    throw lambdaErrors.invalidParameterValue("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  }
  const tags = readTags(json.Tags);
  const name = parsed.name;
  const functionArn = functionArnOf(context.region, accountId, name);
  // Checked before the code is stored, so a duplicate costs no upload.
  if ((await context.store.getFunction(accountId, name)) !== undefined) throw lambdaErrors.functionExists(name);
  const stored = await readCode(context, lease, code!);
  if (stored === undefined) throw lambdaErrors.invalidParameterValue("Please provide a source for function code.");
  const nowMs = context.clock.nowMs();
  const latest: VersionRecord = {
    FunctionName: name,
    Version: "$LATEST",
    Runtime: config.Runtime,
    Role: config.Role!,
    Handler: config.Handler,
    Description: config.Description ?? "",
    Timeout: config.Timeout ?? timeoutSecondsDefault,
    MemorySize: config.MemorySize ?? memorySizeMBDefault,
    ...(config.Environment !== undefined && { Environment: config.Environment }),
    Layers: config.Layers ?? [],
    Architectures: config.Architectures ?? ["x86_64"],
    EphemeralStorageSize: config.EphemeralStorageSize ?? ephemeralStorageMBDefault,
    LoggingConfig: loggingConfigOf(name, config.LoggingConfig),
    TracingMode: config.TracingMode ?? "PassThrough",
    code: stored,
    lastModifiedMs: nowMs,
    pendingRevisionId: randomUUIDFrom(context.random),
    revisionId: randomUUIDFrom(context.random),
    settlesAtMs: nowMs + settleMs,
    change: "create",
  };
  const item: FunctionItem = { name, latest, lastVersion: 0, tags, aliases: {} };
  await context.store.change(accountId, name, (current) => {
    if (current !== undefined) throw lambdaErrors.functionExists(name);
    return { write: item, result: undefined };
  });
  if (optionalBoolean(json, "Publish") === true) {
    const version = await publishVersion(context, accountId, name, {});
    return { statusCode: 201, body: { ...functionConfiguration(latest, functionArn, context.region, nowMs), Version: version.Version, FunctionArn: `${functionArn}:${version.Version}` } };
  }
  return { statusCode: 201, body: functionConfiguration(latest, functionArn, context.region, nowMs) };
}
