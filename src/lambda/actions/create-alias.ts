/** CreateAlias (POST /2015-03-31/functions/{FunctionName}/aliases): 201 with the alias. */
import { lambdaErrors } from "../errors.js";
import { aliasConfiguration, type AliasRecord } from "../function-records.js";
import { nameFunction } from "../function-lookup.js";
import { randomUUIDFrom } from "../../util/uuid.js";
import { checkAliasName, checkAliasVersion, readRoutingConfig } from "./alias-input.js";
import { defineApiAction } from "./define.js";
import { checkLength, optionalString, Violations } from "./members.js";

export const createAlias = defineApiAction({
  name: "CreateAlias",
  method: "POST",
  path: "/2015-03-31/functions/{FunctionName}/aliases",
  iamAction: "lambda:CreateAlias",
  async run(context, request) {
    const { json } = request;
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const aliasName = checkAliasName(optionalString(json, "Name"));
    const functionVersion = optionalString(json, "FunctionVersion");
    const description = optionalString(json, "Description");
    const violations = new Violations();
    if (functionVersion === undefined) violations.add(null, "functionVersion", "Member must not be null");
    checkLength(violations, description, "description", 256);
    violations.check();
    if ((await context.store.getFunction(named.accountId, named.name)) === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
    await checkAliasVersion(context, named.accountId, named.name, named.functionArn, functionVersion!);
    const routing = await readRoutingConfig(context, named.accountId, named.name, named.functionArn, json, functionVersion!);
    const alias: AliasRecord = {
      Name: aliasName,
      FunctionVersion: functionVersion!,
      Description: description ?? "",
      ...(routing != null && { RoutingConfig: routing }),
      RevisionId: randomUUIDFrom(context.random),
    };
    await context.store.change(named.accountId, named.name, (current) => {
      if (current === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
      if (current.aliases[aliasName] !== undefined) throw lambdaErrors.aliasExists(`${named.functionArn}:${aliasName}`);
      return { write: { ...current, aliases: { ...current.aliases, [aliasName]: alias } }, result: undefined };
    });
    return { statusCode: 201, body: aliasConfiguration(alias, named.functionArn) };
  },
});
