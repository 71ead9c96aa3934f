/**
 * lambda > runtime > limits and safety: the Timeout kill, a runtime that dies mid-invocation, the
 * 6 MB response bound, concurrency bounds (throttled, not queued), retirement of a version's
 * sandboxes, and the clean environment (no server variable reaches a function).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { runtimeFixture, type RuntimeFixture } from "./runtime-fixtures.js";
import { waitFor } from "../helpers/wait.js";

/** The processes of a process group (the sandbox's runtime and whatever it started). */
function groupMembers(processGroupId: number): string[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "-g", String(processGroupId)], { encoding: "utf8" }).trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

describe("lambda > runtime > limits and safety", () => {
  let f: RuntimeFixture;
  before(() => {
    process.env.TRIBUTARY_SECRET_TEST = "do-not-leak";
    f = runtimeFixture({ endpointUrl: "http://127.0.0.1:4567" });
  });
  after(async () => {
    delete process.env.TRIBUTARY_SECRET_TEST;
    await f.close();
  });

  it("the environment is Lambda's and the function's only: no variable of the server's", async () => {
    const fn = f.functionOf("env", { files: { "index.js": "exports.handler = async () => process.env;" }, environment: { MY_SETTING: "on", AWS_REGION: "eu-west-1" } });
    const env = (await f.invoke(fn, {})).json as Record<string, string>;
    assert.equal(env.TRIBUTARY_SECRET_TEST, undefined);
    assert.equal(env.HOME, undefined);
    assert.equal(env.MY_SETTING, "on");
    // Reserved variables are Lambda's, whatever the function says.
    assert.equal(env.AWS_REGION, "us-east-1");
    assert.equal(env.AWS_DEFAULT_REGION, "us-east-1");
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, "env");
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "128");
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/env");
    assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, "on-demand");
    assert.equal(env._HANDLER, "index.handler");
    assert.equal(env.TZ, ":UTC");
    assert.equal(env.AWS_ENDPOINT_URL, "http://127.0.0.1:4567");
    assert.match(env.AWS_LAMBDA_RUNTIME_API!, /^127\.0\.0\.1:\d+$/);
    assert.ok(env.LAMBDA_TASK_ROOT!.startsWith(f.sandboxRoot));
    assert.ok(env.TMPDIR!.startsWith(f.sandboxRoot));
    assert.match(env.AWS_ACCESS_KEY_ID!, /^ASIA[0-9A-F]{16}$/);
    assert.ok(env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN);
    const allowed = new Set([
      "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_RUNTIME_API",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "TZ", "LANG", "PATH", "LD_LIBRARY_PATH",
      "NODE_PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "TMPDIR", "MY_SETTING", "_X_AMZN_TRACE_ID",
    ]);
    assert.deepEqual(Object.keys(env).filter((name) => !allowed.has(name)), []);
    assert.match(env._X_AMZN_TRACE_ID!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  it("past Timeout the sandbox's process group is killed: Sandbox.Timedout, the log line, and a new sandbox next time", async () => {
    const fn = f.functionOf("slow", { timeoutSeconds: 1, files: { "index.js": "const { spawn } = require('child_process'); exports.handler = async (e) => { if (e.sleep) { spawn('sleep', ['30'], { stdio: 'ignore' }); await new Promise((r) => setTimeout(r, 5000)); } return process.pid; };" } });
    const pid = (await f.invoke(fn, {})).json as number;
    const requestId = "66666666-6666-4666-8666-666666666666";
    const started = performance.now();
    const result = await f.invoke(fn, { sleep: true }, { tail: true, requestId });
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs >= 1000 && elapsedMs < 2500, `${elapsedMs} ms`);
    assert.equal(result.functionError, "Unhandled");
    assert.deepEqual(result.json, { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds` });
    assert.match(result.tail, new RegExp(`\\n\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${requestId} Task timed out after 1\\.00 seconds\\nEND RequestId: ${requestId}\\nREPORT RequestId: ${requestId}\\tDuration: 1\\d{3}\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tStatus: timeout\\n$`));
    // The runtime and the `sleep` it started are gone: the whole group was killed.
    await waitFor("the sandbox's process group is gone", () => groupMembers(pid).length === 0, 3000);
    assert.notEqual((await f.invoke(fn, {})).json, pid);
  });

  it("a runtime that exits mid-invocation is Runtime.ExitError with its exit status", async () => {
    const fn = f.functionOf("crash", { files: { "index.js": "exports.handler = async (e) => { if (e.code !== undefined) process.exit(e.code); process.kill(process.pid, 'SIGSEGV'); };" } });
    const requestId = "77777777-7777-4777-8777-777777777777";
    const exited = await f.invoke(fn, { code: 3 }, { requestId, tail: true });
    assert.equal(exited.functionError, "Unhandled");
    assert.deepEqual(exited.json, { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });
    assert.match(exited.tail, /\nRequestId: 7{8}-7{4}-4777-8777-7{12} Error: Runtime exited with error: exit status 3\nRuntime.ExitError\nEND RequestId/);
    const signalled = await f.invoke(fn, {}, { requestId });
    assert.deepEqual(signalled.json, { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: segmentation fault` });
  });

  it("a V8 heap past its cap (nine tenths of MemorySize) aborts the runtime: Runtime.ExitError, signal: aborted", async () => {
    const fn = f.functionOf("heap", { memorySizeMB: 128, timeoutSeconds: 20, files: { "index.js": "exports.handler = async () => { const keep = []; for (;;) keep.push({ a: Math.random(), b: [1, 2, 3] }); };" } });
    const result = await f.invoke(fn, {});
    const document = result.json as { errorType: string; errorMessage: string };
    // Whichever bound is met first: the heap cap (abort) or resident memory past MemorySize (killed).
    assert.ok(
      (document.errorType === "Runtime.ExitError" && /signal: aborted$/.test(document.errorMessage)) ||
        (document.errorType === "Runtime.OutOfMemory" && /signal: killed$/.test(document.errorMessage)),
      JSON.stringify(document),
    );
  });

  it("a response over 6 MB fails the invocation with Function.ResponseSizeTooLarge", async () => {
    const fn = f.functionOf("big", { files: { "index.js": "exports.handler = async () => 'x'.repeat(7 * 1024 * 1024);" } });
    const result = await f.invoke(fn, {});
    assert.equal(result.functionError, "Unhandled");
    assert.deepEqual(result.json, { errorMessage: `Response payload size (${7 * 1024 * 1024 + 2} bytes) exceeded maximum allowed payload size (6291556 bytes).`, errorType: "Function.ResponseSizeTooLarge" });
  });

  it("ReservedConcurrentExecutions bounds concurrent runs (0: always throttled); beyond it the invocation is throttled, not queued", async () => {
    const zero = f.functionOf("reserved-zero", { reservedConcurrency: 0, files: { "index.js": "exports.handler = async () => 1;" } });
    assert.deepEqual(await f.executor.invoke(zero, { payload: Buffer.from("{}"), requestId: "r0" }), { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
    const two = f.functionOf("reserved-two", { reservedConcurrency: 2, files: { "index.js": "exports.handler = async () => { await new Promise((r) => setTimeout(r, 400)); return process.pid; };" } });
    const runs = [1, 2, 3].map((n) => f.executor.invoke(two, { payload: Buffer.from("{}"), requestId: `r${n}` }));
    const results = await Promise.all(runs);
    assert.deepEqual(results.map((result) => result.kind).sort(), ["completed", "completed", "throttled"]);
    const pids = results.flatMap((result) => (result.kind === "completed" ? [result.payload.toString()] : []));
    assert.notEqual(pids[0], pids[1], "two at once run in two sandboxes");
    assert.equal(f.executor.sandboxCount(two.functionArn), 2);
  });

  it("retire ends a version's sandboxes; a new revision of a version gets new ones", async () => {
    const fn = f.functionOf("retired", { files: { "index.js": "exports.handler = async () => process.pid;" } });
    const pid = (await f.invoke(fn, {})).json;
    assert.equal(f.executor.sandboxCount(fn.functionArn), 1);
    await f.executor.retire(fn.functionArn);
    assert.equal(f.executor.sandboxCount(fn.functionArn), 0);
    const next = (await f.invoke(fn, {})).json;
    assert.notEqual(next, pid);
    const updated = { ...fn, revisionId: "new-revision", environment: { CHANGED: "1" } };
    assert.notEqual((await f.invoke(updated, {})).json, next);
    assert.equal(f.executor.sandboxCount(fn.functionArn), 1);
  });
});
