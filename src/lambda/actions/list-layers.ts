/**
 * ListLayers (GET /2018-10-31/layers): each layer with its latest version, by name; and
 * ListLayerVersions (GET /2018-10-31/layers/{LayerName}/versions): the layer's versions, newest
 * first. Both filter by CompatibleRuntime and CompatibleArchitecture; 50 per page.
 */
import { lambdaErrors } from "../errors.js";
import { layerArnOf, parseLayerName } from "../function-names.js";
import { layerVersionListItem, type LayerVersionRecord } from "../function-records.js";
import { defineApiAction } from "./define.js";
import { pageOf, paging } from "./members.js";

function compatible(record: LayerVersionRecord, query: URLSearchParams): boolean {
  const runtime = query.get("CompatibleRuntime");
  const architecture = query.get("CompatibleArchitecture");
  if (runtime !== null && !(record.CompatibleRuntimes ?? []).includes(runtime)) return false;
  if (architecture !== null && !(record.CompatibleArchitectures ?? []).includes(architecture)) return false;
  return true;
}

export const listLayers = defineApiAction({
  name: "ListLayers",
  method: "GET",
  path: "/2018-10-31/layers",
  iamAction: "lambda:ListLayers",
  async run(context, request) {
    const { marker, maxItems } = paging(request.query);
    const latest = new Map<string, LayerVersionRecord>();
    for (const record of await context.store.listLayerVersions(request.accountId)) {
      if (compatible(record, request.query)) latest.set(record.LayerName, record);
    }
    const all = [...latest.values()].map((record) => {
      const layerArn = layerArnOf(context.region, request.accountId, record.LayerName);
      return { LayerName: record.LayerName, LayerArn: layerArn, LatestMatchingVersion: layerVersionListItem(record, layerArn) };
    });
    const { page, next } = pageOf(all, marker, maxItems);
    return { statusCode: 200, body: { Layers: page, ...next } };
  },
});

export const listLayerVersions = defineApiAction({
  name: "ListLayerVersions",
  method: "GET",
  path: "/2018-10-31/layers/{LayerName}/versions",
  iamAction: "lambda:ListLayerVersions",
  async run(context, request) {
    const { marker, maxItems } = paging(request.query);
    const parsed = parseLayerName(request.params.LayerName!);
    if (parsed === undefined) throw lambdaErrors.invalidParameterValue(`Invalid layer name: ${request.params.LayerName!}`);
    const accountId = parsed.accountId ?? request.accountId;
    const layerArn = layerArnOf(context.region, accountId, parsed.layerName);
    const all = (await context.store.listLayerVersions(accountId, parsed.layerName))
      .filter((record) => compatible(record, request.query))
      .reverse()
      .map((record) => layerVersionListItem(record, layerArn));
    const { page, next } = pageOf(all, marker, maxItems);
    return { statusCode: 200, body: { LayerVersions: page, ...next } };
  },
});
