/**
 * UpdateFunctionCode (PUT /2015-03-31/functions/{FunctionName}/code): new code for `$LATEST` from
 * ZipFile or S3Bucket/S3Key; RevisionId as a precondition (412 when stale), Publish to publish a
 * version, DryRun to check without changing anything. LastUpdateStatus is InProgress in the
 * answer, Successful `settleMs` later; until then (and while the creation is Pending) another
 * change is refused with ResourceConflictException, as Lambda refuses it.
 */
import { lambdaErrors } from "../errors.js";
import { currentRevisionId, functionConfiguration } from "../function-records.js";
import { nameUnqualifiedFunction, readFunction } from "../function-lookup.js";
import { readCode } from "./code-input.js";
import { defineApiAction } from "./define.js";
import { optionalBoolean, optionalString, optionalStringList } from "./members.js";
import { publishVersion } from "./publish.js";
import { updateLatest } from "./update-latest.js";

export const updateFunctionCode = defineApiAction({
  name: "UpdateFunctionCode",
  method: "PUT",
  path: "/2015-03-31/functions/{FunctionName}/code",
  iamAction: "lambda:UpdateFunctionCode",
  async run(context, request) {
    const { json } = request;
    const named = nameUnqualifiedFunction(context.region, request.accountId, request.params.FunctionName!);
    const revisionId = optionalString(json, "RevisionId");
    const architectures = optionalStringList(json, "Architectures");
    const existing = await readFunction(context.store, named);
    return context.codeStore.withLease(named.accountId, async (lease) => {
      const code = await readCode(context, lease, json);
      if (code === undefined) throw lambdaErrors.invalidParameterValue("Please provide a source for function code.");
      const nowMs = context.clock.nowMs();
      if (optionalBoolean(json, "DryRun") === true) {
        if (revisionId !== undefined && revisionId !== currentRevisionId(existing.latest, nowMs)) throw lambdaErrors.preconditionFailed();
        // Nothing names the zip stored for the check: it goes when the lease ends (unless shared).
        await context.codeStore.collect(named.accountId, [code.objectKey]);
        return { statusCode: 200, body: functionConfiguration({ ...existing.latest, code }, named.functionArn, context.region, nowMs) };
      }
      const latest = await updateLatest(context, named, {
        revisionId,
        nowMs,
        members: () => ({ code, ...(architectures !== undefined && architectures.length === 1 && { Architectures: architectures as ("x86_64" | "arm64")[] }) }),
      });
      if (optionalBoolean(json, "Publish") === true) {
        const version = await publishVersion(context, named.accountId, named.name, {});
        return { statusCode: 200, body: functionConfiguration({ ...latest, Version: version.Version }, named.functionArn, context.region, nowMs) };
      }
      return { statusCode: 200, body: functionConfiguration(latest, named.functionArn, context.region, nowMs) };
    });
  },
});
