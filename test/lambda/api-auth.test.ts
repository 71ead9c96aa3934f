/**
 * The Lambda API under `--auth sigv4`: a caller whose identity policy allows lambda:CreateFunction,
 * lambda:GetFunction and lambda:InvokeFunction on its functions creates, waits for and invokes
 * one; a call its policies do not allow answers Lambda's AccessDeniedException (403, the
 * x-amzn-ErrorType header, `{"Message": "User: <arn> is not authorized to perform: <action> on
 * resource: <arn> because no identity-based policy allows the <action> action"}`), and an explicit
 * Deny is worded as IAM words it. GetFunction's Code.Location downloads without signing (it
 * carries its own signature, as Lambda's presigned S3 URL does); a tampered one is refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { TestCredentials } from "../helpers/server.js";
import { CredentialsDir, allowAll, sdkSigner } from "../auth/sigv4-helpers.js";
import { handlerZip, role, startLambdaServer, waitActive, type LambdaTestServer } from "./api-fixtures.js";

const home = "000000000000";
const admin: TestCredentials = { accessKeyId: "AKIAADMINEXAMPLE0016", secretAccessKey: "admin/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const deployer: TestCredentials = { accessKeyId: "AKIADEPLOYEXAMPLE016", secretAccessKey: "deploy/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const deployerArn = `arn:aws:iam::${home}:user/deployer`;
const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${home}:function:${name}`;
/** The deployer may create, read and invoke its own functions (app-*), and never invoke billing-*. */
const deployerPolicies = [
  {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["lambda:CreateFunction", "lambda:GetFunction", "lambda:InvokeFunction"], Resource: `arn:aws:lambda:*:${home}:function:app-*` },
      { Effect: "Allow", Action: "lambda:GetFunction", Resource: `arn:aws:lambda:*:${home}:function:billing-*` },
      { Effect: "Deny", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:*:${home}:function:billing-*` },
    ],
  },
];

let credentials: CredentialsDir;
let lambda: LambdaTestServer;
const clients: LambdaClient[] = [];

function client(as: TestCredentials): LambdaClient {
  const made = new LambdaClient({ endpoint: lambda.server.url, region: lambda.server.region, credentials: as });
  clients.push(made);
  return made;
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([
    { ...admin, accountId: home, principalArn: `arn:aws:iam::${home}:user/admin`, policies: [allowAll] },
    { ...deployer, accountId: home, principalArn: deployerArn, policies: deployerPolicies },
  ]);
  lambda = await startLambdaServer({ credentialsFile: credentials.path });
  for (const name of ["billing-report", "other"]) {
    await client(admin).send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } }));
    await waitActive(client(admin), name);
  }
});

after(async () => {
  for (const made of clients) made.destroy();
  await lambda?.stop();
  credentials?.remove();
});

/** A SigV4-signed request for service `lambda`, answered raw. */
async function signed(as: TestCredentials, method: string, path: string, body = ""): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(lambda.server.url);
  const unsigned = { method, protocol: "http:", hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host, "content-type": "application/json" }, body };
  const request = await sdkSigner(as, "us-east-1", "lambda").sign(unsigned);
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: url.hostname, port: url.port, method, path, headers: request.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, text: Buffer.concat(chunks).toString() }));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

async function assertDenied(call: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(call, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, "AccessDeniedException");
    assert.equal(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, 403);
    return true;
  });
}

describe("Lambda under --auth sigv4", () => {
  it("a caller allowed by its identity policy creates, waits for and invokes its function", async () => {
    const deployerClient = client(deployer);
    const created = await deployerClient.send(new CreateFunctionCommand({ FunctionName: "app-orders", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } }));
    assert.equal(created.FunctionArn, functionArn("app-orders"));
    await waitActive(deployerClient, "app-orders");
    const answer = await deployerClient.send(new InvokeCommand({ FunctionName: "app-orders", Payload: Buffer.from('{"n":1}') }));
    assert.equal(answer.StatusCode, 200);
    assert.deepEqual(JSON.parse(Buffer.from(answer.Payload!).toString()), { event: { n: 1 }, version: "$LATEST" });
  });

  it("a call no identity policy allows: AccessDeniedException 403 with Lambda's header and body", async () => {
    const raw = await signed(deployer, "POST", "/2015-03-31/functions/other/invocations", "{}");
    assert.equal(raw.status, 403);
    assert.equal(raw.headers["x-amzn-errortype"], "AccessDeniedException");
    assert.equal(raw.headers["content-type"], "application/json");
    assert.match(String(raw.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(raw.text), {
      Message: `User: ${deployerArn} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn("other")} because no identity-based policy allows the lambda:InvokeFunction action`,
    });
    await assertDenied(
      client(deployer).send(new GetFunctionCommand({ FunctionName: "other" })),
      `User: ${deployerArn} is not authorized to perform: lambda:GetFunction on resource: ${functionArn("other")} because no identity-based policy allows the lambda:GetFunction action`,
    );
    await assertDenied(
      client(deployer).send(new CreateFunctionCommand({ FunctionName: "ops-tool", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } })),
      `User: ${deployerArn} is not authorized to perform: lambda:CreateFunction on resource: ${functionArn("ops-tool")} because no identity-based policy allows the lambda:CreateFunction action`,
    );
  });

  it("an explicit Deny wins over nothing and is worded as IAM words it; nothing ran", async () => {
    const calls = lambda.executor.calls.length;
    await assertDenied(
      client(deployer).send(new InvokeCommand({ FunctionName: "billing-report" })),
      `User: ${deployerArn} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn("billing-report")} with an explicit deny in an identity-based policy`,
    );
    assert.equal(lambda.executor.calls.length, calls);
  });

  it("an unsigned request is refused before Lambda sees it (the pipeline's MissingAuthenticationToken)", async () => {
    const calls = lambda.executor.calls.length;
    const response = await fetch(`${lambda.server.url}/2015-03-31/functions/app-orders/invocations`, { method: "POST", body: "{}" });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /MissingAuthenticationToken/);
    assert.equal(lambda.executor.calls.length, calls);
  });

  it("Code.Location downloads without signing, as a presigned URL does; a tampered or foreign token is refused", async () => {
    const got = await client(deployer).send(new GetFunctionCommand({ FunctionName: "billing-report" }));
    const location = got.Code!.Location!;
    const download = await fetch(location);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "application/zip");
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), handlerZip);
    const tampered = location.replace(/.$/, (last) => (last === "A" ? "B" : "A"));
    const refused = await fetch(tampered);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("x-amzn-errortype"), "AccessDeniedException");
    assert.deepEqual(await refused.json(), { Message: "Request has expired or its signature does not match." });
    // Only the download is self-authenticating: the same path with another method is not.
    const posted = await fetch(location, { method: "POST", body: "{}" });
    assert.equal(posted.status, 400);
    assert.match(await posted.text(), /MissingAuthenticationToken/);
  });
});
