/**
 * The AWS CLI v2 (/usr/bin/aws) against Tributary's Lambda, changed only by the endpoint
 * (--endpoint-url, and AWS_ENDPOINT_URL for CLIs from 2.13 on; Debian's 2.9 reads only the flag):
 * create a Node.js and a Python function from zip files, wait for them to be active, invoke them
 * synchronously (with tail logs), asynchronously, with an unhandled error and past their timeout;
 * update code, publish a version and an alias; a provided.al2023 function whose bootstrap is a
 * shell script speaking the Runtime API. Real sandboxes run (src/lambda/runtime).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { zipOf } from "../helpers/zip.js";
import { awsClientEnv, awsCliPath, requireAwsCliV2, run } from "./external-clients.js";
import { nodeZip, providedZip, pythonZip, role } from "./lambda-fixtures.js";

let server: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;

async function awsJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const result = await run(awsCliPath, ["lambda", ...args, "--endpoint-url", server.url, "--output", "json", "--cli-binary-format", "raw-in-base64-out"], env, 120_000);
  assert.equal(result.code, 0, `aws lambda ${args.join(" ")} failed (${result.code}):\n${result.stderr}${result.stdout}`);
  return (result.stdout.trim() === "" ? {} : JSON.parse(result.stdout)) as T;
}

/** `aws lambda invoke`: the answer's fields and the payload written to a file. */
async function invoke(name: string, payload: unknown, ...extra: string[]): Promise<{ answer: Record<string, unknown>; payload: Record<string, unknown> }> {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}.json`);
  const answer = await awsJson("invoke", "--function-name", name, "--payload", JSON.stringify(payload), ...extra, out);
  const text = readFileSync(out, "utf8");
  return { answer, payload: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function createFunction(name: string, runtime: string, handler: string, zip: Buffer, ...extra: string[]): Promise<Record<string, unknown>> {
  const file = join(work, `${name}.zip`);
  writeFileSync(file, zip);
  const created = await awsJson("create-function", "--function-name", name, "--runtime", runtime, "--handler", handler, "--role", role, "--zip-file", `fileb://${file}`, ...extra);
  await awsJson("wait", "function-active-v2", "--function-name", name);
  return created;
}

before(async () => {
  await requireAwsCliV2();
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), "tributary-lambda-cli-"));
  env = { ...awsClientEnv(server.region), AWS_ENDPOINT_URL: server.url };
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("aws lambda (CLI v2)", { concurrency: false }, () => {
  it("a Node.js function: create from a zip, wait, invoke with tail logs", async () => {
    const created = await createFunction("cli-node", "nodejs20.x", "index.handler", nodeZip());
    assert.equal(created.State, "Pending");
    const { answer, payload } = await invoke("cli-node", { hello: "node" }, "--log-type", "Tail");
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.ExecutedVersion, "$LATEST");
    assert.deepEqual(payload.event, { hello: "node" });
    assert.equal(payload.functionName, "cli-node");
    assert.equal(payload.region, "us-east-1");
    const log = Buffer.from(String(answer.LogResult), "base64").toString("utf8");
    assert.match(log, /START RequestId: /);
    assert.match(log, /node saw \{"hello":"node"\}/);
    assert.match(log, /REPORT RequestId: /);
  });

  it("a Python function: create from a zip, invoke", async () => {
    await createFunction("cli-python", "python3.12", "app.handler", pythonZip());
    const { answer, payload } = await invoke("cli-python", { hello: "python" });
    assert.equal(answer.StatusCode, 200);
    assert.equal(payload.runtime, "python");
    assert.deepEqual(payload.event, { hello: "python" });
  });

  it("an asynchronous invocation: 202, then the function ran (its log says so)", async () => {
    const { answer } = await invoke("cli-node", { marker: "async-42" }, "--invocation-type", "Event");
    assert.equal(answer.StatusCode, 202);
    await waitFor(
      "the async run's log line",
      async () => {
        const response = await fetch(`${server.url}/_tributary/lambda/logs?function=cli-node`);
        const body = (await response.json()) as { events: { message: string }[] };
        return body.events.some((event) => event.message.includes("async-42"));
      },
      30_000,
      200,
    );
  });

  it("an unhandled error: FunctionError Unhandled with Lambda's error document", async () => {
    const { answer, payload } = await invoke("cli-node", { fail: true });
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.FunctionError, "Unhandled");
    assert.equal(payload.errorType, "Error");
    assert.equal(payload.errorMessage, "asked to fail");
  });

  it("a timeout: the run is cut at Timeout", async () => {
    await awsJson("update-function-configuration", "--function-name", "cli-python", "--timeout", "1");
    await awsJson("wait", "function-updated-v2", "--function-name", "cli-python");
    const { answer, payload } = await invoke("cli-python", { sleepMs: 5000 });
    assert.equal(answer.FunctionError, "Unhandled");
    assert.match(String(payload.errorMessage), /Task timed out after 1\.00 seconds/);
  });

  it("update code, publish a version and an alias, invoke the alias", async () => {
    const file = join(work, "v2.zip");
    writeFileSync(file, zipOf({ "index.mjs": 'export const handler = async () => ({ build: 2 });\n' }));
    await awsJson("update-function-code", "--function-name", "cli-node", "--zip-file", `fileb://${file}`);
    await awsJson("wait", "function-updated-v2", "--function-name", "cli-node");
    const version = await awsJson("publish-version", "--function-name", "cli-node");
    assert.equal(version.Version, "1");
    const alias = await awsJson("create-alias", "--function-name", "cli-node", "--name", "live", "--function-version", "1");
    assert.equal(alias.AliasArn, "arn:aws:lambda:us-east-1:000000000000:function:cli-node:live");
    const { answer, payload } = await invoke("cli-node:live", {});
    assert.equal(answer.ExecutedVersion, "1");
    assert.deepEqual(payload, { build: 2 });
  });

  it("a provided.al2023 function whose bootstrap is a shell script", async () => {
    await createFunction("cli-shell", "provided.al2023", "function.handler", providedZip());
    const { answer, payload } = await invoke("cli-shell", { from: "shell" });
    assert.equal(answer.StatusCode, 200);
    assert.deepEqual(payload, { shell: true, handler: "function.handler", event: { from: "shell" } });
  });

  it("errors come back as the CLI prints them", async () => {
    const result = await run(awsCliPath, ["lambda", "get-function", "--function-name", "cli-missing", "--endpoint-url", server.url], env, 60_000);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /An error occurred \(ResourceNotFoundException\) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-missing/);
  });
});
