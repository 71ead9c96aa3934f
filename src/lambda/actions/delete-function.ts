/**
 * DeleteFunction (DELETE /2015-03-31/functions/{FunctionName}): the function with its versions
 * and aliases, or with a version Qualifier only that version. Its sandboxes end; its logs stay, as
 * CloudWatch Logs keeps them on AWS; its event source mappings stay and fail until it exists again.
 */
import { lambdaErrors } from "../errors.js";
import { isVersionNumber } from "../function-names.js";
import { nameFunction } from "../function-lookup.js";
import { codeKeysOf } from "../function-records.js";
import { defineApiAction } from "./define.js";

export const deleteFunction = defineApiAction({
  name: "DeleteFunction",
  method: "DELETE",
  path: "/2015-03-31/functions/{FunctionName}",
  iamAction: "lambda:DeleteFunction",
  async run(context, request) {
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!, request.query.get("Qualifier") ?? undefined);
    const { accountId, name, functionArn, qualifier } = named;
    if (qualifier === "$LATEST") throw lambdaErrors.invalidParameterValue("$LATEST version cannot be deleted without deleting the function.");
    if (qualifier !== undefined && !isVersionNumber(qualifier)) {
      throw lambdaErrors.invalidParameterValue("Deletion of aliases is not supported by DeleteFunction: use DeleteAlias.");
    }
    if (qualifier !== undefined) {
      const item = await context.store.getFunction(accountId, name);
      const version = item === undefined ? undefined : await context.store.getVersion(accountId, name, Number(qualifier));
      if (item === undefined || version === undefined) throw lambdaErrors.functionNotFound(`${functionArn}:${qualifier}`);
      const aliases = Object.values(item.aliases).filter((alias) => alias.FunctionVersion === qualifier || alias.RoutingConfig?.AdditionalVersionWeights[qualifier] !== undefined);
      if (aliases.length > 0) {
        throw lambdaErrors.resourceConflict(`Unable to delete version because the following aliases reference it: [${aliases.map((alias) => alias.Name).join(", ")}]`);
      }
      await context.store.deleteVersion(accountId, name, Number(qualifier));
      await context.executor.retire(functionArn, qualifier);
      await context.codeStore.collect(accountId, codeKeysOf(version));
      return { statusCode: 204 };
    }
    const deleted = await context.store.change(accountId, name, (current) => {
      if (current === undefined) throw lambdaErrors.functionNotFound(functionArn);
      return { write: "delete", result: current };
    });
    const codeKeys = codeKeysOf(deleted.latest);
    for (const version of await context.store.listVersions(accountId, name)) {
      await context.store.deleteVersion(accountId, name, Number(version.Version));
      codeKeys.push(...codeKeysOf(version));
    }
    await context.executor.retire(functionArn);
    // After the records: a crash before this leaks the zips, never loses one still named.
    await context.codeStore.collect(accountId, codeKeys);
    return { statusCode: 204 };
  },
});
