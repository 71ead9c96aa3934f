/**
 * A sandbox's environment, built from nothing (never the server's process.env: no secrets, no
 * master key, no TRIBUTARY_* settings). In three layers, later ones winning:
 *
 * 1. defaults a function may override, as on Lambda: PATH, LD_LIBRARY_PATH, LANG, TZ, the
 *    runtime's NODE_PATH / PYTHONPATH; and ours: TMPDIR (the sandbox's own /tmp) and
 *    AWS_ENDPOINT_URL (this server, so AWS SDKs inside the function reach it);
 * 2. the function's Environment.Variables;
 * 3. Lambda's reserved variables (AWS_LAMBDA_*, AWS_REGION, _HANDLER, LAMBDA_TASK_ROOT, the
 *    role's credentials…), which a function cannot set.
 *
 * The credentials are placeholders of the function's role: the server's default `--auth none`
 * accepts any signature, so an SDK inside the function can call this server; under
 * `--auth sigv4` they are not in the credentials file, and such calls are refused (docs/lambda.md).
 */
import type { Random } from "../../util/random.js";
import type { ResolvedFunction } from "../model.js";

export interface SandboxPlaces {
  readonly runtimeApi: string;
  readonly taskRoot: string;
  readonly optDirectory: string;
  readonly runtimeDirectory: string;
  readonly tmpDirectory: string;
  readonly logStreamName: string;
  readonly endpointUrl: string | undefined;
  readonly runtimeEnv: Readonly<Record<string, string>>;
}

/** A log stream name as Lambda makes it: `2024/05/01/[$LATEST]<32 hex>`. */
export function logStreamNameOf(nowMs: number, version: string, random: Random): string {
  const date = new Date(nowMs).toISOString().slice(0, 10).replace(/-/g, "/");
  return `${date}/[${version}]${random.bytes(16).toString("hex")}`;
}

function placeholderCredentials(random: Random): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: `ASIA${random.bytes(8).toString("hex").toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: random.bytes(30).toString("base64"),
    AWS_SESSION_TOKEN: random.bytes(96).toString("base64"),
  };
}

export function sandboxEnvironment(fn: ResolvedFunction, places: SandboxPlaces, random: Random): Record<string, string> {
  const defaults: Record<string, string> = {
    PATH: `/usr/local/bin:/usr/bin/:/bin:${places.optDirectory}/bin`,
    LD_LIBRARY_PATH: [`${places.taskRoot}`, `${places.taskRoot}/lib`, `${places.optDirectory}/lib`].join(":"),
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    TMPDIR: places.tmpDirectory,
    ...places.runtimeEnv,
  };
  if (places.endpointUrl !== undefined) defaults.AWS_ENDPOINT_URL = places.endpointUrl;
  const reserved: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMB),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: places.logStreamName,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_RUNTIME_API: places.runtimeApi,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    LAMBDA_TASK_ROOT: places.taskRoot,
    LAMBDA_RUNTIME_DIR: places.runtimeDirectory,
    _HANDLER: fn.handler,
    ...placeholderCredentials(random),
  };
  return { ...defaults, ...fn.environment, ...reserved };
}
