/**
 * GetLayerVersion (GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}) and
 * GetLayerVersionByArn (GET /2018-10-31/layers?find=LayerVersion&Arn=…).
 */
import type { ApiContext } from "../api-context.js";
import { lambdaErrors } from "../errors.js";
import { layerArnOf, parseLayerName, parseLayerVersionArn } from "../function-names.js";
import { layerVersionDocument } from "../function-records.js";
import { codeLocation } from "./code-location.js";
import { defineApiAction } from "./define.js";
import { Violations } from "./members.js";

async function layerVersion(context: ApiContext, callerAccountId: string, layerNameOrArn: string, versionText: string): Promise<Record<string, unknown>> {
  const parsed = parseLayerName(layerNameOrArn);
  const violations = new Violations();
  if (parsed === undefined) violations.add(layerNameOrArn, "layerName", "Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
  violations.check();
  const version = Number(versionText);
  if (!Number.isInteger(version)) throw lambdaErrors.invalidParameterValue(`Invalid layer version: ${versionText}`);
  if (version < 1) throw lambdaErrors.invalidParameterValue("Layer Version Cannot be less than 1");
  const accountId = parsed!.accountId ?? callerAccountId;
  const layerArn = layerArnOf(parsed!.region ?? context.region, accountId, parsed!.layerName);
  const record = parsed!.region === undefined || parsed!.region === context.region ? await context.store.getLayerVersion(accountId, parsed!.layerName, version) : undefined;
  if (record === undefined) throw lambdaErrors.layerVersionNotFound(`${layerArn}:${version}`);
  return layerVersionDocument(record, layerArn, codeLocation(context, record.code));
}

export const getLayerVersion = defineApiAction({
  name: "GetLayerVersion",
  method: "GET",
  path: "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}",
  iamAction: "lambda:GetLayerVersion",
  async run(context, request) {
    return { statusCode: 200, body: await layerVersion(context, request.accountId, request.params.LayerName!, request.params.VersionNumber!) };
  },
});

export const getLayerVersionByArn = defineApiAction({
  name: "GetLayerVersionByArn",
  method: "GET",
  path: "/2018-10-31/layers?find=LayerVersion",
  iamAction: "lambda:GetLayerVersion",
  async run(context, request) {
    const arn = request.query.get("Arn");
    const parsed = arn === null ? undefined : parseLayerVersionArn(arn);
    if (parsed === undefined) {
      const violations = new Violations();
      violations.add(
        arn,
        "arn",
        "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)",
      );
      violations.check();
    }
    const layerArn = arn!.slice(0, arn!.lastIndexOf(":"));
    return { statusCode: 200, body: await layerVersion(context, request.accountId, layerArn, String(parsed!.version)) };
  },
});
