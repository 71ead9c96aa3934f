/**
 * The FunctionInvoker port (src/lambda/function-invoker.ts), as another service sees it through
 * the app's ServiceDeps.functionInvoker: a real function run in its sandbox, its failures as
 * Lambda reports them, and a missing function as an outcome.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { zipOf } from "../helpers/zip.js";
import { createActive, role } from "./api-fixtures.js";
import type { LambdaInstance } from "../../src/lambda/index.js";

const handler = `export const handler = async (event) => { if (event.fail) throw new Error("asked to fail"); return { doubled: event.n * 2 }; };\n`;

describe("FunctionInvoker", () => {
  let server: TestServer;
  let client: LambdaClient;
  before(async () => {
    server = await startTestServer();
    client = new LambdaClient({ endpoint: server.url, region: server.region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
    await createActive(client, { FunctionName: "doubler", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: zipOf({ "index.mjs": handler }) } });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  const invoker = () => server.app!.service<LambdaInstance>("lambda")!.functionInvoker;

  it("runs the function and answers its result", async () => {
    const outcome = await invoker().invoke(server.accountId, "doubler", Buffer.from('{"n":21}'));
    assert.ok(outcome.ok);
    assert.deepEqual(JSON.parse(outcome.payload.toString()), { doubled: 42 });
    assert.equal(outcome.executedVersion, "$LATEST");
    assert.equal(outcome.functionError, undefined);
  });

  it("answers a function error with Lambda's error document", async () => {
    const outcome = await invoker().invoke(server.accountId, `arn:aws:lambda:${server.region}:${server.accountId}:function:doubler`, Buffer.from('{"fail":true}'));
    assert.ok(outcome.ok);
    assert.equal(outcome.functionError, "Unhandled");
    assert.equal(JSON.parse(outcome.payload.toString()).errorMessage, "asked to fail");
  });

  it("answers a missing function as an outcome, not retriable", async () => {
    const outcome = await invoker().invoke(server.accountId, "nobody", Buffer.from("{}"));
    assert.deepEqual(outcome, { ok: false, errorCode: "ResourceNotFoundException", errorMessage: "Function not found: nobody", retriable: false });
  });
});
