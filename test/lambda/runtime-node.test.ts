/**
 * lambda > runtime > nodejs: the Node bootstrap against the executor, real sandboxes — ES modules
 * and CommonJS, async and callback handlers, the context, console's log format, Lambda's error
 * documents, warm reuse and the platform's log lines.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeFixture, type RuntimeFixture } from "./runtime-fixtures.js";

describe("lambda > runtime > nodejs", () => {
  let f: RuntimeFixture;
  before(() => {
    f = runtimeFixture();
  });
  after(() => f.close());

  it("an ES module async handler gets the event and Lambda's context; a warm sandbox answers the next call (same pid)", async () => {
    const fn = f.functionOf("esm", {
      files: {
        "index.mjs": `export const handler = async (event, context) => ({
          event, pid: process.pid,
          context: { awsRequestId: context.awsRequestId, functionName: context.functionName, functionVersion: context.functionVersion,
            invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName,
            logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis() },
        });`,
      },
      timeoutSeconds: 7,
    });
    const first = await f.invoke(fn, { a: 1 }, { requestId: "11111111-1111-4111-8111-111111111111" });
    assert.equal(first.functionError, undefined);
    const body = first.json as { event: unknown; pid: number; context: Record<string, unknown> };
    assert.deepEqual(body.event, { a: 1 });
    const { remaining, logStreamName, ...context } = body.context;
    assert.deepEqual(context, {
      awsRequestId: "11111111-1111-4111-8111-111111111111",
      functionName: "esm",
      functionVersion: "$LATEST",
      invokedFunctionArn: fn.invokedArn,
      memoryLimitInMB: "128",
      logGroupName: "/aws/lambda/esm",
    });
    assert.ok(typeof remaining === "number" && remaining > 6000 && remaining <= 7000, `remaining ${remaining}`);
    assert.match(String(logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const second = await f.invoke(fn, { a: 2 });
    assert.equal((second.json as { pid: number }).pid, body.pid);
    assert.equal(f.executor.sandboxCount(fn.functionArn), 1);
  });

  it("package.json type module makes index.js an ES module", async () => {
    const fn = f.functionOf("esm-js", { files: { "package.json": '{"type":"module"}', "index.js": "export async function handler() { return typeof require; }" } });
    assert.equal((await f.invoke(fn, {})).json, "undefined");
  });

  it("index.js is CommonJS, as in /var/task, even when the data directory lies under a package.json of type module", async () => {
    const parent = mkdtempSync(join(tmpdir(), "tributary-esm-parent-"));
    writeFileSync(join(parent, "package.json"), '{"type":"module"}');
    const nested = runtimeFixture({ sandboxParent: parent });
    try {
      const fn = nested.functionOf("cjs-under-esm", { files: { "index.js": "const os = require('node:os'); exports.handler = async () => typeof os.cpus;" } });
      const result = await nested.invoke(fn, {});
      assert.equal(result.functionError, undefined, JSON.stringify(result.json));
      assert.equal(result.json, "function");
    } finally {
      await nested.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("a CommonJS callback handler answers when the event loop is empty (callbackWaitsForEmptyEventLoop)", async () => {
    const fn = f.functionOf("cjs-callback", {
      files: {
        "app.js": `let ticks = 0;
          exports.run = (event, context, callback) => {
            setTimeout(() => { ticks++; }, 50);
            callback(null, { before: ticks, get after() { return ticks; } });
          };
          exports.noWait = (event, context, callback) => {
            context.callbackWaitsForEmptyEventLoop = false;
            setTimeout(() => { ticks++; }, 300);
            callback(null, { ticks });
          };`,
      },
      handler: "app.run",
    });
    // The result is serialized once the loop is empty: the timer has run by then.
    assert.deepEqual((await f.invoke(fn, {})).json, { before: 0, after: 1 });
    const noWait = f.functionOf("cjs-nowait", { files: { "app.js": "exports.noWait = (e, c, cb) => { c.callbackWaitsForEmptyEventLoop = false; setTimeout(() => {}, 2000); cb(null, 'fast'); };" }, handler: "app.noWait" });
    const started = performance.now();
    assert.equal((await f.invoke(noWait, {})).json, "fast");
    assert.ok(performance.now() - started < 1500);
  });

  it("a handler that returns nothing and never calls back answers null once the loop is empty", async () => {
    const fn = f.functionOf("sync-null", { files: { "index.js": "exports.handler = () => {};" } });
    const result = await f.invoke(fn, {});
    assert.equal(result.payload.toString(), "null");
    assert.equal(result.functionError, undefined);
  });

  it("a thrown error is Lambda's document {errorType, errorMessage, trace} with Unhandled, logged as Invoke Error", async () => {
    const fn = f.functionOf("throws", { files: { "index.mjs": "export const handler = async () => { class TeaError extends Error { name = 'TeaError' }; throw new TeaError('no tea'); };" } });
    const result = await f.invoke(fn, {}, { tail: true });
    assert.equal(result.functionError, "Unhandled");
    const document = result.json as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual(Object.keys(document), ["errorType", "errorMessage", "trace"]);
    assert.equal(document.errorType, "TeaError");
    assert.equal(document.errorMessage, "no tea");
    assert.equal(document.trace[0], "TeaError: no tea");
    assert.match(result.tail, /\tERROR\tInvoke Error \t\{"errorType":"TeaError","errorMessage":"no tea"/);
    assert.match(result.tail, /REPORT RequestId: [0-9a-f-]+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\tStatus: error\tError Type: TeaError\n$/);
  });

  it("a missing export is Runtime.HandlerNotFound; a missing module Runtime.ImportModuleError (init errors)", async () => {
    const missing = f.functionOf("no-export", { files: { "index.js": "exports.other = () => 1;" } });
    const notFound = await f.invoke(missing, {});
    assert.equal(notFound.functionError, "Unhandled");
    assert.equal((notFound.json as { errorType: string }).errorType, "Runtime.HandlerNotFound");
    assert.equal((notFound.json as { errorMessage: string }).errorMessage, "index.handler is undefined or not exported");
    const noModule = f.functionOf("no-module", { files: { "other.js": "" }, handler: "nothere.handler" });
    const importError = await f.invoke(noModule, {}, { tail: true });
    assert.equal((importError.json as { errorType: string }).errorType, "Runtime.ImportModuleError");
    assert.match((importError.json as { errorMessage: string }).errorMessage, /^Error: Cannot find module 'nothere'/);
    assert.match(importError.tail, /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError/);
    assert.equal(f.executor.sandboxCount(noModule.functionArn), 0);
  });

  it("console writes <ISO time>\\t<requestId>\\t<LEVEL>\\t<message>, a multi-line message as one event; START/END/REPORT around it", async () => {
    const fn = f.functionOf("console", { files: { "index.js": "exports.handler = async () => { console.log('one', {a: 1}); console.warn('two\\nlines'); console.error('three'); return 1; };" } });
    const requestId = "22222222-2222-4222-8222-222222222222";
    const result = await f.invoke(fn, {}, { tail: true, requestId });
    const lines = result.tail.trimEnd().split("\n");
    assert.equal(lines[0], `START RequestId: ${requestId} Version: $LATEST`);
    assert.match(lines[1]!, new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${requestId}\\tINFO\\tone { a: 1 }$`));
    assert.match(lines[2]!, new RegExp(`\\t${requestId}\\tWARN\\ttwo\\rlines$`));
    assert.match(lines[3]!, new RegExp(`\\t${requestId}\\tERROR\\tthree$`));
    assert.equal(lines[4], `END RequestId: ${requestId}`);
    assert.match(lines[5]!, /^REPORT RequestId: 2{8}-2{4}-4222-8222-2{12}\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms$/);
    // A warm call has no Init Duration.
    const warm = await f.invoke(fn, {}, { tail: true });
    assert.doesNotMatch(warm.tail, /Init Duration/);
    // The stored log has INIT_START first, naming the Node that really runs.
    await f.executor.stop();
    const stored = await f.logs.read("000000000000", "console", { limit: 100 });
    assert.equal(stored[0]!.message, `INIT_START Runtime Version: nodejs:${process.versions.node}\tRuntime Version ARN: ${stored[0]!.message.split("ARN: ")[1]}`);
    assert.match(stored[0]!.message, /Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
    assert.equal(stored[1]!.message, `START RequestId: ${requestId} Version: $LATEST`);
    assert.equal(stored.filter((event) => event.message.startsWith("REPORT")).length, 2);
    f = runtimeFixture();
  });

  it("LogType Tail returns only the last 4 KB", async () => {
    const fn = f.functionOf("tail", { files: { "index.js": "exports.handler = async () => { for (let i = 0; i < 100; i++) console.log('x'.repeat(100) + i); return 1; };" } });
    const result = await f.invoke(fn, {}, { tail: true });
    assert.equal(Buffer.from(result.logResultBase64!, "base64").length, 4096);
    assert.match(result.tail, /REPORT RequestId: .*\n$/);
  });
});
