/**
 * Invoke (POST /2015-03-31/functions/{FunctionName}/invocations): runs the function with the body
 * as its event. X-Amz-Invocation-Type RequestResponse (200, the result; X-Amz-Function-Error when
 * it failed; X-Amz-Log-Result with X-Amz-Log-Type Tail), Event (202: kept durably and run in the
 * background with Lambda's retries, async-invocations.ts) or DryRun (204: checks only). Payloads
 * are at most 6 MB synchronously and 1 MB asynchronously (Lambda quotas) and must be JSON.
 */
import { lambdaErrors } from "../errors.js";
import { locateFunction, resolvedOf } from "../function-lookup.js";
import { settling } from "../function-records.js";
import { defineApiAction } from "./define.js";
import { Violations } from "./members.js";
import type { ApiContext } from "../api-context.js";
import type { LambdaRequest, LambdaResponse } from "../action.js";

export const syncPayloadBytesMax = 6_291_456;
export const asyncPayloadBytesMax = 1_048_576;

function header(request: LambdaRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The payload as the function gets it: an empty body is `{}`; anything else must be JSON. */
export function payloadOf(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from("{}");
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw lambdaErrors.invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`);
  }
  return body;
}

export async function invokeFunction(context: ApiContext, request: LambdaRequest, invocationType: string, functionName: string, qualifier: string | undefined): Promise<LambdaResponse> {
  if (invocationType !== "RequestResponse" && invocationType !== "Event" && invocationType !== "DryRun") {
    const violations = new Violations();
    violations.add(invocationType, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
    violations.check();
  }
  const logType = header(request, "x-amz-log-type") ?? "None";
  if (logType !== "None" && logType !== "Tail") {
    const violations = new Violations();
    violations.add(logType, "logType", "Member must satisfy enum value set: [None, Tail]");
    violations.check();
  }
  const sizeBytes = request.body.length;
  if (invocationType === "Event" && sizeBytes > asyncPayloadBytesMax) {
    throw lambdaErrors.requestEntityTooLarge(`${sizeBytes} byte payload is too large for the Event invocation type (limit ${asyncPayloadBytesMax} bytes)`);
  }
  if (sizeBytes > syncPayloadBytesMax) throw lambdaErrors.requestEntityTooLarge(`Request must be smaller than ${syncPayloadBytesMax} bytes for the InvokeFunction operation`);
  const payload = payloadOf(request.body);
  const located = await locateFunction(context.store, context.region, request.accountId, functionName, qualifier, { invoke: true, route: context.random });
  // Lambda runs nothing while a creation is Pending (an update InProgress still runs: the old or new configuration).
  const state = settling(located.record, context.clock.nowMs());
  if (state === "Pending") throw lambdaErrors.functionNotActive(state);
  const executedVersion = located.record.Version;
  if (invocationType === "DryRun") return { statusCode: 204, headers: { "x-amz-executed-version": executedVersion } };
  if (!context.options.functionsEnabled) throw lambdaErrors.functionsDisabled();
  if (invocationType === "Event") {
    await context.asyncInvocations.enqueue(located.accountId, {
      requestId: request.requestId,
      functionName: located.functionArn,
      ...(located.qualifier !== undefined && { qualifier: located.qualifier }),
      payloadBase64: payload.toString("base64"),
      enqueuedMs: context.clock.nowMs(),
      failures: 0,
      throttles: 0,
      notBeforeMs: 0,
    });
    return { statusCode: 202 };
  }
  const clientContext = header(request, "x-amz-client-context");
  const result = await context.executor.invoke(resolvedOf(located, context.region), {
    payload,
    requestId: request.requestId,
    logType: logType as "None" | "Tail",
    ...(clientContext !== undefined && { clientContext }),
  });
  if (result.kind === "throttled") throw lambdaErrors.tooManyRequests("Rate Exceeded.", result.reason);
  const headers: Record<string, string> = { "content-type": "application/json", "x-amz-executed-version": result.executedVersion };
  if (result.functionError !== undefined) headers["x-amz-function-error"] = result.functionError;
  if (result.logResultBase64 !== undefined) headers["x-amz-log-result"] = result.logResultBase64;
  return { statusCode: 200, headers, body: result.payload };
}

export const invoke = defineApiAction({
  name: "Invoke",
  method: "POST",
  path: "/2015-03-31/functions/{FunctionName}/invocations",
  iamAction: "lambda:InvokeFunction",
  run: (context, request) =>
    invokeFunction(context, request, header(request, "x-amz-invocation-type") ?? "RequestResponse", request.params.FunctionName!, request.query.get("Qualifier") ?? undefined),
});

/** InvokeAsync (deprecated; POST /2014-11-13/functions/{FunctionName}/invoke-async): an Event invocation answering {"Status": 202}. */
export const invokeAsync = defineApiAction({
  name: "InvokeAsync",
  method: "POST",
  path: "/2014-11-13/functions/{FunctionName}/invoke-async",
  iamAction: "lambda:InvokeFunction",
  async run(context, request) {
    if (request.body.length > 262_144) throw lambdaErrors.requestEntityTooLarge(`${request.body.length} byte payload is too large for the Event invocation type (limit 262144 bytes)`);
    await invokeFunction(context, request, "Event", request.params.FunctionName!, undefined);
    return { statusCode: 202, body: { Status: 202 } };
  },
});
