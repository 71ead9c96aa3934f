/**
 * ListEventSourceMappings (GET /2015-03-31/event-source-mappings/?EventSourceArn=&FunctionName=&Marker=&MaxItems=):
 * the account's mappings by UUID, filtered by source and function, paged by the last UUID returned.
 */
import type { LambdaAction } from "../../action.js";
import { lambdaErrors } from "../../errors.js";
import { mappingConfiguration } from "../mapping.js";
import { functionNameOf, mappingsPath } from "./shared.js";

const maxItemsMax = 10_000;
const maxItemsDefault = 100;

export const listEventSourceMappings: LambdaAction = {
  name: "ListEventSourceMappings",
  method: "GET",
  path: mappingsPath,
  iamAction: "lambda:ListEventSourceMappings",
  async run(context, request) {
    const eventSourceArn = request.query.get("EventSourceArn") ?? undefined;
    const functionName = request.query.get("FunctionName") ?? undefined;
    const marker = request.query.get("Marker") ?? undefined;
    const maxItems = readMaxItems(request.query.get("MaxItems"));
    const wanted = functionName === undefined ? undefined : functionNameOf(functionName);
    const all = (await context.eventSources.mappings.list(request.accountId))
      .filter((record) => eventSourceArn === undefined || record.EventSourceArn === eventSourceArn)
      .filter((record) => {
        if (wanted === undefined) return true;
        const mapped = functionNameOf(record.FunctionArn);
        return mapped.name === wanted.name && (wanted.qualifier === undefined || mapped.qualifier === wanted.qualifier);
      })
      .sort((a, b) => (a.UUID < b.UUID ? -1 : a.UUID > b.UUID ? 1 : 0));
    const start = marker === undefined ? 0 : all.findIndex((record) => record.UUID > marker);
    const page = start < 0 ? [] : all.slice(start, start + maxItems);
    const body: Record<string, unknown> = { EventSourceMappings: page.map(mappingConfiguration) };
    if (start >= 0 && start + maxItems < all.length) body.NextMarker = page[page.length - 1]!.UUID;
    return { statusCode: 200, body };
  },
};

function readMaxItems(value: string | null): number {
  if (value === null) return maxItemsDefault;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw lambdaErrors.invalidParameterValue(`Invalid value for MaxItems: ${value}`);
  if (parsed < 1) throw lambdaErrors.validation([`Value '${parsed}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`]);
  if (parsed > maxItemsMax) throw lambdaErrors.validation([`Value '${parsed}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to ${maxItemsMax}`]);
  return parsed;
}
