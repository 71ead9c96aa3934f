/**
 * lambda > runtime > Runtime API: the per-sandbox server over raw HTTP, statuses and bodies as
 * Lambda's (the runtime interface emulator's rapi handlers): the long-poll, the event's headers,
 * 202 {"status":"OK"}, 400 InvalidRequestID, 403 InvalidStateTransition, 413 past 6 MB, 404.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { payloadBytesMax, RuntimeApiServer, type InvocationOutcome } from "../../src/lambda/runtime/runtime-api.js";

interface Recorded {
  initDone: number;
  initErrors: { errorType: string; payload: string }[];
  outcomes: { requestId: string; outcome: InvocationOutcome }[];
}

function serverWithRecorder(): { server: RuntimeApiServer; recorded: Recorded } {
  const recorded: Recorded = { initDone: 0, initErrors: [], outcomes: [] };
  const server = new RuntimeApiServer({
    initDone: () => recorded.initDone++,
    initError: (errorType, payload) => recorded.initErrors.push({ errorType, payload: payload.toString() }),
    outcome: (requestId, outcome) => recorded.outcomes.push({ requestId, outcome }),
  });
  return { server, recorded };
}

const invocation = {
  requestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
  payload: Buffer.from('{"key":"value"}'),
  deadlineMs: 1_542_409_706_888,
  invokedFunctionArn: "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
  traceId: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
  clientContext: '{"custom":{"a":"b"}}',
};

describe("lambda > runtime > Runtime API", () => {
  let server: RuntimeApiServer | undefined;
  afterEach(() => server?.close());

  it("next long-polls until an invocation is dispatched, then answers it with Lambda's headers; the first next ends init", async () => {
    const made = serverWithRecorder();
    server = made.server;
    const api = `http://${await server.listen()}/2018-06-01/runtime`;
    const next = fetch(`${api}/invocation/next`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(made.recorded.initDone, 1);
    server.dispatch(invocation);
    const response = await next;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("lambda-runtime-aws-request-id"), invocation.requestId);
    assert.equal(response.headers.get("lambda-runtime-deadline-ms"), "1542409706888");
    assert.equal(response.headers.get("lambda-runtime-invoked-function-arn"), invocation.invokedFunctionArn);
    assert.equal(response.headers.get("lambda-runtime-trace-id"), invocation.traceId);
    assert.equal(response.headers.get("lambda-runtime-client-context"), invocation.clientContext);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(await response.text(), '{"key":"value"}');

    const wrong = await fetch(`${api}/invocation/not-the-id/response`, { method: "POST", body: "1" });
    assert.equal(wrong.status, 400);
    assert.deepEqual(await wrong.json(), { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });

    const secondNext = await fetch(`${api}/invocation/next`);
    assert.equal(secondNext.status, 403);
    assert.equal(((await secondNext.json()) as { errorType: string }).errorType, "InvalidStateTransition");

    const accepted = await fetch(`${api}/invocation/${invocation.requestId}/response`, { method: "POST", body: '"done"' });
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { status: "OK" });
    assert.deepEqual(made.recorded.outcomes, [{ requestId: invocation.requestId, outcome: { kind: "response", payload: Buffer.from('"done"') } }]);

    const again = await fetch(`${api}/invocation/${invocation.requestId}/response`, { method: "POST", body: '"twice"' });
    assert.equal(again.status, 400);
    const lateInit = await fetch(`${api}/init/error`, { method: "POST", body: "{}" });
    assert.equal(lateInit.status, 403);
  });

  it("an invocation dispatched before the runtime asks is handed to its next /next; /error carries the error type", async () => {
    const made = serverWithRecorder();
    server = made.server;
    const api = `http://${await server.listen()}/2018-06-01/runtime`;
    server.dispatch({ ...invocation, requestId: "queued" });
    const next = await fetch(`${api}/invocation/next`);
    assert.equal(next.headers.get("lambda-runtime-aws-request-id"), "queued");
    await next.text();
    const error = await fetch(`${api}/invocation/queued/error`, { method: "POST", headers: { "Lambda-Runtime-Function-Error-Type": "Unhandled" }, body: '{"errorMessage":"x","errorType":"InvalidEventDataException"}' });
    assert.equal(error.status, 202);
    assert.deepEqual(await error.json(), { status: "OK" });
    const { outcome } = made.recorded.outcomes[0]!;
    assert.equal(outcome.kind, "error");
    assert.equal(outcome.kind === "error" && outcome.errorType, "Unhandled");
    assert.equal(outcome.payload.toString(), '{"errorMessage":"x","errorType":"InvalidEventDataException"}');
  });

  it("init/error during init is accepted and reported; unknown paths are chi's 404; wrong methods 405", async () => {
    const made = serverWithRecorder();
    server = made.server;
    const api = `http://${await server.listen()}/2018-06-01/runtime`;
    const initError = await fetch(`${api}/init/error`, { method: "POST", headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" }, body: '{"errorMessage":"no module","errorType":"Runtime.ImportModuleError"}' });
    assert.equal(initError.status, 202);
    assert.deepEqual(made.recorded.initErrors, [{ errorType: "Runtime.ImportModuleError", payload: '{"errorMessage":"no module","errorType":"Runtime.ImportModuleError"}' }]);
    const unknown = await fetch(`${api}/invocation/some-id/elsewhere`, { method: "POST", body: "1" });
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), "404 page not found\n");
    const wrongMethod = await fetch(`${api}/invocation/next`, { method: "POST", body: "1" });
    assert.equal(wrongMethod.status, 405);
  });

  it("a response past 6 MB answers 413 RequestEntityTooLarge and fails the invocation with Function.ResponseSizeTooLarge", async () => {
    const made = serverWithRecorder();
    server = made.server;
    const api = `http://${await server.listen()}/2018-06-01/runtime`;
    server.dispatch(invocation);
    await (await fetch(`${api}/invocation/next`)).text();
    const sizeBytes = payloadBytesMax + 1;
    const tooLarge = await fetch(`${api}/invocation/${invocation.requestId}/response`, { method: "POST", body: Buffer.alloc(sizeBytes, 0x61) });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(await tooLarge.json(), { errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).", errorType: "RequestEntityTooLarge" });
    const { outcome } = made.recorded.outcomes[0]!;
    assert.equal(outcome.kind === "error" && outcome.errorType, "Function.ResponseSizeTooLarge");
    assert.deepEqual(JSON.parse(outcome.payload.toString()), {
      errorMessage: `Response payload size (${sizeBytes} bytes) exceeded maximum allowed payload size (6291556 bytes).`,
      errorType: "Function.ResponseSizeTooLarge",
    });
  });
});
