/**
 * What the Lambda API tests share: a server whose Lambda service runs a fake Executor (the
 * sandboxes are test/lambda/runtime-*'s subject), an SDK client, and a small zip.
 *
 * The fake answers `{"event": <the payload>, "version": <the version run>}`; a function whose
 * environment sets FAKE=throw answers Lambda's error document with X-Amz-Function-Error, and
 * FAKE=throttle is throttled.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { createLambdaServiceModule } from "../../src/lambda/index.js";
import type { Executor, InvokeInput, ResolvedFunction } from "../../src/lambda/model.js";
import { streamsServiceModule } from "../../src/streams/index.js";
import { s3ServiceModule } from "../../src/s3/index.js";
import { exampleCredentials, startTestServer, type TestServer } from "../helpers/server.js";
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

export async function startLambdaServer(): Promise<LambdaTestServer> {
  const executor = fakeExecutor();
  const server = await startTestServer({ services: [streamsServiceModule, s3ServiceModule, createLambdaServiceModule({ createExecutor: () => executor })] });
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
