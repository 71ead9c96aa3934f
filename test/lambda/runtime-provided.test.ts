/**
 * lambda > runtime > provided: custom runtimes — the package's own `bootstrap` speaking the Runtime
 * API (a shell script with curl, as in Lambda's tutorial), layers under the "/opt" directory, and
 * the Runtime API's answers to wrong ids and paths.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtimeFixture, type RuntimeFixture } from "./runtime-fixtures.js";

const shellBootstrap = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  REQUEST_ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  ARN="$(grep -i '^Lambda-Runtime-Invoked-Function-Arn:' "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)"
  echo "handling $EVENT"
  if [ "$EVENT" = '"fail"' ]; then
    curl -sS -X POST -H 'Lambda-Runtime-Function-Error-Type: Custom.Failure' "$API/invocation/$REQUEST_ID/error" -d '{"errorMessage":"asked to fail","errorType":"Custom.Failure"}' >/dev/null
  else
    WRONG="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$API/invocation/not-$REQUEST_ID/response" -d '1')"
    curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"event\\":$EVENT,\\"arn\\":\\"$ARN\\",\\"wrongIdStatus\\":$WRONG,\\"tmp\\":\\"\${TMPDIR}\\",\\"pid\\":$$}" >/dev/null
  fi
  rm -f "$HEADERS"
done
`;

describe("lambda > runtime > provided", () => {
  let f: RuntimeFixture;
  before(() => {
    f = runtimeFixture();
  });
  after(() => f.close());

  it("a shell bootstrap speaking the Runtime API answers; a wrong request id is 400; its errors come back Unhandled", async () => {
    const fn = f.functionOf("sh", { runtime: "provided.al2023", handler: "function.handler", files: { bootstrap: shellBootstrap } });
    const result = await f.invoke(fn, { hello: "world" }, { tail: true });
    assert.equal(result.functionError, undefined);
    const body = result.json as { event: unknown; arn: string; wrongIdStatus: number; tmp: string; pid: number };
    assert.deepEqual(body.event, { hello: "world" });
    assert.equal(body.arn, fn.invokedArn);
    assert.equal(body.wrongIdStatus, 400);
    assert.ok(body.tmp.startsWith(f.sandboxRoot), body.tmp);
    assert.match(result.tail, /\nhandling \{"hello":"world"\}\n/);
    const failed = await f.invoke(fn, "fail");
    assert.equal(failed.functionError, "Unhandled");
    assert.deepEqual(failed.json, { errorMessage: "asked to fail", errorType: "Custom.Failure" });
    // The sandbox survives a reported error.
    assert.equal(((await f.invoke(fn, 1)).json as { pid: number }).pid, body.pid);
  });

  it("a bootstrap that is missing is Runtime.InvalidEntrypoint; one that is not executable too (fork/exec …: permission denied)", async () => {
    const missing = f.functionOf("no-bootstrap", { runtime: "provided.al2", files: { "readme.txt": "no runtime here" } });
    const result = await f.invoke(missing, {});
    assert.equal(result.functionError, "Unhandled");
    const document = result.json as { errorType: string; errorMessage: string };
    assert.equal(document.errorType, "Runtime.InvalidEntrypoint");
    assert.match(document.errorMessage, /^RequestId: [0-9a-f-]+ Error: Couldn't find valid bootstrap\(s\): \[.*\/bootstrap .*\/bootstrap\]$/);
    const notExecutable = f.functionOf("bootstrap-0644", { runtime: "provided.al2023", files: { bootstrap: { data: shellBootstrap, mode: 0o644 } } });
    const denied = await f.invoke(notExecutable, {});
    const deniedDocument = denied.json as { errorType: string; errorMessage: string };
    assert.equal(deniedDocument.errorType, "Runtime.InvalidEntrypoint");
    assert.match(deniedDocument.errorMessage, /^RequestId: [0-9a-f-]+ Error: fork\/exec .*\/bootstrap: permission denied$/);
  });

  it("layers are unpacked into the opt directory in order, later layers overwriting earlier ones; a bootstrap may come from a layer", async () => {
    const fn = f.functionOf("layered", {
      runtime: "nodejs20.x",
      files: { "index.js": "const fs = require('fs'); exports.handler = async () => ({ shared: require('shared'), file: fs.readFileSync(process.env.NODE_PATH.split(':')[1] + '/../only-first.txt', 'utf8') });" },
      layers: [
        { "nodejs/node_modules/shared/index.js": "module.exports = 'first';", "nodejs/only-first.txt": "kept" },
        { "nodejs/node_modules/shared/index.js": "module.exports = 'second';" },
      ],
    });
    assert.deepEqual((await f.invoke(fn, {})).json, { shared: "second", file: "kept" });
    const fromLayer = f.functionOf("layer-bootstrap", { runtime: "provided.al2023", files: { "data.txt": "x" }, layers: [{ bootstrap: shellBootstrap }] });
    assert.deepEqual(((await f.invoke(fromLayer, 7)).json as { event: number }).event, 7);
  });
});
