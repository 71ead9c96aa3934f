/**
 * lambda > runtime > python: the Python bootstrap on Debian's python3 — module.function handlers,
 * the context, print and logging, Lambda's error documents, init errors and the memory bound.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { runtimeFixture, type RuntimeFixture } from "./runtime-fixtures.js";

const machinePython = execFileSync("/usr/bin/python3", ["-c", "import platform; print(platform.python_version())"], { encoding: "utf8" }).trim();

describe("lambda > runtime > python", () => {
  let f: RuntimeFixture;
  before(() => {
    f = runtimeFixture();
  });
  after(() => f.close());

  it("a module.function handler gets the event and the context; print and logging reach the log", async () => {
    const fn = f.functionOf("py", {
      runtime: "python3.12",
      handler: "app.handler",
      files: {
        "app.py": [
          "import logging, os, sys",
          "logger = logging.getLogger()",
          "logger.setLevel(logging.INFO)",
          "def handler(event, context):",
          "    print('printed', event['n'])",
          "    logger.info('logged %s', event['n'])",
          "    return {'event': event, 'pid': os.getpid(), 'version': sys.version.split()[0], 'context': {",
          "        'aws_request_id': context.aws_request_id, 'function_name': context.function_name,",
          "        'function_version': context.function_version, 'invoked_function_arn': context.invoked_function_arn,",
          "        'memory_limit_in_mb': context.memory_limit_in_mb, 'log_group_name': context.log_group_name,",
          "        'remaining': context.get_remaining_time_in_millis()}}",
        ].join("\n"),
      },
    });
    const requestId = "33333333-3333-4333-8333-333333333333";
    const result = await f.invoke(fn, { n: 5 }, { tail: true, requestId });
    assert.equal(result.functionError, undefined);
    const body = result.json as { event: unknown; pid: number; version: string; context: Record<string, unknown> };
    assert.deepEqual(body.event, { n: 5 });
    assert.equal(body.version, machinePython);
    const { remaining, ...context } = body.context;
    assert.deepEqual(context, {
      aws_request_id: requestId,
      function_name: "py",
      function_version: "$LATEST",
      invoked_function_arn: fn.invokedArn,
      memory_limit_in_mb: "128",
      log_group_name: "/aws/lambda/py",
    });
    assert.ok(typeof remaining === "number" && remaining > 2000 && remaining <= 3000);
    const lines = result.tail.trimEnd().split("\n");
    assert.equal(lines[0], `START RequestId: ${requestId} Version: $LATEST`);
    assert.equal(lines[1], "printed 5");
    assert.match(lines[2]!, new RegExp(`^\\[INFO\\]\\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${requestId}\\tlogged 5$`));
    assert.equal(lines[3], `END RequestId: ${requestId}`);
    const warm = await f.invoke(fn, { n: 6 });
    assert.equal((warm.json as { pid: number }).pid, body.pid);
    // python3.12 asked for, the machine's Python run, and INIT_START says which.
    await f.executor.stop();
    const stored = await f.logs.read("000000000000", "py", { limit: 10 });
    assert.match(stored[0]!.message, new RegExp(`^INIT_START Runtime Version: python:${machinePython.replace(/\./g, "\\.")}\\tRuntime Version ARN: `));
    f = runtimeFixture();
  });

  it("an exception is {errorMessage, errorType, requestId, stackTrace} with Unhandled, logged as [ERROR]", async () => {
    const fn = f.functionOf("py-error", { runtime: "python3.11", handler: "app.handler", files: { "app.py": "def handler(event, context):\n    raise ValueError('bad value')\n" } });
    const result = await f.invoke(fn, {}, { tail: true, requestId: "44444444-4444-4444-8444-444444444444" });
    assert.equal(result.functionError, "Unhandled");
    const document = result.json as { errorMessage: string; errorType: string; requestId: string; stackTrace: string[] };
    assert.deepEqual(Object.keys(document), ["errorMessage", "errorType", "requestId", "stackTrace"]);
    assert.equal(document.errorMessage, "bad value");
    assert.equal(document.errorType, "ValueError");
    assert.equal(document.requestId, "44444444-4444-4444-8444-444444444444");
    assert.match(document.stackTrace[0]!, /^  File ".*app\.py", line 2, in handler\n    raise ValueError\('bad value'\)\n$/);
    assert.match(result.tail, /\n\[ERROR\] ValueError: bad value\rTraceback \(most recent call last\):\r\u00a0\u00a0File/);
  });

  it("a missing module is Runtime.ImportModuleError; a missing function Runtime.HandlerNotFound", async () => {
    const noModule = f.functionOf("py-nomodule", { runtime: "python3.11", handler: "missing.handler", files: { "app.py": "" } });
    const importError = await f.invoke(noModule, {});
    assert.equal(importError.functionError, "Unhandled");
    assert.deepEqual(importError.json, { errorMessage: "Unable to import module 'missing': No module named 'missing'", errorType: "Runtime.ImportModuleError", requestId: "", stackTrace: [] });
    const noFunction = f.functionOf("py-nofunction", { runtime: "python3.11", handler: "app.nothere", files: { "app.py": "x = 1\n" } });
    assert.deepEqual((await f.invoke(noFunction, {})).json, { errorMessage: "Handler 'nothere' missing on module 'app'", errorType: "Runtime.HandlerNotFound", requestId: "", stackTrace: [] });
  });

  it("past MemorySize the sandbox is killed: Runtime.OutOfMemory, signal: killed; the next call starts a new one", async () => {
    const fn = f.functionOf("py-oom", {
      runtime: "python3.11",
      handler: "app.handler",
      timeoutSeconds: 10,
      files: { "app.py": "import time, os\ndef handler(event, context):\n    if event.get('grow'):\n        hog = b'x' * (300 * 1024 * 1024)\n        time.sleep(5)\n    return os.getpid()\n" },
    });
    const pid = (await f.invoke(fn, {})).json;
    const requestId = "55555555-5555-4555-8555-555555555555";
    const result = await f.invoke(fn, { grow: true }, { tail: true, requestId });
    assert.equal(result.functionError, "Unhandled");
    assert.deepEqual(result.json, { errorType: "Runtime.OutOfMemory", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` });
    assert.match(result.tail, /Status: error\tError Type: Runtime.OutOfMemory\n$/);
    assert.notEqual((await f.invoke(fn, {})).json, pid);
  });
});
