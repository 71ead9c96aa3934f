/** Glue through boto3: create, get, paginate, and the not-found error as botocore reads it. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { awsClientEnv, pythonPath, requireBoto3, run } from "../e2e/external-clients.js";

const scenario = fileURLToPath(new URL("./fixtures/boto3-glue.py", import.meta.url));
let server: TestServer;

before(async () => {
  await requireBoto3();
  server = await startTestServer();
});
after(async () => {
  await server?.stop();
});

describe("glue > boto3", () => {
  it("glue > boto3 > create_database, create_table, get_table, get_tables paginator, EntityNotFoundException", async () => {
    const result = await run(pythonPath, [scenario, server.url], awsClientEnv(server.region));
    assert.equal(result.code, 0, `boto3 scenario failed:\n${result.stderr}`);
    const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(summary.columns, [{ Name: "user", Type: "string" }, { Name: "n", Type: "bigint" }]);
    assert.equal(summary.version, "0");
    assert.ok(!Number.isNaN(Date.parse(summary.created)));
    assert.deepEqual(summary.tables, ["clicks"]);
    assert.deepEqual(summary.error, ["EntityNotFoundException", "Table missing not found.", 400]);
  });
});
