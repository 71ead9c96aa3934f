/**
 * `tributary server --functions auto|on|off` through the real command: functions run by default
 * only where every caller is this machine (loopback) or signed (--auth sigv4); a server others can
 * reach without authentication refuses to start until the operator chooses on or off; off runs
 * nothing (Invoke answers an error); with --storage memory the sandboxes live in a temporary
 * directory that the stop removes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { functionsEnabledOf, resolveServerOptions } from "../../src/cli/server-options.js";
import { services } from "../../src/server/services.js";
import { zipOf } from "../helpers/zip.js";
import { runCli, startCliServer, type CliServer } from "./cli-process.js";

const refusal =
  "tributary: refusing to run Lambda functions (arbitrary code, as this server's user) for unauthenticated callers on 0.0.0.0: " +
  "pass --functions off to serve without them, or --functions on to run them anyway\n";

function functionsFor(cli: Record<string, string>): boolean | string {
  const resolved = resolveServerOptions(cli, {});
  assert.ok(resolved.ok);
  return functionsEnabledOf(resolved.values);
}

describe("cli > server > --functions", () => {
  it("auto > on for loopback hosts and for --auth sigv4, a refusal elsewhere; on and off as given", () => {
    assert.equal(functionsFor({}), true);
    assert.equal(functionsFor({ host: "localhost" }), true);
    assert.equal(functionsFor({ host: "::1" }), true);
    assert.equal(functionsFor({ host: "127.0.0.2" }), true);
    assert.equal(functionsFor({ host: "0.0.0.0", auth: "sigv4" }), true);
    assert.equal(functionsFor({ host: "0.0.0.0" }), refusal.slice("tributary: ".length, -1));
    assert.equal(functionsFor({ host: "10.1.2.3", functions: "on" }), true);
    assert.equal(functionsFor({ host: "0.0.0.0", functions: "off" }), false);
    assert.equal(functionsFor({ functions: "off" }), false);
  });

  it("auto on 0.0.0.0 without authentication > exits 2 with one line naming both choices", async () => {
    const result = await runCli(["server", "--port", "0", "--host", "0.0.0.0", "--allow-unauthenticated"]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, refusal);
  });

  it("TRIBUTARY_FUNCTIONS=auto on 0.0.0.0 > the same refusal", async () => {
    const result = await runCli(["server", "--port", "0", "--host", "0.0.0.0"], { TRIBUTARY_FUNCTIONS: "auto", TRIBUTARY_ALLOW_UNAUTHENTICATED: "true" });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, refusal);
  });

  for (const choice of ["on", "off"]) {
    it(`--functions ${choice} on 0.0.0.0 without authentication > starts`, async () => {
      const server = await startCliServer({ args: ["--port", "0", "--storage", "memory", "--host", "0.0.0.0", "--allow-unauthenticated", "--functions", choice] });
      try {
        const port = new URL(server.url).port;
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(health.status, 200);
        if (choice === "on") await server.waitForStderr("running Lambda functions for unauthenticated callers (--functions on)");
        else assert.doesNotMatch(server.stderr(), /running Lambda functions/);
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null });
      }
    });
  }

  it("--storage memory > the sandboxes' temporary directory exists while serving and is removed at stop", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tributary-functions-tmp-"));
    try {
      const server = await startCliServer({ args: ["--port", "0", "--storage", "memory"], env: { TMPDIR: tmp } });
      const sandboxDirs = () => readdirSync(tmp).filter((name) => name.startsWith("tributary-lambda-"));
      assert.equal(sandboxDirs().length, 1, `one sandbox root in ${tmp}: ${readdirSync(tmp).join(", ")}`);
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
      assert.deepEqual(sandboxDirs(), []);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

/** Until the Lambda service is in the server's list (src/server/services.ts) there is no Invoke to answer. */
const lambdaServed = services.some((module) => module.name === "lambda");

describe("cli > server > --functions off > Invoke", { skip: lambdaServed ? false : "the Lambda service is not registered in src/server/services.ts yet" }, () => {
  let server: CliServer;
  let lambda: LambdaClient;

  before(async () => {
    server = await startCliServer({ args: ["--port", "0", "--storage", "memory", "--functions", "off"] });
    lambda = new LambdaClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, maxAttempts: 1 });
  });

  after(async () => {
    lambda?.destroy();
    await server?.stop();
  });

  it("the function is created, but Invoke runs nothing and answers an error", async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "never-runs",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: zipOf({ "index.mjs": "export const handler = async () => 'ran';\n" }) },
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 }, { FunctionName: "never-runs" });
    const error = await lambda.send(new InvokeCommand({ FunctionName: "never-runs", Payload: Buffer.from("{}") })).then(
      () => assert.fail("Invoke succeeded with --functions off"),
      (caught: Error & { $metadata?: { httpStatusCode?: number } }) => caught,
    );
    assert.equal(error.name, "ServiceException");
    assert.equal(error.$metadata?.httpStatusCode, 500);
    assert.equal(error.message, "Functions are disabled on this server (--functions off): the function was not run.");
  });
});
