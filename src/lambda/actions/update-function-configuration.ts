/**
 * UpdateFunctionConfiguration (PUT /2015-03-31/functions/{FunctionName}/configuration): the members
 * given replace `$LATEST`'s (Environment and Layers whole); RevisionId as a precondition.
 * LastUpdateStatus is InProgress in the answer, Successful `settleMs` later (until then, and while
 * the creation is Pending, another change is refused with ResourceConflictException). The function's warm
 * sandboxes end, so the next run sees the new configuration.
 */
import { lambdaErrors } from "../errors.js";
import { checkChangeable, codeKeysOf, currentRevisionId, functionConfiguration, settleMs, type VersionRecord } from "../function-records.js";
import { nameFunction } from "../function-lookup.js";
import { randomUUIDFrom } from "../../util/uuid.js";
import { defineApiAction } from "./define.js";
import { loggingConfigOf, readConfig } from "./function-config.js";
import { optionalString } from "./members.js";

export const updateFunctionConfiguration = defineApiAction({
  name: "UpdateFunctionConfiguration",
  method: "PUT",
  path: "/2015-03-31/functions/{FunctionName}/configuration",
  iamAction: "lambda:UpdateFunctionConfiguration",
  async run(context, request) {
    const { json } = request;
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    if (named.qualifier !== undefined) {
      throw lambdaErrors.invalidParameterValue(
        "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
      );
    }
    if (optionalString(json, "ImageConfig") !== undefined) throw lambdaErrors.invalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.");
    const revisionId = optionalString(json, "RevisionId");
    if ((await context.store.getFunction(named.accountId, named.name)) === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
    return context.codeStore.withLease(named.accountId, async (lease) => {
      const config = await readConfig(context, lease, json);
      const nowMs = context.clock.nowMs();
      let replaced: VersionRecord | undefined;
      const latest = await context.store.change(named.accountId, named.name, (current) => {
        if (current === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
        const was = current.latest;
        checkChangeable(was, named.functionArn, nowMs);
        replaced = was;
        if (revisionId !== undefined && revisionId !== currentRevisionId(was, nowMs)) throw lambdaErrors.preconditionFailed();
        const { LoggingConfig: logging, EphemeralStorageSize, TracingMode, Environment, ...plain } = config;
        const updated: VersionRecord = {
          ...was,
          ...plain,
          ...(Environment !== undefined && { Environment }),
          ...(EphemeralStorageSize !== undefined && { EphemeralStorageSize }),
          ...(TracingMode !== undefined && { TracingMode }),
          LoggingConfig: loggingConfigOf(named.name, logging, was.LoggingConfig),
          lastModifiedMs: nowMs,
          pendingRevisionId: randomUUIDFrom(context.random),
          revisionId: randomUUIDFrom(context.random),
          settlesAtMs: nowMs + settleMs,
          change: "update",
        };
        return { write: { ...current, latest: updated }, result: updated };
      });
      await context.executor.retire(named.functionArn, "$LATEST");
      // Layers detached may have been the last users of a deleted layer version's archive.
      await context.codeStore.collect(named.accountId, codeKeysOf(replaced!));
      return { statusCode: 200, body: functionConfiguration(latest, named.functionArn, context.region, nowMs) };
    });
  },
});
