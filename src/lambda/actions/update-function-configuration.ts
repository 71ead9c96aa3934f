/**
 * UpdateFunctionConfiguration (PUT /2015-03-31/functions/{FunctionName}/configuration): the members
 * given replace `$LATEST`'s (Environment and Layers whole); RevisionId as a precondition.
 * LastUpdateStatus is InProgress in the answer, Successful `settleMs` later (until then, and while
 * the creation is Pending, another change is refused with ResourceConflictException). The function's warm
 * sandboxes end, so the next run sees the new configuration.
 */
import { lambdaErrors } from "../errors.js";
import { functionConfiguration } from "../function-records.js";
import { nameUnqualifiedFunction, readFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { loggingConfigOf, readConfig } from "./function-config.js";
import { optionalString } from "./members.js";
import { updateLatest } from "./update-latest.js";

export const updateFunctionConfiguration = defineApiAction({
  name: "UpdateFunctionConfiguration",
  method: "PUT",
  path: "/2015-03-31/functions/{FunctionName}/configuration",
  iamAction: "lambda:UpdateFunctionConfiguration",
  async run(context, request) {
    const { json } = request;
    const named = nameUnqualifiedFunction(context.region, request.accountId, request.params.FunctionName!);
    if (optionalString(json, "ImageConfig") !== undefined) throw lambdaErrors.invalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.");
    const revisionId = optionalString(json, "RevisionId");
    await readFunction(context.store, named);
    return context.codeStore.withLease(named.accountId, async (lease) => {
      const config = await readConfig(context, lease, json);
      const nowMs = context.clock.nowMs();
      const { LoggingConfig: logging, EphemeralStorageSize, TracingMode, Environment, ...plain } = config;
      // Layers detached may have been the last users of a deleted layer version's archive: updateLatest collects them.
      const latest = await updateLatest(context, named, {
        revisionId,
        nowMs,
        members: (was) => ({
          ...plain,
          ...(Environment !== undefined && { Environment }),
          ...(EphemeralStorageSize !== undefined && { EphemeralStorageSize }),
          ...(TracingMode !== undefined && { TracingMode }),
          LoggingConfig: loggingConfigOf(named.name, logging, was.LoggingConfig),
        }),
      });
      return { statusCode: 200, body: functionConfiguration(latest, named.functionArn, context.region, nowMs) };
    });
  },
});
