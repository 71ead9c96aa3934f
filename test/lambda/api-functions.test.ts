/**
 * The Lambda API's function actions through @aws-sdk/client-lambda and raw HTTP: CreateFunction's
 * answer and its checks (with Lambda's recorded names, messages and statuses), state transitions,
 * GetFunction's code location, updates with RevisionId, ListFunctions, DeleteFunction.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { PutObjectCommand, S3Client, CreateBucketCommand } from "@aws-sdk/client-s3";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import { exampleCredentials } from "../helpers/server.js";
import { zipOf } from "../helpers/zip.js";
import { createActive, handlerZip, rawLambda, role, startLambdaServer, type LambdaTestServer } from "./api-fixtures.js";

let lambda: LambdaTestServer;
before(async () => {
  lambda = await startLambdaServer();
});
after(() => lambda.stop());

let counter = 0;
function fresh(): string {
  counter++;
  return `fn-${counter}`;
}

function createInput(name: string, extra: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput {
  return { FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip }, ...extra };
}

async function rejects(promise: Promise<unknown>, name: string, message: string | RegExp, status: number): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe("CreateFunction", () => {
  it("answers 201 with the configuration, Pending, then Active", async () => {
    const name = fresh();
    const created = await lambda.client.send(new CreateFunctionCommand(createInput(name, { Environment: { Variables: { AB: "1" } }, Tags: { team: "x" } })));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.FunctionArn, `arn:aws:lambda:us-east-1:000000000000:function:${name}`);
    assert.equal(created.State, "Pending");
    assert.equal(created.StateReason, "The function is being created.");
    assert.equal(created.StateReasonCode, "Creating");
    assert.equal(created.LastUpdateStatus, undefined);
    assert.equal(created.Version, "$LATEST");
    assert.equal(created.Timeout, 3);
    assert.equal(created.MemorySize, 128);
    assert.equal(created.PackageType, "Zip");
    assert.deepEqual(created.Architectures, ["x86_64"]);
    assert.deepEqual(created.EphemeralStorage, { Size: 512 });
    assert.deepEqual(created.Environment?.Variables, { AB: "1" });
    assert.deepEqual(created.LoggingConfig, { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` });
    assert.equal(created.CodeSha256, createHash("sha256").update(handlerZip).digest("base64"));
    assert.equal(created.CodeSize, handlerZip.length);
    assert.match(created.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    await waitUntilFunctionActiveV2({ client: lambda.client, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
    const got = await lambda.client.send(new GetFunctionCommand({ FunctionName: name }));
    assert.equal(got.Configuration?.State, "Active");
    assert.equal(got.Configuration?.LastUpdateStatus, "Successful");
    assert.notEqual(got.Configuration?.RevisionId, created.RevisionId);
    assert.deepEqual(got.Tags, { team: "x" });
    assert.equal(got.Code?.RepositoryType, "S3");
    const download = await fetch(got.Code!.Location!);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), handlerZip);
  });

  it("refuses a name that exists: ResourceConflictException", async () => {
    const name = fresh();
    await lambda.client.send(new CreateFunctionCommand(createInput(name)));
    await rejects(lambda.client.send(new CreateFunctionCommand(createInput(name))), "ResourceConflictException", `Function already exist: ${name}`, 409);
  });

  it("checks the model's constraints together: ValidationException", async () => {
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Timeout: 0, MemorySize: 100 }))),
      "ValidationException",
      "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '100' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
      400,
    );
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Role: "r1" }))),
      "ValidationException",
      "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
      400,
    );
  });

  it("answers Lambda's runtime errors", async () => {
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Runtime: "nodejs14.x" }))),
      "InvalidParameterValueException",
      "The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.",
      400,
    );
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Runtime: "cobol" as never }))),
      "InvalidParameterValueException",
      /^Value cobol at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs20\.x, .*\] or be a valid ARN$/,
      400,
    );
  });

  it("refuses reserved and oversized environments, a bad zip and container images", async () => {
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Environment: { Variables: { AWS_REGION: "x" } } }))),
      "InvalidParameterValueException",
      "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION",
      400,
    );
    const big = "x".repeat(4100);
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Environment: { Variables: { LARGE_VAR: big } } }))),
      "InvalidParameterValueException",
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {"LARGE_VAR":"${big}"}`,
      400,
    );
    await rejects(
      lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Code: { ZipFile: Buffer.from("not a zip") } }))),
      "InvalidParameterValueException",
      "Could not unzip uploaded file. Please check your file, then try to upload again.",
      400,
    );
    await rejects(
      lambda.client.send(new CreateFunctionCommand({ FunctionName: fresh(), PackageType: "Image", Role: role, Code: { ImageUri: "x" } })),
      "InvalidParameterValueException",
      /PackageType Image is not supported/,
      400,
    );
  });

  it("reads Code.S3Bucket/S3Key from the built-in object store", async () => {
    const s3 = new S3Client({ endpoint: lambda.server.url, region: "us-east-1", forcePathStyle: true, credentials: exampleCredentials });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: "lambda-code" }));
      const zip = zipOf({ "app.py": "def handler(event, context):\n    return event\n" });
      await s3.send(new PutObjectCommand({ Bucket: "lambda-code", Key: "fn.zip", Body: zip }));
      const created = await lambda.client.send(
        new CreateFunctionCommand(createInput(fresh(), { Runtime: "python3.12", Handler: "app.handler", Code: { S3Bucket: "lambda-code", S3Key: "fn.zip" } })),
      );
      assert.equal(created.CodeSha256, createHash("sha256").update(zip).digest("base64"));
      await rejects(
        lambda.client.send(new CreateFunctionCommand(createInput(fresh(), { Code: { S3Bucket: "lambda-code", S3Key: "missing.zip" } }))),
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.",
        400,
      );
    } finally {
      s3.destroy();
    }
  });
});

describe("GetFunction and the error shape", () => {
  it("answers ResourceNotFoundException 404 with Lambda's body and headers", async () => {
    const response = await rawLambda(lambda.server, "GET", "/2015-03-31/functions/nothing-here");
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("x-amzn-errortype"), "ResourceNotFoundException");
    assert.match(response.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
    assert.deepEqual(response.json, { Type: "User", Message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nothing-here" });
  });

  it("answers InvalidParameterValueException with a lowercase message member", async () => {
    const response = await rawLambda(lambda.server, "POST", "/2015-03-31/functions", JSON.stringify({ FunctionName: "x", Role: role, Runtime: "nodejs14.x", Handler: "h", Code: { ZipFile: handlerZip.toString("base64") } }));
    assert.equal(response.status, 400);
    assert.equal(response.json?.Type, "User");
    assert.match(String(response.json?.message), /^The runtime parameter of nodejs14\.x/);
  });

  it("answers a body that is not JSON with InvalidRequestContentException", async () => {
    const response = await rawLambda(lambda.server, "POST", "/2015-03-31/functions", "{nope");
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-amzn-errortype"), "InvalidRequestContentException");
  });

  it("finds a function by name, partial ARN and full ARN; another region's ARN is not reachable", async () => {
    const name = fresh();
    await lambda.client.send(new CreateFunctionCommand(createInput(name)));
    for (const form of [name, `000000000000:function:${name}`, `arn:aws:lambda:us-east-1:000000000000:function:${name}`]) {
      const got = await lambda.client.send(new GetFunctionConfigurationCommand({ FunctionName: form }));
      assert.equal(got.FunctionName, name);
    }
    await rejects(
      lambda.client.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:ap-southeast-1:000000000000:function:${name}` })),
      "ResourceNotFoundException",
      "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')",
      404,
    );
    await rejects(
      lambda.client.send(new GetFunctionCommand({ FunctionName: "invalid:function:name" })),
      "ValidationException",
      /^1 validation error detected: Value 'invalid:function:name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
      400,
    );
  });
});

describe("updates", () => {
  it("UpdateFunctionConfiguration: InProgress, then Successful; a stale RevisionId is PreconditionFailedException", async () => {
    const name = fresh();
    await createActive(lambda.client, createInput(name));
    const updated = await lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 10, MemorySize: 512, Description: "changed" }));
    assert.equal(updated.LastUpdateStatus, "InProgress");
    assert.equal(updated.LastUpdateStatusReasonCode, "Creating");
    assert.equal(updated.Timeout, 10);
    await waitUntilFunctionUpdatedV2({ client: lambda.client, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
    const settled = await lambda.client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(settled.LastUpdateStatus, "Successful");
    assert.equal(settled.MemorySize, 512);
    await rejects(
      lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5, RevisionId: updated.RevisionId })),
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      412,
    );
    assert.ok(lambda.executor.retired.includes(`arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`));
  });

  it("UpdateFunctionCode: new code and CodeSha256; DryRun changes nothing", async () => {
    const name = fresh();
    await createActive(lambda.client, createInput(name));
    const zip = zipOf({ "index.mjs": "export const handler = async () => 2;\n" });
    const dry = await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip, DryRun: true }));
    assert.equal(dry.CodeSha256, createHash("sha256").update(zip).digest("base64"));
    const before = await lambda.client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(before.CodeSha256, createHash("sha256").update(handlerZip).digest("base64"));
    const updated = await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
    assert.equal(updated.CodeSha256, dry.CodeSha256);
    await rejects(
      lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: `${name}:1`, ZipFile: zip })),
      "InvalidParameterValueException",
      "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
      400,
    );
  });
});

describe("ListFunctions and DeleteFunction", () => {
  it("pages by MaxItems and Marker", async () => {
    for (let index = 0; index < 3; index++) await lambda.client.send(new CreateFunctionCommand(createInput(`page-${index}`)));
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.client.send(new ListFunctionsCommand({ MaxItems: 2, ...(marker !== undefined && { Marker: marker }) }));
      assert.ok(page.Functions!.length <= 2);
      names.push(...page.Functions!.map((fn) => fn.FunctionName!));
      marker = page.NextMarker;
    } while (marker !== undefined);
    assert.deepEqual(names.filter((name) => name.startsWith("page-")), ["page-0", "page-1", "page-2"]);
    assert.deepEqual([...names].sort(), names);
  });

  it("deletes; the function is then not found; $LATEST cannot be deleted alone", async () => {
    const name = fresh();
    await lambda.client.send(new CreateFunctionCommand(createInput(name)));
    await rejects(
      lambda.client.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "$LATEST" })),
      "InvalidParameterValueException",
      "$LATEST version cannot be deleted without deleting the function.",
      400,
    );
    const deleted = await lambda.client.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await rejects(lambda.client.send(new GetFunctionCommand({ FunctionName: name })), "ResourceNotFoundException", `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}`, 404);
    await rejects(lambda.client.send(new DeleteFunctionCommand({ FunctionName: name })), "ResourceNotFoundException", `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}`, 404);
  });
});

describe("a request past even the server's cap for the Lambda API", () => {
  it("is refused unread with Lambda's RequestEntityTooLargeException for the operation, and the connection closed", async () => {
    const { connect } = await import("node:net");
    const url = new URL(lambda.server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /2015-03-31/functions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 200000000\r\n\r\n{"FunctionName":`);
      });
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /\r\nx-amzn-errortype: RequestEntityTooLargeException\r\n/i);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
    assert.deepEqual(body, { message: "Request must be smaller than 70167211 bytes for the CreateFunction operation" });
  });
});
