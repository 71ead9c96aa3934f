/**
 * Function states as Lambda enforces them, on a ManualClock (the 50 ms windows stand still until
 * the test moves the clock): Invoke while the creation is Pending is ResourceConflictException
 * 409 (all invocation types); UpdateFunctionCode, UpdateFunctionConfiguration and PublishVersion
 * while Pending, or while the last update is InProgress, are refused with Lambda's recorded
 * texts; Invoke still runs while an update is InProgress.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { ManualClock } from "../../src/util/clock.js";
import { zipOf } from "../helpers/zip.js";
import { handlerZip, rawLambda, role, startLambdaServer, type LambdaTestServer } from "./api-fixtures.js";

const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
let lambda: LambdaTestServer;
before(async () => {
  lambda = await startLambdaServer({ clock });
});
after(() => lambda.stop());

const pendingMessage = "The operation cannot be performed at this time. The function is currently in the following state: Pending";
const updatingMessage = (name: string) =>
  `The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:${name}`;

async function rejects(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, "ResourceConflictException");
    assert.equal(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, 409);
    return true;
  });
}

async function create(name: string): Promise<void> {
  const created = await lambda.client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } }));
  assert.equal(created.State, "Pending");
}

describe("Pending", () => {
  it("Invoke is refused with Lambda's 409 on the wire, for every invocation type; nothing runs", async () => {
    await create("pending-invoke");
    const calls = lambda.executor.calls.length;
    const raw = await rawLambda(lambda.server, "POST", "/2015-03-31/functions/pending-invoke/invocations", "{}");
    assert.equal(raw.status, 409);
    assert.equal(raw.headers.get("x-amzn-errortype"), "ResourceConflictException");
    assert.match(raw.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
    assert.deepEqual(raw.json, { Type: "User", message: pendingMessage });
    for (const type of ["Event", "DryRun"]) {
      const refused = await rawLambda(lambda.server, "POST", "/2015-03-31/functions/pending-invoke/invocations", "{}", { "x-amz-invocation-type": type });
      assert.equal(refused.status, 409, type);
      assert.equal(refused.json?.message, pendingMessage);
    }
    await rejects(lambda.client.send(new InvokeCommand({ FunctionName: "pending-invoke" })), pendingMessage);
    assert.equal(lambda.executor.calls.length, calls);
    clock.advance(50);
    const ran = await lambda.client.send(new InvokeCommand({ FunctionName: "pending-invoke", Payload: Buffer.from("{}") }));
    assert.equal(ran.StatusCode, 200);
    assert.equal(lambda.executor.calls.length, calls + 1);
  });

  it("UpdateFunctionCode, UpdateFunctionConfiguration and PublishVersion are refused until Active", async () => {
    await create("pending-update");
    await rejects(lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pending-update", Timeout: 9 })), pendingMessage);
    await rejects(lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "pending-update", ZipFile: zipOf({ "index.mjs": "export const handler = () => 1;\n" }) })), pendingMessage);
    await rejects(lambda.client.send(new PublishVersionCommand({ FunctionName: "pending-update" })), pendingMessage);
    clock.advance(49);
    await rejects(lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pending-update", Timeout: 9 })), pendingMessage);
    clock.advance(1);
    const updated = await lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pending-update", Timeout: 9 }));
    assert.equal(updated.State, "Active");
    assert.equal(updated.LastUpdateStatus, "InProgress");
  });
});

describe("InProgress", () => {
  it("a second change is refused naming the function's ARN; Invoke runs meanwhile; Successful lets changes through again", async () => {
    await create("updating");
    clock.advance(50);
    await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "updating", ZipFile: zipOf({ "index.mjs": "export const handler = () => 2;\n" }) }));
    const raw = await rawLambda(lambda.server, "PUT", "/2015-03-31/functions/updating/configuration", JSON.stringify({ Timeout: 7 }));
    assert.equal(raw.status, 409);
    assert.equal(raw.headers.get("x-amzn-errortype"), "ResourceConflictException");
    assert.deepEqual(raw.json, { Type: "User", message: updatingMessage("updating") });
    await rejects(lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "updating", ZipFile: handlerZip })), updatingMessage("updating"));
    await rejects(lambda.client.send(new PublishVersionCommand({ FunctionName: "updating" })), updatingMessage("updating"));
    const ran = await lambda.client.send(new InvokeCommand({ FunctionName: "updating" }));
    assert.equal(ran.StatusCode, 200);
    const during = await lambda.client.send(new GetFunctionConfigurationCommand({ FunctionName: "updating" }));
    assert.equal(during.LastUpdateStatus, "InProgress");
    assert.equal(during.Timeout, 3);
    clock.advance(50);
    const settled = await lambda.client.send(new GetFunctionConfigurationCommand({ FunctionName: "updating" }));
    assert.equal(settled.LastUpdateStatus, "Successful");
    const published = await lambda.client.send(new PublishVersionCommand({ FunctionName: "updating" }));
    assert.equal(published.Version, "1");
    const updated = await lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "updating", Timeout: 7 }));
    assert.equal(updated.Timeout, 7);
  });

  it("of two concurrent updates one wins and the other is refused", async () => {
    await create("racing");
    clock.advance(50);
    const outcomes = await Promise.allSettled([
      lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "racing", Timeout: 5 })),
      lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "racing", Timeout: 6 })),
    ]);
    assert.equal(outcomes.filter((outcome) => outcome.status === "fulfilled").length, 1);
    const refused = outcomes.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
    assert.equal((refused.reason as Error).message, updatingMessage("racing"));
  });
});
