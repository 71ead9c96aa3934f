/** UpdateAlias (PUT /2015-03-31/functions/{FunctionName}/aliases/{Name}): FunctionVersion, Description, RoutingConfig; RevisionId as a precondition. */
import { lambdaErrors } from "../errors.js";
import { aliasConfiguration, type AliasRecord } from "../function-records.js";
import { nameFunction, readFunction } from "../function-lookup.js";
import { randomUUIDFrom } from "../../util/uuid.js";
import { checkAliasVersion, readRoutingConfig } from "./alias-input.js";
import { defineApiAction } from "./define.js";
import { checkLength, optionalString, Violations } from "./members.js";

export const updateAlias = defineApiAction({
  name: "UpdateAlias",
  method: "PUT",
  path: "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
  iamAction: "lambda:UpdateAlias",
  async run(context, request) {
    const { json } = request;
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const aliasName = request.params.Name!;
    const functionVersion = optionalString(json, "FunctionVersion");
    const description = optionalString(json, "Description");
    const revisionId = optionalString(json, "RevisionId");
    const violations = new Violations();
    checkLength(violations, description, "description", 256);
    violations.check();
    const item = await readFunction(context.store, named);
    const existing = item.aliases[aliasName];
    if (existing === undefined) throw lambdaErrors.aliasNotFound(`${named.functionArn}:${aliasName}`);
    if (functionVersion !== undefined) await checkAliasVersion(context, named.accountId, named.name, named.functionArn, functionVersion);
    const routing = await readRoutingConfig(context, named.accountId, named.name, named.functionArn, json, functionVersion ?? existing.FunctionVersion);
    const updated = await context.store.change(named.accountId, named.name, (current) => {
      const alias = current?.aliases[aliasName];
      if (current === undefined || alias === undefined) throw lambdaErrors.aliasNotFound(`${named.functionArn}:${aliasName}`);
      if (revisionId !== undefined && revisionId !== alias.RevisionId) throw lambdaErrors.preconditionFailed();
      const { RoutingConfig: previousRouting, ...rest } = alias;
      const next: AliasRecord = {
        ...rest,
        ...(functionVersion !== undefined && { FunctionVersion: functionVersion }),
        ...(description !== undefined && { Description: description }),
        ...(routing === undefined ? previousRouting !== undefined && { RoutingConfig: previousRouting } : routing !== null && { RoutingConfig: routing }),
        RevisionId: randomUUIDFrom(context.random),
      };
      return { write: { ...current, aliases: { ...current.aliases, [aliasName]: next } }, result: next };
    });
    return { statusCode: 200, body: aliasConfiguration(updated, named.functionArn) };
  },
});
