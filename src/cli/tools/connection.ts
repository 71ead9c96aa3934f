/**
 * Where the tools send their requests and how their failures read. They use the AWS SDK's
 * KinesisClient with its default credential chain (environment, profile, container or instance
 * role), so they work against AWS as well as against Tributary. The endpoint is `--endpoint-url`,
 * else the SDK's own variables (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL), else a Tributary on
 * this machine's default port, as `tributary logs` assumes; against AWS, pass its endpoint
 * (`--endpoint-url https://kinesis.us-east-1.amazonaws.com`).
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { silenceSdkNodeVersionWarning } from "../kcl/sdk-warning.js";

export const endpointDefault = "http://127.0.0.1:4567";

export interface Connection {
  endpoint: string;
  /** Undefined: the SDK's chain (AWS_REGION, then the profile's region) decides. */
  region: string | undefined;
}

/** The connection the options and the environment ask for, or why the endpoint is not usable. */
export function connectionOf(values: Record<string, string | undefined>, env: NodeJS.ProcessEnv): { ok: true; connection: Connection } | { ok: false; message: string } {
  const endpoint = values["endpoint-url"] ?? env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL ?? endpointDefault;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(endpoint)) return { ok: false, message: `--endpoint-url must be an http:// or https:// URL, got ${endpoint}` };
  const region = values.region ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined);
  if (region !== undefined && !/^[a-z0-9-]{1,64}$/.test(region)) return { ok: false, message: `--region must be a region name such as us-east-1, got ${region}` };
  return { ok: true, connection: { endpoint: endpoint.replace(/\/$/, ""), region } };
}

export function kinesisClientOf(connection: Connection): KinesisClient {
  // The SDK warns about Node.js 20 on the first client it builds: not the tools' business (kcl/sdk-warning.ts).
  silenceSdkNodeVersionWarning();
  return new KinesisClient({ endpoint: connection.endpoint, ...(connection.region !== undefined && { region: connection.region }) });
}

/**
 * A failed call as one line: the service's error type and message as it sent them
 * (`ResourceNotFoundException: Stream nope under account 000000000000 not found.`), or what kept
 * the request from being answered.
 */
export function errorMessage(error: unknown, connection: Connection): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { name, message, code, $metadata } = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ECONNRESET") return `cannot reach ${connection.endpoint}: ${code}`;
  if (name === "CredentialsProviderError") return `no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (${message ?? ""})`;
  if (message === "Region is missing") return "no region: pass --region or set AWS_REGION";
  if ($metadata?.httpStatusCode !== undefined && name !== undefined && name !== "Error") return `${name}: ${message ?? ""}`;
  return message ?? name ?? String(error);
}
