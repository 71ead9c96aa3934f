/**
 * What the Lambda API tests share: a server whose Lambda service runs a fake Executor (the
 * sandboxes are test/lambda/runtime-*'s subject), an SDK client, and a small zip.
 *
 * The fake answers `{"event": <the payload>, "version": <the version run>}`; a function whose
 * environment sets FAKE=throw answers Lambda's error document with X-Amz-Function-Error, and
 * FAKE=throttle is throttled.
 */
import {
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
  type CreateFunctionCommandOutput,
} from "@aws-sdk/client-lambda";
import { createLambdaServiceModule } from "../../src/lambda/index.js";
import type { Executor, InvokeInput, ResolvedFunction } from "../../src/lambda/model.js";
import { streamsServiceModule } from "../../src/streams/index.js";
import { s3ServiceModule } from "../../src/s3/index.js";
import { exampleCredentials, startTestServer, type TestServer, type TestServerOptions } from "../helpers/server.js";
import { zipOf } from "../helpers/zip.js";

export interface FakeExecutor extends Executor {
  readonly calls: { fn: ResolvedFunction; input: InvokeInput }[];
  readonly retired: string[];
}

export function fakeExecutor(): FakeExecutor {
  const calls: { fn: ResolvedFunction; input: InvokeInput }[] = [];
  const retired: string[] = [];
  return {
    calls,
    retired,
    async invoke(fn, input) {
      calls.push({ fn, input });
      if (fn.environment.FAKE === "throttle") return { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" };
      if (fn.environment.FAKE === "throw") {
        return { kind: "completed", functionError: "Unhandled", executedVersion: fn.version, payload: Buffer.from('{"errorType":"Error","errorMessage":"boom","trace":[]}') };
      }
      const payload = Buffer.from(JSON.stringify({ event: JSON.parse(input.payload.toString()), version: fn.version }));
      return { kind: "completed", executedVersion: fn.version, payload, ...(input.logType === "Tail" && { logResultBase64: Buffer.from("START\nEND\n").toString("base64") }) };
    },
    async retire(functionArn, version) {
      retired.push(`${functionArn}${version === undefined ? "" : `:${version}`}`);
    },
    sandboxCount: () => 0,
    stop: async () => {},
  };
}

export interface LambdaTestServer {
  server: TestServer;
  client: LambdaClient;
  executor: FakeExecutor;
  stop(): Promise<void>;
}

/** A server with the fake Executor; `options` as startTestServer's (a ManualClock, a seeded Random, a credentials file). */
export async function startLambdaServer(options: Omit<TestServerOptions, "services"> = {}): Promise<LambdaTestServer> {
  const executor = fakeExecutor();
  const server = await startTestServer({ ...options, services: [streamsServiceModule, s3ServiceModule, createLambdaServiceModule({ createExecutor: () => executor })] });
  const client = new LambdaClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials });
  return {
    server,
    client,
    executor,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

export const role = "arn:aws:iam::000000000000:role/lambda-role";
export const handlerZip = zipOf({ "index.mjs": "export const handler = async (event) => event;\n" });

/** A raw call to the Lambda API for exact status, headers and body. */
export async function rawLambda(server: TestServer, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { method, headers: { "content-type": "application/json", ...headers }, ...(body !== undefined && { body: typeof body === "string" ? body : new Uint8Array(body) }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

/**
 * The SDK's waiters as a user of Lambda runs them after a creation or an update (Lambda refuses
 * Invoke while Pending and changes while InProgress), polling faster than their 1 s default:
 * the window is 50 ms here.
 */
export const quickWaiter = { maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 };

export async function waitActive(client: LambdaClient, functionName: string): Promise<void> {
  await waitUntilFunctionActiveV2({ client, ...quickWaiter }, { FunctionName: functionName });
}

export async function waitUpdated(client: LambdaClient, functionName: string): Promise<void> {
  await waitUntilFunctionUpdatedV2({ client, ...quickWaiter }, { FunctionName: functionName });
}

/** CreateFunction, then function-active-v2. */
export async function createActive(client: LambdaClient, input: CreateFunctionCommandInput): Promise<CreateFunctionCommandOutput> {
  const created = await client.send(new CreateFunctionCommand(input));
  await waitActive(client, input.FunctionName!);
  return created;
}
