/** CreateAlias (POST /2015-03-31/functions/{FunctionName}/aliases): 201 with the alias. */
import { lambdaErrors } from "../errors.js";
import { aliasConfiguration, type AliasRecord } from "../function-records.js";
import { changeFunction, nameFunction, readFunction } from "../function-lookup.js";
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
    await readFunction(context.store, named);
    await checkAliasVersion(context, named.accountId, named.name, named.functionArn, functionVersion!);
    const routing = await readRoutingConfig(context, named.accountId, named.name, named.functionArn, json, functionVersion!);
    const alias: AliasRecord = {
      Name: aliasName,
      FunctionVersion: functionVersion!,
      Description: description ?? "",
      ...(routing != null && { RoutingConfig: routing }),
      RevisionId: randomUUIDFrom(context.random),
    };
    await changeFunction(context.store, named, (current) => {
      if (current.aliases[aliasName] !== undefined) throw lambdaErrors.aliasExists(`${named.functionArn}:${aliasName}`);
      return { write: { ...current, aliases: { ...current.aliases, [aliasName]: alias } }, result: undefined };
    });
    return { statusCode: 201, body: aliasConfiguration(alias, named.functionArn) };
  },
});
