/** DeleteLayerVersion (DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}): 204, also when absent; functions using it keep their copy. */
import { lambdaErrors } from "../errors.js";
import { parseLayerName } from "../function-names.js";
import { defineApiAction } from "./define.js";

export const deleteLayerVersion = defineApiAction({
  name: "DeleteLayerVersion",
  method: "DELETE",
  path: "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}",
  iamAction: "lambda:DeleteLayerVersion",
  async run(context, request) {
    const parsed = parseLayerName(request.params.LayerName!);
    const version = Number(request.params.VersionNumber);
    if (parsed === undefined || !Number.isInteger(version)) throw lambdaErrors.invalidParameterValue("Invalid layer name or version.");
    if (version < 1) throw lambdaErrors.invalidParameterValue("Layer Version Cannot be less than 1");
    const accountId = parsed.accountId ?? request.accountId;
    const record = await context.store.getLayerVersion(accountId, parsed.layerName, version);
    if (record === undefined) return { statusCode: 204 };
    await context.store.deleteLayerVersion(accountId, parsed.layerName, version);
    // Functions using the version keep its archive: it goes only when none of them names it.
    await context.codeStore.collect(accountId, [record.code.objectKey]);
    return { statusCode: 204 };
  },
});
