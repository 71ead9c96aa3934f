/**
 * Invoke through @aws-sdk/client-lambda and raw HTTP, over a fake Executor: RequestResponse,
 * Event (202, run in the background), DryRun (204), Tail logs, X-Amz-Function-Error, throttles
 * (429 with Reason), payload limits and JSON checks, qualifiers and aliases.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateAliasCommand, InvokeCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { waitFor } from "../helpers/wait.js";
import { createActive, handlerZip, rawLambda, role, startLambdaServer, waitUpdated, type LambdaTestServer } from "./api-fixtures.js";

let lambda: LambdaTestServer;
before(async () => {
  lambda = await startLambdaServer();
  await createActive(lambda.client, ({ FunctionName: "echo", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } }));
});
after(() => lambda.stop());

const invocations = (body?: string | Buffer, headers: Record<string, string> = {}, name = "echo", query = "") =>
  rawLambda(lambda.server, "POST", `/2015-03-31/functions/${name}/invocations${query}`, body, headers);

describe("Invoke", () => {
  it("RequestResponse: 200 with the result, X-Amz-Executed-Version, and the request id the function saw", async () => {
    const response = await invocations('{"a":1}');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { event: { a: 1 }, version: "$LATEST" });
    assert.equal(response.headers.get("x-amz-executed-version"), "$LATEST");
    const call = lambda.executor.calls.at(-1)!;
    assert.equal(response.headers.get("x-amzn-requestid"), call.input.requestId);
    assert.equal(call.fn.functionName, "echo");
    assert.equal(call.fn.invokedArn, "arn:aws:lambda:us-east-1:000000000000:function:echo");
  });

  it("through the SDK with LogType Tail: LogResult", async () => {
    const result = await lambda.client.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('"hi"'), LogType: "Tail" }));
    assert.equal(result.StatusCode, 200);
    assert.equal(Buffer.from(result.Payload!).toString(), '{"event":"hi","version":"$LATEST"}');
    assert.equal(Buffer.from(result.LogResult!, "base64").toString(), "START\nEND\n");
  });

  it("an empty payload is {}; a payload that is not JSON is InvalidRequestContentException", async () => {
    assert.deepEqual((await invocations()).json, { event: {}, version: "$LATEST" });
    const bad = await invocations("{nope");
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get("x-amzn-errortype"), "InvalidRequestContentException");
    assert.match(String(bad.json?.message), /^Could not parse request body into json: Could not parse payload into json: /);
    assert.equal(bad.json?.Type, "User");
  });

  it("refuses a synchronous payload past 6 MB with Lambda's 413", async () => {
    const response = await invocations(`"${"a".repeat(6_291_456)}"`);
    assert.equal(response.status, 413);
    assert.equal(response.headers.get("x-amzn-errortype"), "RequestEntityTooLargeException");
    assert.equal(response.json?.message, "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  });

  it("Event: 202 at once, the function runs in the background; past 1 MB refused", async () => {
    const before = lambda.executor.calls.length;
    const response = await invocations('{"async":true}', { "x-amz-invocation-type": "Event" });
    assert.equal(response.status, 202);
    assert.equal(response.text, "");
    await waitFor("the queued event ran", () => lambda.executor.calls.slice(before).some((call) => call.input.payload.toString() === '{"async":true}'));
    const large = await invocations(`"${"a".repeat(1_048_576)}"`, { "x-amz-invocation-type": "Event" });
    assert.equal(large.status, 413);
    assert.equal(large.json?.message, "1048578 byte payload is too large for the Event invocation type (limit 1048576 bytes)");
  });

  it("DryRun: 204, nothing runs", async () => {
    const before = lambda.executor.calls.length;
    const response = await invocations("{}", { "x-amz-invocation-type": "DryRun" });
    assert.equal(response.status, 204);
    assert.equal(lambda.executor.calls.length, before);
  });

  it("an unknown invocation type is a ValidationException", async () => {
    const response = await invocations("{}", { "x-amz-invocation-type": "Sometimes" });
    assert.equal(response.status, 400);
    assert.equal(response.json?.message, "1 validation error detected: Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
  });

  it("a failed run: 200 with X-Amz-Function-Error Unhandled and the error document", async () => {
    await createActive(lambda.client, ({ FunctionName: "thrower", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip }, Environment: { Variables: { FAKE: "throw" } } }));
    const result = await lambda.client.send(new InvokeCommand({ FunctionName: "thrower" }));
    assert.equal(result.StatusCode, 200);
    assert.equal(result.FunctionError, "Unhandled");
    assert.deepEqual(JSON.parse(Buffer.from(result.Payload!).toString()), { errorType: "Error", errorMessage: "boom", trace: [] });
  });

  it("a throttled run: TooManyRequestsException 429 with Reason and Retry-After", async () => {
    await createActive(lambda.client, ({ FunctionName: "busy", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip }, Environment: { Variables: { FAKE: "throttle" } } }));
    const response = await invocations("{}", {}, "busy");
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "1");
    assert.deepEqual(response.json, { Type: "User", message: "Rate Exceeded.", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
  });

  it("a function that does not exist: 404 naming the qualified ARN", async () => {
    const response = await invocations("{}", {}, "ghost", "?Qualifier=7");
    assert.equal(response.status, 404);
    assert.equal(response.json?.Message, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost:7");
  });

  it("qualifiers: a version runs that version's configuration, an alias its version", async () => {
    await createActive(lambda.client, ({ FunctionName: "versioned", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip }, Timeout: 5 }));
    const v1 = await lambda.client.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    assert.equal(v1.Version, "1");
    await lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", Timeout: 9 }));
    await waitUpdated(lambda.client, "versioned");
    await lambda.client.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: "1" }));
    const viaAlias = await lambda.client.send(new InvokeCommand({ FunctionName: "versioned:live" }));
    assert.equal(viaAlias.ExecutedVersion, "1");
    const call = lambda.executor.calls.at(-1)!;
    assert.equal(call.fn.timeoutSeconds, 5);
    assert.equal(call.fn.invokedArn, "arn:aws:lambda:us-east-1:000000000000:function:versioned:live");
    assert.equal(call.fn.versionArn, "arn:aws:lambda:us-east-1:000000000000:function:versioned:1");
    const latest = await lambda.client.send(new InvokeCommand({ FunctionName: "versioned", Qualifier: "$LATEST" }));
    assert.equal(latest.ExecutedVersion, "$LATEST");
    assert.equal(lambda.executor.calls.at(-1)!.fn.timeoutSeconds, 9);
    const mismatch = await invocations("{}", {}, "versioned:live", "?Qualifier=1");
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json?.message, "The derived qualifier from the function name does not match the specified qualifier.");
  });
});
