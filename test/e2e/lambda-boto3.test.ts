/**
 * boto3 (/usr/bin/python3, Debian's python3-boto3) against Tributary's Lambda with real sandboxes,
 * changed only by endpoint_url: a Python function from a zip with the function_active_v2 waiter,
 * a synchronous invoke with tail logs, an asynchronous one, an unhandled error, a timeout, update
 * code, publish a version and an alias, and a provided.al2023 shell bootstrap. The script prints
 * what boto3 answered; the assertions are here.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { zipOf } from "../helpers/zip.js";
import { awsClientEnv, pythonPath, requireBoto3, run } from "./external-clients.js";
import { providedZip, pythonZip, role } from "./lambda-fixtures.js";

const script = `
import base64, json, sys, time
import boto3
from botocore.exceptions import ClientError

endpoint, work, role = sys.argv[1], sys.argv[2], sys.argv[3]
client = boto3.client("lambda", endpoint_url=endpoint)
out = {}

def zip_bytes(name):
    with open(f"{work}/{name}", "rb") as f:
        return f.read()

def invoke(name, payload, **extra):
    answer = client.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **extra)
    body = answer["Payload"].read()
    answer.pop("Payload"); answer.pop("ResponseMetadata")
    return {"answer": answer, "payload": json.loads(body) if body else None}

created = client.create_function(FunctionName="py", Runtime="python3.12", Handler="app.handler", Role=role, Code={"ZipFile": zip_bytes("python.zip")}, Timeout=2)
out["created_state"] = created["State"]
client.get_waiter("function_active_v2").wait(FunctionName="py", WaiterConfig={"Delay": 1})
out["sync"] = invoke("py", {"hello": "boto3"}, LogType="Tail")
out["sync_log"] = base64.b64decode(out["sync"]["answer"]["LogResult"]).decode()
out["async_status"] = client.invoke(FunctionName="py", InvocationType="Event", Payload=b'{"marker": "boto-async"}')["StatusCode"]
out["error"] = invoke("py", {"fail": True})
out["timeout"] = invoke("py", {"sleepMs": 4000})
client.update_function_code(FunctionName="py", ZipFile=zip_bytes("python-v2.zip"))
client.get_waiter("function_updated_v2").wait(FunctionName="py", WaiterConfig={"Delay": 1})
out["version"] = client.publish_version(FunctionName="py")["Version"]
out["alias_arn"] = client.create_alias(FunctionName="py", Name="live", FunctionVersion=out["version"])["AliasArn"]
out["via_alias"] = invoke("py", {}, Qualifier="live")
client.create_function(FunctionName="shell", Runtime="provided.al2023", Handler="function.handler", Role=role, Code={"ZipFile": zip_bytes("provided.zip")})
client.get_waiter("function_active_v2").wait(FunctionName="shell", WaiterConfig={"Delay": 1})
out["shell"] = invoke("shell", {"from": "boto3"})
try:
    client.get_function(FunctionName="missing")
except ClientError as error:
    out["missing"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(out))
`;

let server: TestServer;
let work: string;

before(async () => {
  await requireBoto3();
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), "tributary-lambda-boto3-"));
  writeFileSync(join(work, "python.zip"), pythonZip());
  writeFileSync(join(work, "python-v2.zip"), zipOf({ "app.py": "def handler(event, context):\n    return {'build': 2}\n" }));
  writeFileSync(join(work, "provided.zip"), providedZip());
  writeFileSync(join(work, "scenario.py"), script);
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("boto3 lambda", () => {
  it("runs the function scenario", async () => {
    const result = await run(pythonPath, [join(work, "scenario.py"), server.url, work, role], awsClientEnv(server.region), 300_000);
    assert.equal(result.code, 0, `the boto3 scenario failed:\n${result.stderr}${result.stdout}`);
    const out = JSON.parse(result.stdout) as Record<string, any>;
    assert.equal(out.created_state, "Pending");
    assert.equal(out.sync.answer.StatusCode, 200);
    assert.equal(out.sync.answer.ExecutedVersion, "$LATEST");
    assert.deepEqual(out.sync.payload.event, { hello: "boto3" });
    assert.equal(out.sync.payload.functionName, "py");
    assert.match(out.sync_log, /python saw \{"hello": "boto3"\}/);
    assert.match(out.sync_log, /REPORT RequestId: /);
    assert.equal(out.async_status, 202);
    assert.equal(out.error.answer.FunctionError, "Unhandled");
    assert.equal(out.error.payload.errorType, "ValueError");
    assert.equal(out.error.payload.errorMessage, "asked to fail");
    assert.equal(out.timeout.answer.FunctionError, "Unhandled");
    assert.match(out.timeout.payload.errorMessage, /Task timed out after 2\.00 seconds/);
    assert.equal(out.version, "1");
    assert.equal(out.alias_arn, "arn:aws:lambda:us-east-1:000000000000:function:py:live");
    assert.equal(out.via_alias.answer.ExecutedVersion, "1");
    assert.deepEqual(out.via_alias.payload, { build: 2 });
    assert.deepEqual(out.shell.payload, { shell: true, handler: "function.handler", event: { from: "boto3" } });
    assert.deepEqual(out.missing, { code: "ResourceNotFoundException", message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing", status: 404 });
  });
});
