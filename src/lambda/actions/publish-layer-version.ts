/**
 * PublishLayerVersion (POST /2018-10-31/layers/{LayerName}/versions): a new version of the layer
 * from Content.ZipFile or Content.S3Bucket/S3Key; numbers count on from the layer's last one,
 * even after deletions. 201 with the version.
 */
import { lambdaErrors } from "../errors.js";
import { isLayerName, layerArnOf } from "../function-names.js";
import { layerVersionDocument, type LayerVersionRecord } from "../function-records.js";
import { readCode } from "./code-input.js";
import { codeLocation } from "./code-location.js";
import { defineApiAction } from "./define.js";
import { checkRuntime } from "./function-config.js";
import { checkLength, optionalObject, optionalString, optionalStringList, Violations } from "./members.js";

export const publishLayerVersion = defineApiAction({
  name: "PublishLayerVersion",
  method: "POST",
  path: "/2018-10-31/layers/{LayerName}/versions",
  iamAction: "lambda:PublishLayerVersion",
  run: (context, request) =>
    context.codeStore.withLease(request.accountId, async (lease) => {
      const { json, accountId } = request;
      const layerName = request.params.LayerName!;
      const violations = new Violations();
      if (!isLayerName(layerName)) violations.add(layerName, "layerName", "Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
      const content = optionalObject(json, "Content");
      if (content === undefined) violations.add(null, "content", "Member must not be null");
      const description = optionalString(json, "Description");
      checkLength(violations, description, "description", 256);
      const runtimes = optionalStringList(json, "CompatibleRuntimes");
      if (runtimes !== undefined && runtimes.length > 15) violations.add(`[${runtimes.join(", ")}]`, "compatibleRuntimes", "Member must have length less than or equal to 15");
      const architectures = optionalStringList(json, "CompatibleArchitectures");
      if (architectures !== undefined && architectures.some((arch) => arch !== "x86_64" && arch !== "arm64")) {
        violations.add(`[${architectures.join(", ")}]`, "compatibleArchitectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]");
      }
      const license = optionalString(json, "LicenseInfo");
      checkLength(violations, license, "licenseInfo", 512);
      violations.check();
      for (const runtime of runtimes ?? []) checkRuntime(runtime);
      const code = await readCode(context, lease, content!);
      if (code === undefined) throw lambdaErrors.invalidParameterValue("Please provide a source for layer content: S3Bucket and S3Key, or ZipFile.");
      const version = await context.store.nextLayerVersion(accountId, layerName);
      const record: LayerVersionRecord = {
        LayerName: layerName,
        Version: version,
        Description: description ?? "",
        ...(runtimes !== undefined && { CompatibleRuntimes: runtimes }),
        ...(architectures !== undefined && { CompatibleArchitectures: architectures }),
        ...(license !== undefined && { LicenseInfo: license }),
        createdMs: context.clock.nowMs(),
        code,
      };
      await context.store.putLayerVersion(accountId, record);
      return { statusCode: 201, body: layerVersionDocument(record, layerArnOf(context.region, accountId, layerName), codeLocation(context, code)) };
    }),
});
